using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Relay.Protobuf;

namespace Nnrp.Libp2p.Relay;

/// <summary>
/// Reads and writes hop and stop messages (libp2p/specs relay/circuit-v2.md "Protobuf"): each
/// one uvarint-length-prefixed protobuf on its stream, exactly as js-libp2p's <c>pbStream</c>
/// and go-libp2p's <c>pbio</c> delimited reader frame them.
/// </summary>
internal static class RelayCodec
{
    public const string HopProtocolId = "/libp2p/circuit/relay/0.2.0/hop";

    public const string StopProtocolId = "/libp2p/circuit/relay/0.2.0/stop";

    /// <summary>Largest hop or stop message read (go-libp2p circuitv2 <c>maxMessageSize</c> 4096).</summary>
    public const int MaxMessageSize = 4096;

    /// <summary>Addresses kept from one <c>Peer</c> or <c>Reservation</c> (identify keeps as many).</summary>
    public const int MaxAddresses = 32;

    /// <summary>The next hop message; null when the peer closed the stream first.</summary>
    /// <exception cref="RelayProtocolException">oversized, truncated or not a HopMessage, or without a type.</exception>
    public static async ValueTask<HopMessage?> ReadHopAsync(PipeReader input, CancellationToken cancellationToken)
    {
        HopMessage? message = await ReadAsync(input, HopMessage.Parser, cancellationToken);
        return message is null || message.HasType ? message : throw new RelayProtocolException("hop message without a type");
    }

    /// <summary>The next stop message; null when the peer closed the stream first.</summary>
    /// <exception cref="RelayProtocolException">oversized, truncated or not a StopMessage, or without a type.</exception>
    public static async ValueTask<StopMessage?> ReadStopAsync(PipeReader input, CancellationToken cancellationToken)
    {
        StopMessage? message = await ReadAsync(input, StopMessage.Parser, cancellationToken);
        return message is null || message.HasType ? message : throw new RelayProtocolException("stop message without a type");
    }

    /// <summary>
    /// The request that opens a hop or stop stream; null when the peer closed first or sent
    /// something unreadable, which is answered with <paramref name="malformed"/> (a
    /// MALFORMED_MESSAGE status, as go-libp2p and js-libp2p answer).
    /// </summary>
    public static async ValueTask<T?> ReadRequestAsync<T>(
        Host.Libp2pStream stream, Func<PipeReader, CancellationToken, ValueTask<T?>> read, IMessage malformed,
        Microsoft.Extensions.Logging.ILogger logger, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await read(stream.Input, cancellationToken);
        }
        catch (RelayProtocolException ex)
        {
            logger.BadRequest(stream.RemotePeer.ToString(), ex.Message);
            await WriteAsync(stream.Output, malformed, cancellationToken);
            return null;
        }
    }

    public static ValueTask WriteAsync(PipeWriter output, IMessage message, CancellationToken cancellationToken) =>
        LengthPrefixed.WriteAsync(output, message.ToByteArray(), cancellationToken);

    /// <summary>A hop STATUS answer carrying only <paramref name="status"/> (every refusal).</summary>
    public static HopMessage HopStatus(Status status) => new() { Type = HopMessage.Types.Type.Status, Status = status };

    public static StopMessage StopStatus(Status status) => new() { Type = StopMessage.Types.Type.Status, Status = status };

    /// <summary>Our limits as the spec's <c>Limit</c>: duration in whole seconds, data in bytes per direction.</summary>
    public static Limit ToLimit(RelayServiceOptions options) => new()
    {
        Duration = (uint)Math.Min(uint.MaxValue, Math.Ceiling(options.CircuitDuration.TotalSeconds)),
        Data = (ulong)options.CircuitDataLimit,
    };

    /// <summary>What a peer's <c>Limit</c> says; absent or 0 fields mean "no limit" (spec "Reservation").</summary>
    public static CircuitLimit FromLimit(Limit? limit) => new(
        limit is { HasDuration: true, Duration: > 0 } ? TimeSpan.FromSeconds(limit.Duration) : null,
        limit is { HasData: true, Data: > 0 } ? (long)Math.Min(limit.Data, long.MaxValue) : null);

    private static async ValueTask<T?> ReadAsync<T>(PipeReader input, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        try
        {
            var (message, _) = await LengthPrefixed.ReadAsync(input, MaxMessageSize, parser.ParseFrom, cancellationToken);
            return message;
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RelayProtocolException($"malformed {typeof(T).Name}: {ex.Message}", ex);
        }
        catch (ProtocolViolationException ex) when (ex is not RelayProtocolException)
        {
            // The framer's refusals: oversized, truncated, or a length prefix that is not a minimal varint.
            throw new RelayProtocolException($"{typeof(T).Name}: {ex.Message}", ex);
        }
    }
}

/// <summary>The limits of one relayed connection; null fields are unlimited.</summary>
public sealed record CircuitLimit(TimeSpan? Duration, long? Data)
{
    public static CircuitLimit None { get; } = new(null, null);
}

/// <summary>A relay peer broke a rule of circuit-v2.md; the stream is answered with a status and closed.</summary>
public sealed class RelayProtocolException : ProtocolViolationException
{
    public RelayProtocolException(string message) : base(message) { }

    public RelayProtocolException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The relay or the destination refused a reservation or a circuit with <see cref="Status"/>.</summary>
public sealed class RelayRefusedException : IOException
{
    internal RelayRefusedException(Status status, string what)
        : base($"{what} refused by the relay: {status}")
    {
        Status = status;
    }

    internal Status Status { get; }

    /// <summary>The spec's status name, e.g. <c>RESERVATION_REFUSED</c>.</summary>
    public string StatusName => Google.Protobuf.Reflection.OriginalNameAttribute.GetCustomAttribute(
        typeof(Status).GetField(Status.ToString())!, typeof(Google.Protobuf.Reflection.OriginalNameAttribute)) is Google.Protobuf.Reflection.OriginalNameAttribute a ? a.Name : Status.ToString();
}
