using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// A point in the 256-bit Kademlia keyspace. kad-dht/README.md "Distance": the distance of two
/// keys is <c>XOR(sha256(key1), sha256(key2))</c>, so peers (by their peer-id multihash bytes)
/// and content keys (by their wire key bytes) are both hashed into this space first. Held as
/// four big-endian words so XOR, comparison and prefix length are a handful of instructions.
/// </summary>
public readonly struct KadKey : IEquatable<KadKey>, IComparable<KadKey>
{
    /// <summary>256 bits: the length of a SHA-256 digest.</summary>
    public const int Bits = 256;

    public const int Length = Bits / 8;

    private readonly ulong _w0, _w1, _w2, _w3;

    private KadKey(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
        _w3 = w3;
    }

    /// <summary>The key of a peer id or content key: SHA-256 of its bytes.</summary>
    public static KadKey Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Length];
        SHA256.HashData(data, digest);
        return FromDigest(digest);
    }

    /// <summary>A key given directly as 32 bytes (already a point in the keyspace).</summary>
    public static KadKey FromDigest(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != Length)
        {
            throw new ArgumentException($"a Kad key is {Length} bytes, not {digest.Length}", nameof(digest));
        }
        return new KadKey(
            BinaryPrimitives.ReadUInt64BigEndian(digest),
            BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>The XOR distance to <paramref name="other"/>, itself a key (compare it as an unsigned integer).</summary>
    public KadKey Distance(KadKey other) => new(_w0 ^ other._w0, _w1 ^ other._w1, _w2 ^ other._w2, _w3 ^ other._w3);

    /// <summary>
    /// Number of leading bits shared with <paramref name="other"/> (256 for equal keys). The
    /// routing table keeps bucket <c>L</c> for peers sharing exactly <c>L</c> bits with us
    /// (kad-dht/README.md "Kademlia routing table").
    /// </summary>
    public int CommonPrefixLength(KadKey other) => Distance(other).LeadingZeroBits();

    /// <summary>Negative when <paramref name="a"/> is closer to this key than <paramref name="b"/>.</summary>
    public int CompareDistance(KadKey a, KadKey b) => Distance(a).CompareTo(Distance(b));

    private int LeadingZeroBits()
    {
        if (_w0 != 0)
        {
            return BitOperations.LeadingZeroCount(_w0);
        }
        if (_w1 != 0)
        {
            return 64 + BitOperations.LeadingZeroCount(_w1);
        }
        if (_w2 != 0)
        {
            return 128 + BitOperations.LeadingZeroCount(_w2);
        }
        return 192 + BitOperations.LeadingZeroCount(_w3);
    }

    public int CompareTo(KadKey other)
    {
        int c = _w0.CompareTo(other._w0);
        if (c != 0)
        {
            return c;
        }
        c = _w1.CompareTo(other._w1);
        if (c != 0)
        {
            return c;
        }
        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    public bool Equals(KadKey other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is KadKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    public override string ToString() => Convert.ToHexStringLower(ToBytes());

    public static bool operator ==(KadKey left, KadKey right) => left.Equals(right);

    public static bool operator !=(KadKey left, KadKey right) => !left.Equals(right);

    public static bool operator <(KadKey left, KadKey right) => left.CompareTo(right) < 0;

    public static bool operator >(KadKey left, KadKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(KadKey left, KadKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(KadKey left, KadKey right) => left.CompareTo(right) >= 0;
}
