using System.Buffers.Binary;

namespace Nnrp.Core.Keys;

/// <summary>
/// 32 bytes held as four big-endian words, so that equality is four compares, ordering is
/// byte-lexicographic and the top bits (shards, prefixes) are a shift of the first word.
/// </summary>
internal readonly struct Bytes32 : IEquatable<Bytes32>, IComparable<Bytes32>
{
    public const int Size = 32;

    private readonly ulong _w0, _w1, _w2, _w3;

    public Bytes32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new NnrpFormatException($"expected {Size} bytes, got {bytes.Length}");
        }
        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    public ulong FirstWord => _w0;

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    public bool Equals(Bytes32 other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is Bytes32 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w3);

    public int CompareTo(Bytes32 other)
    {
        int c = _w0.CompareTo(other._w0);
        if (c == 0) { c = _w1.CompareTo(other._w1); }
        if (c == 0) { c = _w2.CompareTo(other._w2); }
        if (c == 0) { c = _w3.CompareTo(other._w3); }
        return c;
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Codecs.Hex.Encode(bytes);
    }
}
