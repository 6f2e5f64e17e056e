using Nnrp.Core.Codecs;
using Nnrp.Core.Hashing;

namespace Nnrp.Core.Keys;

/// <summary>
/// The 32-byte mailbox id a notification is addressed to (NNRP.md §4):
/// <code>recipient_tag = BLAKE2b-256("nnrp-tag-v1" ‖ notification_public_key)</code>
/// Relays see only the tag, never the key; a wallet computes it from its own key.
/// </summary>
public readonly struct RecipientTag : IEquatable<RecipientTag>, IComparable<RecipientTag>
{
    /// <summary>Tags are 32 bytes.</summary>
    public const int Size = 32;

    /// <summary>Domain separator hashed before the key.</summary>
    public static ReadOnlySpan<byte> Domain => "nnrp-tag-v1"u8;

    private readonly Bytes32 _bytes;

    private RecipientTag(Bytes32 bytes) => _bytes = bytes;

    /// <summary>Wraps 32 tag bytes.</summary>
    public static RecipientTag FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new NnrpFormatException($"a recipient tag is {Size} bytes, not {bytes.Length}");
        }
        return new RecipientTag(new Bytes32(bytes));
    }

    /// <summary>The tag of an X25519 notification public key (32 bytes).</summary>
    public static RecipientTag FromNotificationKey(ReadOnlySpan<byte> notificationPublicKey)
    {
        if (notificationPublicKey.Length != NotificationKeys.KeySize)
        {
            throw new NnrpFormatException($"a notification key is {NotificationKeys.KeySize} bytes, not {notificationPublicKey.Length}");
        }
        var hash = default(Blake2b);
        hash.Init(Size);
        hash.Update(Domain);
        hash.Update(notificationPublicKey);
        Span<byte> tag = stackalloc byte[Size];
        hash.Final(tag);
        return new RecipientTag(new Bytes32(tag));
    }

    /// <summary>Parses 64 hex digits.</summary>
    public static RecipientTag Parse(ReadOnlySpan<char> hex)
    {
        Span<byte> bytes = stackalloc byte[Size];
        if (!Hex.TryDecode(hex, bytes))
        {
            throw new NnrpFormatException("a recipient tag is 64 hex digits");
        }
        return new RecipientTag(new Bytes32(bytes));
    }

    /// <summary>The tag's top <paramref name="bits"/> bits (0–32) as a shard index; see <see cref="Shards"/>.</summary>
    public uint ShardIndex(int bits) => Shards.IndexOf(_bytes.FirstWord, bits);

    /// <summary>Writes the 32 bytes.</summary>
    public void CopyTo(Span<byte> destination) => _bytes.CopyTo(destination);

    /// <summary>The 32 bytes as a new array.</summary>
    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>True when the top <paramref name="bits"/> bits equal those of <paramref name="prefix"/> (bytes, MSB first).</summary>
    public bool HasPrefix(ReadOnlySpan<byte> prefix, int bits)
    {
        Span<byte> bytes = stackalloc byte[Size];
        _bytes.CopyTo(bytes);
        return Shards.PrefixMatches(bytes, prefix, bits);
    }

    public bool Equals(RecipientTag other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is RecipientTag other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public int CompareTo(RecipientTag other) => _bytes.CompareTo(other._bytes);

    /// <summary>64 lowercase hex digits.</summary>
    public override string ToString() => _bytes.ToString();

    public static bool operator ==(RecipientTag left, RecipientTag right) => left.Equals(right);

    public static bool operator !=(RecipientTag left, RecipientTag right) => !left.Equals(right);

    public static bool operator <(RecipientTag left, RecipientTag right) => left.CompareTo(right) < 0;

    public static bool operator >(RecipientTag left, RecipientTag right) => left.CompareTo(right) > 0;

    public static bool operator <=(RecipientTag left, RecipientTag right) => left.CompareTo(right) <= 0;

    public static bool operator >=(RecipientTag left, RecipientTag right) => left.CompareTo(right) >= 0;
}
