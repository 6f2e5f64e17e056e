using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Protocol.Requests;

/// <summary>
/// §11.1 framing: one uvarint-length-prefixed protobuf message each way.
/// <code>
///   client → node:  uvarint(len ≤ 4 KiB)  ‖ Request    then FIN
///   node → client:  uvarint(len ≤ 2 MiB)  ‖ Response   then FIN
/// </code>
/// The length is checked before any body byte is buffered (<see cref="LengthPrefixed"/>).
/// </summary>
public static class NnrpCodec
{
    // One parse delegate per message type, not a closure per read: every request and response passes here.
    private static readonly Func<ReadOnlySequence<byte>, Request> ParseRequest = static seq => Parse(Request.Parser, seq, "request");
    private static readonly Func<ReadOnlySequence<byte>, Response> ParseResponse = static seq => Parse(Response.Parser, seq, "response");

    /// <exception cref="ProtocolViolationException">too large, truncated, missing, or not a Request.</exception>
    public static async ValueTask<Request> ReadRequestAsync(PipeReader input, CancellationToken cancellationToken) =>
        await ReadAsync(input, NnrpProtocol.MaxRequestSize, ParseRequest, "request", cancellationToken);

    /// <exception cref="ProtocolViolationException">too large, truncated, missing, or not a Response.</exception>
    public static async ValueTask<Response> ReadResponseAsync(PipeReader input, CancellationToken cancellationToken)
    {
        Response response = await ReadAsync(input, NnrpProtocol.MaxResponseSize, ParseResponse, "response", cancellationToken);
        if (response.Status == StatusCode.Unspecified)
        {
            // §11.4: UNSPECIFIED is never sent; a response carrying it is malformed.
            throw new NnrpWireException("the response carries no status");
        }
        return response;
    }

    /// <summary>
    /// Reads the answer to a fetch: an OK answer in the canonical encoding comes back as its
    /// notifications, read straight from the received bytes (<see cref="FetchReplyReader"/>);
    /// anything else as the <see cref="Response"/> the generic parser makes of it, with the
    /// same checks and errors as <see cref="ReadResponseAsync"/>.
    /// </summary>
    /// <exception cref="ProtocolViolationException">too large, truncated, missing, or not a Response.</exception>
    public static async ValueTask<FetchReply> ReadFetchReplyAsync(PipeReader input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        (FetchReply? answer, bool completed) = await LengthPrefixed.ReadAsync(input, NnrpProtocol.MaxResponseSize, ParseFetchReply, cancellationToken);
        if (completed || answer is null)
        {
            throw new NnrpWireException("the stream closed before a response arrived");
        }
        if (answer.Response is { Status: StatusCode.Unspecified })
        {
            // §11.4: UNSPECIFIED is never sent; a response carrying it is malformed.
            throw new NnrpWireException("the response carries no status");
        }
        return answer;
    }

    private static readonly Func<ReadOnlySequence<byte>, FetchReply> ParseFetchReply = static seq =>
        FetchReplyReader.TryRead(seq, out List<Core.Notifications.Notification> notifications, out byte[] nextCursor)
            ? new FetchReply(null, notifications, nextCursor)
            : new FetchReply(ParseResponse(seq), [], []);

    /// <summary>Writes one framed message and flushes.</summary>
    public static async ValueTask WriteAsync(PipeWriter output, IMessage message, int maxSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(message);
        int size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new InvalidOperationException($"a {size}-byte message exceeds the {maxSize}-byte limit of §11.1");
        }
        Varint.Write(output, (ulong)size);
        message.WriteTo(output);
        FlushResult flush = await output.FlushAsync(cancellationToken);
        if (flush.IsCompleted)
        {
            throw new IOException("the peer stopped reading");
        }
    }

    /// <summary>
    /// Writes an OK fetch answer item by item (§11.5 "Answer budget"), byte for byte what
    /// <see cref="WriteAsync"/> would write for the same <see cref="Response"/>, without ever
    /// encoding the page: <paramref name="notifications"/> are the items' protobuf bytes as
    /// stored (the node's <c>EncodedPage</c>), so the lengths are summed first and each item is
    /// copied into the stream as it is, flushed every <see cref="FetchFlushBytes"/>; the
    /// stream's send buffer (not this method) bounds what waits for the reader.
    /// <code>
    ///   uvarint(len) ‖ 08 01                          Response.status = OK
    ///                ‖ 5a uvarint(fetch_len)          Response.fetch (field 11)
    ///                  ‖ { 0a uvarint(n) ‖ Notification }*   FetchResponse.notifications (field 1)
    ///                  ‖ [ 12 uvarint(c) ‖ next_cursor ]     FetchResponse.next_cursor (field 2, omitted when empty)
    /// </code>
    /// </summary>
    /// <exception cref="TimeoutException">one flush waited longer than <paramref name="writeStall"/> for the reader.</exception>
    /// <exception cref="IOException">the reader went away.</exception>
    public static async ValueTask WriteFetchAsync(PipeWriter output, IReadOnlyList<ReadOnlyMemory<byte>> notifications, ReadOnlyMemory<byte> nextCursor,
        TimeSpan writeStall, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(notifications);
        int count = notifications.Count;
        long body = 0;
        for (int i = 0; i < count; i++)
        {
            int size = notifications[i].Length;
            body += 1 + Varint.SizeOf((ulong)size) + size;
        }
        if (!nextCursor.IsEmpty)
        {
            body += 1 + Varint.SizeOf((ulong)nextCursor.Length) + nextCursor.Length;
        }
        long total = OkStatus.Length + 1 + Varint.SizeOf((ulong)body) + body;
        if (total > NnrpProtocol.MaxResponseSize)
        {
            throw new InvalidOperationException($"a {total}-byte fetch answer exceeds the {NnrpProtocol.MaxResponseSize}-byte limit of §11.1");
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Varint.Write(output, (ulong)total);
        output.Write(OkStatus);
        WriteTag(output, FetchField);
        Varint.Write(output, (ulong)body);
        for (int i = 0; i < count; i++)
        {
            ReadOnlyMemory<byte> item = notifications[i];
            WriteTag(output, NotificationsField);
            Varint.Write(output, (ulong)item.Length);
            output.Write(item.Span);
            if (output.UnflushedBytes >= FetchFlushBytes)
            {
                await FlushAsync(output, stall, writeStall, cancellationToken);
            }
        }
        if (!nextCursor.IsEmpty)
        {
            WriteTag(output, NextCursorField);
            Varint.Write(output, (ulong)nextCursor.Length);
            output.Write(nextCursor.Span);
        }
        await FlushAsync(output, stall, writeStall, cancellationToken);
    }

    /// <summary><c>Response.status = OK</c> (field 1, varint 1), the first field of every fetch answer.</summary>
    private static ReadOnlySpan<byte> OkStatus => [(1 << 3) | 0, (byte)StatusCode.Ok];

    /// <summary>Encoded bytes a fetch answer gathers before handing them to the stream.</summary>
    public const int FetchFlushBytes = 32 * 1024;

    // Field keys, (number << 3) | wire type 2 (length-delimited), from protocols/nnrp.proto.
    private const byte FetchField = (11 << 3) | 2;
    private const byte NotificationsField = (1 << 3) | 2;
    private const byte NextCursorField = (2 << 3) | 2;

    private static void WriteTag(PipeWriter output, byte tag)
    {
        output.GetSpan(1)[0] = tag;
        output.Advance(1);
    }

    private static async ValueTask FlushAsync(PipeWriter output, CancellationTokenSource stall, TimeSpan writeStall, CancellationToken cancellationToken)
    {
        // The stall timer runs only while the flush waits for the reader (backpressure).
        stall.CancelAfter(writeStall);
        FlushResult flush;
        try
        {
            flush = await output.FlushAsync(stall.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the reader took nothing for {writeStall.TotalSeconds:0.#} s");
        }
        stall.CancelAfter(Timeout.InfiniteTimeSpan);
        if (flush.IsCompleted)
        {
            throw new IOException("the peer stopped reading");
        }
    }

    private static async ValueTask<T> ReadAsync<T>(PipeReader input, int maxSize, Func<ReadOnlySequence<byte>, T> parse, string what, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        (T? message, bool completed) = await LengthPrefixed.ReadAsync(input, maxSize, parse, cancellationToken);
        if (completed || message is null)
        {
            throw new NnrpWireException($"the stream closed before a {what} arrived");
        }
        return message;
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> bytes, string what) where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new NnrpWireException($"the {what} is not valid protobuf: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// A fetch answer as <see cref="NnrpCodec.ReadFetchReplyAsync"/> read it: either
/// <see cref="Response"/> (any answer but a canonical OK page) or, with Response null, the
/// page's notifications and next cursor.
/// </summary>
public sealed record FetchReply(Response? Response, IReadOnlyList<Core.Notifications.Notification> Notifications, byte[] NextCursor);

/// <summary>A /nnrp/1.0 message broke the framing or does not decode (§11.1).</summary>
public sealed class NnrpWireException : ProtocolViolationException
{
    public NnrpWireException(string message) : base(message) { }

    public NnrpWireException(string message, Exception inner) : base(message, inner) { }
}
