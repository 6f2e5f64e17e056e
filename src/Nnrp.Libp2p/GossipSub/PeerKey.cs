namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// A remote peer as the router knows it: its peer id multihash bytes, the form PX carries on
/// the wire (gossipsub-v1.1.md "PeerInfo"). Compared by content.
/// </summary>
public sealed class PeerKey : IEquatable<PeerKey>
{
    private readonly byte[] _bytes;
    private readonly int _hash;

    public PeerKey(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes.ToArray();
        var hash = new HashCode();
        hash.AddBytes(bytes);
        _hash = hash.ToHashCode();
    }

    public ReadOnlyMemory<byte> Bytes => _bytes;

    public bool Equals(PeerKey? other) => other is not null && other._bytes.AsSpan().SequenceEqual(_bytes);

    public override bool Equals(object? obj) => Equals(obj as PeerKey);

    public override int GetHashCode() => _hash;

    public override string ToString() => Convert.ToHexStringLower(_bytes);
}
