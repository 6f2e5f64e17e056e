using System.Buffers.Binary;
using System.Security.Cryptography;
using Nnrp.Core.Notifications;

namespace Nnrp.Protocol.Sync;

/// <summary>
/// §11.8.2: the fingerprint of the ids in a range,
/// <code>
///   fingerprint = SHA-256( id_1 ‖ id_2 ‖ … ‖ id_n ‖ n:u64 BE )[0..16]      ids ascending
/// </code>
/// A hash over the ordered list rather than Negentropy's sum of ids mod 2^256: both sides
/// walk the range in the store anyway, so the additive form would buy no speed here, and a
/// sum is open to generalised-birthday forgeries (many chosen ids that cancel), a hash is not.
/// </summary>
public readonly record struct Fingerprint(UInt128 Value)
{
    public static Fingerprint FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != SyncLimits.FingerprintSize)
        {
            throw new SyncProtocolException($"a fingerprint is {SyncLimits.FingerprintSize} bytes, not {bytes.Length}");
        }
        return new Fingerprint(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    public byte[] ToArray()
    {
        var bytes = new byte[SyncLimits.FingerprintSize];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, Value);
        return bytes;
    }

    /// <summary>The fingerprint of <paramref name="ids"/> (ascending).</summary>
    public static Fingerprint Of(IEnumerable<NotificationHash> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var builder = new FingerprintBuilder();
        foreach (NotificationHash id in ids)
        {
            builder.Add(id);
        }
        return builder.Finish();
    }

    public override string ToString() => Convert.ToHexStringLower(ToArray());
}

/// <summary>Streams ids into a <see cref="Fingerprint"/> without holding them.</summary>
public sealed class FingerprintBuilder : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Count { get; private set; }

    public void Add(NotificationHash id)
    {
        Span<byte> bytes = stackalloc byte[NotificationHash.Size];
        id.CopyTo(bytes);
        _sha.AppendData(bytes);
        Count++;
    }

    /// <summary>The fingerprint of what was added; the builder starts over empty.</summary>
    public Fingerprint Finish()
    {
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(tail, (ulong)Count);
        _sha.AppendData(tail);
        Span<byte> digest = stackalloc byte[32];
        _sha.GetHashAndReset(digest);
        Count = 0;
        return new Fingerprint(BinaryPrimitives.ReadUInt128BigEndian(digest));
    }

    public void Dispose() => _sha.Dispose();
}
