using System.Buffers;

namespace Nnrp.Client.Network;

/// <summary>
/// Reads an HTTP answer body of at most a given size, checking the declared length first and
/// the bytes as they arrive, so a hostile or broken server cannot make the client buffer
/// without end. Null means "too large".
/// </summary>
internal static class BoundedBody
{
    public static async Task<byte[]?> ReadAsync(HttpContent content, int maxSize, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > maxSize)
        {
            return null;
        }
        await using Stream stream = await content.ReadAsStreamAsync(cancellationToken);
        using var copy = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (copy.Length + read > maxSize)
                {
                    return null;
                }
                copy.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return copy.ToArray();
    }
}
