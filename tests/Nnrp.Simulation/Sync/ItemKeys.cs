using System.Buffers.Binary;
using Nnrp.Core.Notifications;
using Nnrp.Protocol.Sync;

namespace Nnrp.Simulation.Sync;

/// <summary>
/// A published notification's place in the sync order (§11.8.1): its timestamp (the publish
/// time on the virtual clock, Unix seconds) and a content hash that carries the arrival index,
/// so a key found in a set says which notification (and tag) it is without a lookup table.
/// </summary>
internal static class ItemKeys
{
    public static TimeKey Of(int index, DateTimeOffset published)
    {
        Span<byte> hash = stackalloc byte[NotificationHash.Size];
        hash.Clear();
        // Spread like a real hash in the first 8 bytes (ids sort by hash), the index after them.
        BinaryPrimitives.WriteUInt64BigEndian(hash, Mix((ulong)index));
        BinaryPrimitives.WriteInt32BigEndian(hash[8..], index);
        return new TimeKey((ulong)published.ToUnixTimeSeconds(), NotificationHash.FromBytes(hash));
    }

    public static int IndexOf(NotificationHash hash)
    {
        Span<byte> bytes = stackalloc byte[NotificationHash.Size];
        hash.CopyTo(bytes);
        return BinaryPrimitives.ReadInt32BigEndian(bytes[8..]);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
