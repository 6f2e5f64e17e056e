using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.AutoNat;

/// <summary>
/// The framing of both AutoNAT v2 streams (spec "RPC Messages"): each message is a protobuf
/// prefixed by its length as an unsigned varint; <c>Message</c> on dial-request, bare
/// <c>DialBack</c> / <c>DialBackResponse</c> on dial-back.
/// </summary>
internal static class AutoNatCodec
{
    /// <summary>Largest message read on either stream (js-libp2p's limit: 8192 bytes).</summary>
    public const int MaxMessageSize = 8192;

    /// <summary>Spec: "the data field in each individual protobuf is limited to 4096 bytes".</summary>
    public const int MaxDialDataChunk = 4096;

    /// <summary>Addresses of one request that a server looks at (further ones are ignored) and a client sends.</summary>
    public const int MaxAddressesPerRequest = 32;

    /// <summary>Reads one message; null when the peer closed the stream before one began.</summary>
    public static async ValueTask<T?> ReadAsync<T>(PipeReader input, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var (message, completed) = await LengthPrefixed.ReadAsync(input, MaxMessageSize, seq => Parse(parser, seq), cancellationToken);
        return completed ? null : message;
    }

    public static ValueTask WriteAsync(PipeWriter output, IMessage message, CancellationToken cancellationToken) =>
        LengthPrefixed.WriteAsync(output, message.ToByteArray(), cancellationToken);

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> bytes)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new AutoNatException("AutoNAT message is not valid protobuf: " + ex.Message, ex);
        }
    }
}

/// <summary>A peer broke the AutoNAT v2 protocol.</summary>
public sealed class AutoNatException : ProtocolViolationException
{
    public AutoNatException(string message) : base(message) { }

    public AutoNatException(string message, Exception inner) : base(message, inner) { }
}
