using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// A peer as the DHT sees it: its peer-id multihash bytes (the <c>id</c> of a wire
/// <c>Message.Peer</c>), its point in the keyspace, and the addresses it was last reported at.
/// Two entries are the same peer when their ids are equal (keys are SHA-256 of the ids).
/// </summary>
public sealed class KadPeer : IEquatable<KadPeer>
{
    private readonly byte[] _id;
    private string? _text;

    public KadPeer(ReadOnlySpan<byte> id, IReadOnlyList<Multiaddr> addresses)
    {
        if (PeerIdText.Validate(id) is { } error)
        {
            throw new KadProtocolException("not a peer id: " + error);
        }
        _id = id.ToArray();
        Key = KadKey.Hash(id);
        Addresses = addresses;
    }

    /// <summary>Peer-id multihash bytes.</summary>
    public ReadOnlyMemory<byte> Id => _id;

    public KadKey Key { get; }

    public IReadOnlyList<Multiaddr> Addresses { get; }

    /// <summary>The same peer, reported at other addresses.</summary>
    public KadPeer WithAddresses(IReadOnlyList<Multiaddr> addresses) => new(_id, addresses);

    public bool Equals(KadPeer? other) => other is not null && Key == other.Key && _id.AsSpan().SequenceEqual(other._id);

    public override bool Equals(object? obj) => Equals(obj as KadPeer);

    public override int GetHashCode() => Key.GetHashCode();

    /// <summary>base58btc, as peer ids are printed everywhere else.</summary>
    public override string ToString() => _text ??= Base58.Encode(_id);
}
