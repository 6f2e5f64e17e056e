using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.MultistreamSelect;

/// <summary>
/// One multistream-select message (libp2p/specs connections/README.md, "Protocol
/// Negotiation"): a uvarint length, then UTF-8 text ending in a newline.
/// <code>
///   ┌──────────────┬──────────────────────────────┬────┐
///   │ uvarint len  │ "/yamux/1.0.0"               │ \n │   len counts the text and \n
///   └──────────────┴──────────────────────────────┴────┘
/// </code>
/// </summary>
internal static class MultistreamMessage
{
    /// <summary>
    /// Longest message accepted (text + newline). Protocol ids are short; go-libp2p and
    /// rust-libp2p cap a protocol name well below this, so anything longer is an attack.
    /// </summary>
    public const int MaxLength = 1024;

    public static async ValueTask<string> ReadAsync(PipeReader input, CancellationToken cancellationToken)
    {
        var (text, completed) = await LengthPrefixed.ReadAsync(input, MaxLength, Parse, cancellationToken);
        if (completed || text is null)
        {
            throw new MultistreamNegotiationException("the peer closed the stream during protocol negotiation");
        }
        return text;
    }

    private static string Parse(ReadOnlySequence<byte> message)
    {
        if (message.IsEmpty)
        {
            throw new MultistreamNegotiationException("empty multistream message");
        }
        Span<byte> bytes = message.Length <= 256 ? stackalloc byte[(int)message.Length] : new byte[message.Length];
        message.CopyTo(bytes);
        if (bytes[^1] != (byte)'\n')
        {
            throw new MultistreamNegotiationException("multistream message does not end in a newline");
        }
        var text = bytes[..^1];
        if (text.IndexOf((byte)'\n') >= 0)
        {
            throw new MultistreamNegotiationException("multistream message holds more than one line");
        }
        try
        {
            return StrictUtf8.GetString(text);
        }
        catch (DecoderFallbackException)
        {
            throw new MultistreamNegotiationException("multistream message is not valid UTF-8");
        }
    }

    /// <summary>Appends a message to the pipe; the caller flushes once for a batch.</summary>
    public static void Write(PipeWriter output, string text)
    {
        int length = System.Text.Encoding.UTF8.GetByteCount(text) + 1;
        if (length > MaxLength)
        {
            throw new ArgumentException($"protocol id longer than {MaxLength - 1} bytes", nameof(text));
        }
        Varint.Write(output, (ulong)length);
        Span<byte> span = output.GetSpan(length);
        int n = System.Text.Encoding.UTF8.GetBytes(text, span);
        span[n] = (byte)'\n';
        output.Advance(length);
    }

    public static async ValueTask FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        FlushResult result = await output.FlushAsync(cancellationToken);
        if (result.IsCompleted)
        {
            throw new MultistreamNegotiationException("the peer stopped reading during protocol negotiation");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
