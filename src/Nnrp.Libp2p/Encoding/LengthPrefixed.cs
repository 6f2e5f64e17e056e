using System.Buffers;
using System.IO.Pipelines;

namespace Nnrp.Libp2p.Encoding;

/// <summary>
/// uvarint-length-prefixed messages, the framing of multistream-select, identify, Kad-DHT,
/// GossipSub and /nnrp/1.0. The length is checked against the caller's limit before a single
/// body byte is buffered, so an oversized prefix costs the peer its stream, not our memory.
/// </summary>
public static class LengthPrefixed
{
    /// <summary>
    /// Tries to cut one message off the front of <paramref name="buffer"/>. Returns false when
    /// more bytes are needed; throws <see cref="MessageTooLargeException"/> when the declared
    /// length exceeds <paramref name="maxLength"/>.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> message)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!Varint.TryRead(ref reader, out ulong length))
        {
            message = default;
            return false;
        }
        if (length > (ulong)maxLength)
        {
            throw new MessageTooLargeException(length, maxLength);
        }
        if (reader.Remaining < (long)length)
        {
            message = default;
            return false;
        }
        message = buffer.Slice(reader.Position, (long)length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    /// <summary>
    /// Bytes of an incomplete message left in the pipe before the rest is copied out. A yamux
    /// stream credits the sender's window only for consumed bytes (256 KiB to start), so a
    /// message larger than the window must be consumed as it arrives or it never completes
    /// (e.g. a 1 MB /nnrp/1.0 fetch answer).
    /// </summary>
    public const int CopyOutThreshold = 64 * 1024;

    /// <summary>
    /// Reads one message and hands it to <paramref name="parse"/> while the bytes are still in
    /// the pipe (no copy) when it arrives within <see cref="CopyOutThreshold"/>; a larger one is
    /// copied into a pooled buffer as it arrives. Returns <c>default</c> with
    /// <c>Completed</c> true when the peer closed cleanly before a new message began; a
    /// close mid-message is an error.
    /// </summary>
    public static async ValueTask<(T? Value, bool Completed)> ReadAsync<T>(
        PipeReader input, int maxLength, Func<ReadOnlySequence<byte>, T> parse, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool consumed = false;
            bool copyOut = false;
            try
            {
                if (TryRead(ref buffer, maxLength, out ReadOnlySequence<byte> message))
                {
                    T value = parse(message);
                    consumed = true;
                    return (value, false);
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    if (buffer.IsEmpty)
                    {
                        return (default, true);
                    }
                    throw new TruncatedMessageException(buffer.Length);
                }
                copyOut = buffer.Length >= CopyOutThreshold;
            }
            finally
            {
                if (consumed)
                {
                    input.AdvanceTo(buffer.Start);
                }
                else if (!copyOut)
                {
                    input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                }
            }
            if (!copyOut)
            {
                // A small message still arriving: wait for more of it in the pipe.
                continue;
            }
            return (await CopyOutAsync(input, result, parse, cancellationToken), false);
        }
    }

    /// <summary>
    /// The rest of a large message: its prefix is in <paramref name="first"/> (checked by
    /// <see cref="TryRead"/>); the body is copied out and consumed as it arrives.
    /// </summary>
    private static async ValueTask<T> CopyOutAsync<T>(PipeReader input, ReadResult first, Func<ReadOnlySequence<byte>, T> parse, CancellationToken cancellationToken)
    {
        var reader = new SequenceReader<byte>(first.Buffer);
        Varint.TryRead(ref reader, out ulong declared);
        int length = (int)declared;
        byte[] body = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ReadResult result = first;
            long skip = reader.Consumed; // the prefix, in the first read only
            int filled = 0;
            while (true)
            {
                // Positions are taken from the read's own buffer (its End when all of it is
                // consumed), never from a slice of it.
                ReadOnlySequence<byte> buffer = result.Buffer;
                int take = (int)Math.Min(buffer.Length - skip, length - filled);
                buffer.Slice(skip, take).CopyTo(body.AsSpan(filled));
                filled += take;
                input.AdvanceTo(skip + take == buffer.Length ? buffer.End : buffer.GetPosition(skip + take));
                skip = 0;
                if (filled == length)
                {
                    return parse(new ReadOnlySequence<byte>(body, 0, length));
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    throw new TruncatedMessageException(filled);
                }
                result = await input.ReadAsync(cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>Reads one message into a fresh array (for small control messages).</summary>
    public static async ValueTask<byte[]?> ReadArrayAsync(PipeReader input, int maxLength, CancellationToken cancellationToken)
    {
        var (value, _) = await ReadAsync(input, maxLength, static seq => seq.ToArray(), cancellationToken);
        return value;
    }

    /// <summary>Writes the prefix and the body into the pipe; the caller flushes.</summary>
    public static void Write(PipeWriter output, ReadOnlySpan<byte> message)
    {
        Varint.Write(output, (ulong)message.Length);
        output.Write(message);
    }

    public static async ValueTask WriteAsync(PipeWriter output, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        Write(output, message.Span);
        FlushResult flush = await output.FlushAsync(cancellationToken);
        if (flush.IsCompleted)
        {
            throw new IOException("the peer stopped reading");
        }
    }
}

public sealed class MessageTooLargeException(ulong declared, int limit)
    : ProtocolViolationException($"message of {declared} bytes exceeds the limit of {limit} bytes")
{
    public ulong Declared { get; } = declared;
    public int Limit { get; } = limit;
}

public sealed class TruncatedMessageException(long bytesHeld)
    : ProtocolViolationException($"stream ended inside a message ({bytesHeld} bytes of it received)");
