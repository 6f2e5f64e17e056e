using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;

namespace Nnrp.Core.Notifications;

/// <summary>
/// A notification's content hash: its identity, GossipSub message id and PoW root (§3.2).
/// </summary>
public readonly struct NotificationHash : IEquatable<NotificationHash>, IComparable<NotificationHash>
{
    /// <summary>BLAKE2b-256: 32 bytes.</summary>
    public const int Size = 32;

    private readonly Bytes32 _bytes;

    private NotificationHash(Bytes32 bytes) => _bytes = bytes;

    /// <summary>Wraps 32 hash bytes.</summary>
    public static NotificationHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new NnrpFormatException($"a content hash is {Size} bytes, not {bytes.Length}");
        }
        return new NotificationHash(new Bytes32(bytes));
    }

    /// <summary>Parses 64 hex digits.</summary>
    public static NotificationHash Parse(ReadOnlySpan<char> hex)
    {
        Span<byte> bytes = stackalloc byte[Size];
        if (!Hex.TryDecode(hex, bytes))
        {
            throw new NnrpFormatException("a content hash is 64 hex digits");
        }
        return new NotificationHash(new Bytes32(bytes));
    }

    /// <summary>Writes the 32 bytes.</summary>
    public void CopyTo(Span<byte> destination) => _bytes.CopyTo(destination);

    /// <summary>The 32 bytes as a new array.</summary>
    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>The <c>nr_</c> relay address.</summary>
    public string ToRelayAddress() => RelayAddress.Encode(this);

    public bool Equals(NotificationHash other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is NotificationHash other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public int CompareTo(NotificationHash other) => _bytes.CompareTo(other._bytes);

    /// <summary>64 lowercase hex digits.</summary>
    public override string ToString() => _bytes.ToString();

    public static bool operator ==(NotificationHash left, NotificationHash right) => left.Equals(right);

    public static bool operator !=(NotificationHash left, NotificationHash right) => !left.Equals(right);

    public static bool operator <(NotificationHash left, NotificationHash right) => left.CompareTo(right) < 0;

    public static bool operator >(NotificationHash left, NotificationHash right) => left.CompareTo(right) > 0;

    public static bool operator <=(NotificationHash left, NotificationHash right) => left.CompareTo(right) <= 0;

    public static bool operator >=(NotificationHash left, NotificationHash right) => left.CompareTo(right) >= 0;
}
