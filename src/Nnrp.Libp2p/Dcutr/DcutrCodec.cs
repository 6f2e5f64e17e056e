using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr.Protobuf;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>
/// The framing of <c>/libp2p/dcutr</c> (libp2p/specs relay/DCUtR.md "RPC messages"): each
/// <c>HolePunch</c> prefixed by its length as an unsigned varint, as js-libp2p's <c>pbStream</c>
/// and go-libp2p's <c>pbio</c> write it.
/// </summary>
/// <remarks>
/// <code>
/// ┌──────────────┬──────────────────────────────────────────────────────┐
/// │ len (uvarint)│ HolePunch { type = CONNECT | SYNC, ObsAddrs* }        │  len ≤ 4096
/// └──────────────┴──────────────────────────────────────────────────────┘
/// </code>
/// </remarks>
internal static class DcutrCodec
{
    public const string ProtocolId = "/libp2p/dcutr";

    /// <summary>Spec: "Implementations SHOULD refuse encoded RPC messages (length prefix excluded) larger than 4 KiB."</summary>
    public const int MaxMessageSize = 4096;

    /// <summary>
    /// Addresses taken from one CONNECT (further ones are ignored) and sent in ours: every one
    /// may cost a dial, so a peer cannot make us dial more than this per attempt.
    /// </summary>
    public const int MaxAddresses = 16;

    /// <summary>The next message; null when the peer closed the stream before one began.</summary>
    /// <exception cref="DcutrProtocolException">oversized, truncated, not a HolePunch, or without a known type.</exception>
    public static async ValueTask<HolePunch?> ReadAsync(PipeReader input, CancellationToken cancellationToken)
    {
        try
        {
            var (message, completed) = await LengthPrefixed.ReadAsync(input, MaxMessageSize, Parse, cancellationToken);
            return completed ? null : message;
        }
        catch (Exception ex) when (ex is MessageTooLargeException or TruncatedMessageException or VarintFormatException)
        {
            throw new DcutrProtocolException("HolePunch: " + ex.Message, ex);
        }
    }

    /// <summary>Decodes one message body (without its length prefix).</summary>
    /// <exception cref="DcutrProtocolException">not a HolePunch, or without a known type.</exception>
    public static HolePunch Parse(ReadOnlySequence<byte> body)
    {
        HolePunch message;
        try
        {
            message = HolePunch.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new DcutrProtocolException("malformed HolePunch: " + ex.Message, ex);
        }
        if (!message.HasType || message.Type is not (HolePunch.Types.Type.Connect or HolePunch.Types.Type.Sync))
        {
            throw new DcutrProtocolException($"HolePunch without a known type ({(message.HasType ? (int)message.Type : -1)})");
        }
        return message;
    }

    public static ValueTask WriteAsync(PipeWriter output, HolePunch message, CancellationToken cancellationToken) =>
        LengthPrefixed.WriteAsync(output, message.ToByteArray(), cancellationToken);

    /// <summary>A CONNECT carrying at most <see cref="MaxAddresses"/> of <paramref name="addresses"/>.</summary>
    public static HolePunch Connect(IEnumerable<Multiaddr> addresses)
    {
        var message = new HolePunch { Type = HolePunch.Types.Type.Connect };
        message.ObsAddrs.AddRange(addresses.Take(MaxAddresses).Select(static a => ByteString.CopyFrom(a.Bytes.Span)));
        return message;
    }

    public static HolePunch Sync() => new() { Type = HolePunch.Types.Type.Sync };

    /// <summary>The first <see cref="MaxAddresses"/> entries of <c>ObsAddrs</c> that decode as multiaddrs; the rest are ignored.</summary>
    public static IReadOnlyList<Multiaddr> Addresses(HolePunch message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = new List<Multiaddr>();
        foreach (ByteString bytes in message.ObsAddrs.Take(MaxAddresses))
        {
            if (Multiaddr.TryFromBytes(bytes.Span, out Multiaddr? address))
            {
                result.Add(address);
            }
        }
        return result;
    }
}

/// <summary>A peer broke a rule of DCUtR.md; its stream is reset and nothing else happens.</summary>
public sealed class DcutrProtocolException : ProtocolViolationException
{
    public DcutrProtocolException(string message) : base(message) { }

    public DcutrProtocolException(string message, Exception inner) : base(message, inner) { }
}
