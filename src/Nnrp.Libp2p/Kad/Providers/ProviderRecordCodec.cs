using System.Buffers.Binary;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>
/// Stored form of a provider record in the <c>providers</c> column family:
/// <code>
///   key   = SHA-256(wire key) (32) ‖ provider peer-id multihash
///   value = expires_at: u64 BE, unix ms ‖ uvarint n ‖ n × (uvarint len ‖ binary multiaddr)
/// </code>
/// The fixed 32-byte prefix makes "all providers of a key" one prefix scan.
/// </summary>
public static class ProviderRecordCodec
{
    public const int PrefixLength = KadKey.Length;

    public static byte[] Prefix(ReadOnlySpan<byte> wireKey) => KadKey.Hash(wireKey).ToBytes();

    public static byte[] RowKey(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> providerId)
    {
        var row = new byte[PrefixLength + providerId.Length];
        prefix.CopyTo(row);
        providerId.CopyTo(row.AsSpan(PrefixLength));
        return row;
    }

    /// <summary>Bytes a record occupies as stored (row key and value): what the disk budget counts.</summary>
    public static int StoredSize(KadPeer provider) => PrefixLength + provider.Id.Length + ValueSize(provider);

    private static int ValueSize(KadPeer provider)
    {
        int size = 8 + Varint.SizeOf((ulong)provider.Addresses.Count);
        foreach (Multiaddr address in provider.Addresses)
        {
            size += Varint.SizeOf((ulong)address.Bytes.Length) + address.Bytes.Length;
        }
        return size;
    }

    public static byte[] EncodeValue(KadPeer provider, DateTimeOffset expiresAt)
    {
        var value = new byte[ValueSize(provider)];
        BinaryPrimitives.WriteInt64BigEndian(value, expiresAt.ToUnixTimeMilliseconds());
        int o = 8;
        o += Varint.Write(value.AsSpan(o), (ulong)provider.Addresses.Count);
        foreach (Multiaddr address in provider.Addresses)
        {
            o += Varint.Write(value.AsSpan(o), (ulong)address.Bytes.Length);
            address.Bytes.Span.CopyTo(value.AsSpan(o));
            o += address.Bytes.Length;
        }
        return value;
    }

    public static DateTimeOffset ReadExpiry(ReadOnlySpan<byte> value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(value));

    /// <summary>Decodes a row; null if it is damaged (such a row is skipped and swept, never fatal).</summary>
    public static ProviderRecord? Decode(ReadOnlySpan<byte> rowKey, ReadOnlySpan<byte> value)
    {
        try
        {
            if (rowKey.Length <= PrefixLength || value.Length < 8)
            {
                return null;
            }
            DateTimeOffset expires = ReadExpiry(value);
            ReadOnlySpan<byte> rest = value[8..];
            if (!Varint.TryRead(rest, out ulong count, out int n) || count > KadCodec.MaxAddressesPerPeer)
            {
                return null;
            }
            rest = rest[n..];
            var addresses = new List<Multiaddr>((int)count);
            for (ulong i = 0; i < count; i++)
            {
                if (!Varint.TryRead(rest, out ulong length, out n) || (ulong)(rest.Length - n) < length)
                {
                    return null;
                }
                if (Multiaddr.TryFromBytes(rest.Slice(n, (int)length), out Multiaddr? address))
                {
                    addresses.Add(address);
                }
                rest = rest[(n + (int)length)..];
            }
            return new ProviderRecord(new KadPeer(rowKey[PrefixLength..], addresses), expires);
        }
        catch (ProtocolViolationException)
        {
            return null;
        }
    }
}
