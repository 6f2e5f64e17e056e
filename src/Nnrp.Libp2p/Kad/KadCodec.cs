using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Kad.Protobuf;
using WirePeer = Nnrp.Libp2p.Kad.Protobuf.Message.Types.Peer;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// Kad-DHT messages on the wire (kad-dht/README.md "RPC messages"): each one is
/// <code>
///   ┌──────────────────────┬──────────────────────────────────────┐
///   │ uvarint length       │ Message protobuf (length bytes)      │
///   └──────────────────────┴──────────────────────────────────────┘
/// </code>
/// Everything a stranger sends is bounded here before the DHT acts on it.
/// </summary>
internal static class KadCodec
{
    /// <summary>
    /// Largest message read or written. rust-libp2p's DEFAULT_MAX_PACKET_SIZE is 16 KiB; k = 20
    /// peers with a handful of addresses each take about 4 KiB.
    /// </summary>
    public const int MaxMessageSize = 16 * 1024;

    /// <summary>
    /// Longest key. Keys are CID multihashes (34 bytes for sha2-256), peer ids (≤ 44) or
    /// namespaced record keys; nothing legitimate comes near this.
    /// </summary>
    public const int MaxKeyLength = 256;

    /// <summary>Entries per peer list; an honest answer carries k = 20 closer peers.</summary>
    public const int MaxPeersPerList = 64;

    /// <summary>Addresses kept per peer entry (the host's PeerStore keeps 32 too); the rest are dropped.</summary>
    public const int MaxAddressesPerPeer = 32;

    public static Message Parse(ReadOnlySequence<byte> bytes)
    {
        Message message;
        try
        {
            message = Message.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new KadProtocolException("Kad message is not valid protobuf: " + ex.Message);
        }
        if (!Enum.IsDefined(message.Type))
        {
            Throw($"unknown Kad message type {(int)message.Type}");
        }
        if (message.Key.Length > MaxKeyLength)
        {
            Throw($"Kad key of {message.Key.Length} bytes exceeds {MaxKeyLength}");
        }
        if (message.CloserPeers.Count > MaxPeersPerList || message.ProviderPeers.Count > MaxPeersPerList)
        {
            Throw($"Kad message lists {Math.Max(message.CloserPeers.Count, message.ProviderPeers.Count)} peers, more than {MaxPeersPerList}");
        }
        return message;
    }

    /// <summary>
    /// Reads a peer list. A malformed peer id is a protocol violation; addresses that do not
    /// parse, or fail <paramref name="isUsable"/>, are dropped (the peer may still be found by id).
    /// </summary>
    public static List<KadPeer> ReadPeers(RepeatedField<WirePeer> peers, Func<Multiaddr, bool> isUsable)
    {
        var result = new List<KadPeer>(peers.Count);
        foreach (WirePeer peer in peers)
        {
            result.Add(ReadPeer(peer, isUsable, out _));
        }
        return result;
    }

    /// <summary>Reads one entry; <paramref name="dropped"/> counts addresses that were garbage or unusable.</summary>
    public static KadPeer ReadPeer(WirePeer peer, Func<Multiaddr, bool> isUsable, out int dropped)
    {
        if (PeerIdText.Validate(peer.Id.Span) is { } error)
        {
            Throw("Kad peer entry has an invalid id: " + error);
        }
        dropped = 0;
        var addresses = new List<Multiaddr>(Math.Min(peer.Addrs.Count, MaxAddressesPerPeer));
        foreach (ByteString bytes in peer.Addrs)
        {
            if (addresses.Count < MaxAddressesPerPeer
                && Multiaddr.TryFromBytes(bytes.Span, out Multiaddr? address)
                && isUsable(address))
            {
                addresses.Add(address.WithoutPeerId());
            }
            else
            {
                dropped++;
            }
        }
        return new KadPeer(peer.Id.Span, addresses);
    }

    public static WirePeer ToWire(KadPeer peer, Message.Types.ConnectionType connection = Message.Types.ConnectionType.NotConnected)
    {
        var wire = new WirePeer { Id = ByteString.CopyFrom(peer.Id.Span), Connection = connection };
        foreach (Multiaddr address in peer.Addresses.Take(MaxAddressesPerPeer))
        {
            wire.Addrs.Add(ByteString.CopyFrom(address.Bytes.Span));
        }
        return wire;
    }

    /// <summary>Writes prefix and message straight into the pipe's buffer; the caller flushes.</summary>
    public static void Write(PipeWriter output, Message message)
    {
        int size = message.CalculateSize();
        if (size > MaxMessageSize)
        {
            throw new InvalidOperationException($"Kad message of {size} bytes exceeds {MaxMessageSize}");
        }
        Varint.Write(output, (ulong)size);
        message.WriteTo(output);
    }

    public static async ValueTask WriteAsync(PipeWriter output, Message message, CancellationToken cancellationToken)
    {
        Write(output, message);
        FlushResult flush = await output.FlushAsync(cancellationToken);
        if (flush.IsCompleted)
        {
            throw new IOException("the peer stopped reading");
        }
    }

    /// <summary>Reads one message; null when the peer closed the stream cleanly between messages.</summary>
    public static async ValueTask<Message?> ReadAsync(PipeReader input, int maxSize, CancellationToken cancellationToken)
    {
        var (message, _) = await LengthPrefixed.ReadAsync(input, maxSize, Parse, cancellationToken);
        return message;
    }

    [DoesNotReturn]
    private static void Throw(string message) => throw new KadProtocolException(message);
}
