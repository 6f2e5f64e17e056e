using System.Buffers;
using Google.Protobuf;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identify.Protobuf;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Identify;

/// <summary>
/// Builds and checks identify messages (libp2p/specs identify/README.md). Everything in an
/// identify answer is the peer's own claim, so each field is bounded and checked before the
/// host believes it.
/// </summary>
internal static class IdentifyCodec
{
    /// <summary>
    /// One varint-prefixed message. js-libp2p caps it at 8 KiB, go-libp2p at 4 KiB per part
    /// with a signed record; we accept up to this much in all.
    /// </summary>
    public const int MaxMessageSize = 64 * 1024;

    /// <summary>go-libp2p may split one answer into several messages that the reader merges.</summary>
    public const int MaxMessagesPerStream = 8;

    public const int MaxProtocols = 128;

    public const int MaxProtocolIdLength = 256;

    public const int MaxListenAddresses = 32;

    public const int MaxAgentVersionLength = 256;

    public static Protobuf.Identify Build(
        PublicKey publicKey,
        IEnumerable<string> protocols,
        IEnumerable<Multiaddr> listenAddresses,
        Multiaddr? observed,
        string agentVersion,
        string protocolVersion)
    {
        var message = new Protobuf.Identify
        {
            PublicKey = ByteString.CopyFrom(publicKey.ToProtobuf()),
            AgentVersion = agentVersion,
            ProtocolVersion = protocolVersion,
        };
        message.Protocols.AddRange(protocols.Order(StringComparer.Ordinal));
        message.ListenAddrs.AddRange(listenAddresses.Take(MaxListenAddresses).Select(static a => ByteString.CopyFrom(a.ToBytes())));
        if (observed is not null)
        {
            message.ObservedAddr = ByteString.CopyFrom(observed.ToBytes());
        }
        return message;
    }

    public static Protobuf.Identify Parse(ReadOnlySequence<byte> bytes)
    {
        try
        {
            return Protobuf.Identify.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new IdentifyException("identify message is not valid protobuf: " + ex.Message, ex);
        }
    }

    /// <summary>
    /// Checks a (merged) message against the connection it came on and turns it into a
    /// result. A public key that does not match the authenticated peer id is an attack or a
    /// bug; either way the whole answer is refused. Unparseable addresses are dropped.
    /// </summary>
    public static IdentifyResult Validate(Protobuf.Identify message, PeerId remote)
    {
        if (message.HasPublicKey)
        {
            PublicKey claimed;
            try
            {
                claimed = PublicKey.FromProtobuf(message.PublicKey.Span);
            }
            catch (ProtocolViolationException ex)
            {
                throw new IdentifyException("identify public key is malformed: " + ex.Message, ex);
            }
            if (!remote.Matches(claimed))
            {
                throw new IdentifyException($"identify public key does not belong to {remote}");
            }
        }
        if (message.Protocols.Count > MaxProtocols)
        {
            throw new IdentifyException($"identify lists {message.Protocols.Count} protocols (limit {MaxProtocols})");
        }
        string[] protocols = message.Protocols
            .Where(static p => p.Length is > 0 and <= MaxProtocolIdLength)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var listen = new List<Multiaddr>();
        foreach (ByteString raw in message.ListenAddrs.Take(MaxListenAddresses))
        {
            if (Multiaddr.TryFromBytes(raw.Span, out Multiaddr? address) && address is not null)
            {
                listen.Add(address);
            }
        }
        Multiaddr? observed = null;
        if (message.HasObservedAddr && Multiaddr.TryFromBytes(message.ObservedAddr.Span, out Multiaddr? o))
        {
            observed = o;
        }
        return new IdentifyResult(
            remote,
            message.HasAgentVersion ? Truncate(message.AgentVersion) : null,
            message.HasProtocolVersion ? Truncate(message.ProtocolVersion) : null,
            protocols,
            listen,
            observed);
    }

    private static string Truncate(string text) => text.Length <= MaxAgentVersionLength ? text : text[..MaxAgentVersionLength];
}

/// <summary>A peer's identify answer could not be used.</summary>
public sealed class IdentifyException : ProtocolViolationException
{
    public IdentifyException(string message) : base(message) { }

    public IdentifyException(string message, Exception inner) : base(message, inner) { }
}
