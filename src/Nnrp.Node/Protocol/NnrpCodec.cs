using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Node.Protocol;

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

/// <summary>A /nnrp/1.0 message broke the framing or does not decode (§11.1).</summary>
public sealed class NnrpWireException : ProtocolViolationException
{
    public NnrpWireException(string message) : base(message) { }

    public NnrpWireException(string message, Exception inner) : base(message, inner) { }
}
