namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// A message id as the configured id function made it (pubsub/README.md "Message
/// Identification"). Compared by content; the hash is computed once because ids key every
/// cache on the hot path.
/// </summary>
public readonly struct MessageId : IEquatable<MessageId>
{
    private readonly byte[] _bytes;
    private readonly int _hash;

    public MessageId(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
        var hash = new HashCode();
        hash.AddBytes(bytes);
        _hash = hash.ToHashCode();
    }

    public ReadOnlyMemory<byte> Bytes => _bytes ?? [];

    internal byte[] Array => _bytes ?? [];

    public bool Equals(MessageId other) => Array.AsSpan().SequenceEqual(other.Array);

    public override bool Equals(object? obj) => obj is MessageId other && Equals(other);

    public override int GetHashCode() => _hash;

    public static bool operator ==(MessageId left, MessageId right) => left.Equals(right);

    public static bool operator !=(MessageId left, MessageId right) => !left.Equals(right);

    public override string ToString() => Convert.ToHexStringLower(Array);
}
