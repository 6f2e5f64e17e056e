using Nnrp.Core;
using Nnrp.Core.Notifications;

namespace Nnrp.Node.Storage;

/// <summary>
/// The opaque cursor of NNRP.md §11.5 as this node writes it: the position of the last entry a
/// page examined; the next page starts strictly after it.
/// <code>
///   kind:1 (= 1) ‖ timestamp:u64 BE ‖ hash:32          41 bytes ≤ FetchQuery.MaxCursorSize
/// </code>
/// </summary>
internal readonly record struct FetchCursor(ulong Timestamp, NotificationHash Hash)
{
    private const byte Kind = 1;

    public const int Size = 1 + 8 + NotificationHash.Size;

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        bytes[0] = Kind;
        StoreSchema.WriteTimeHash(bytes.AsSpan(1), Timestamp, Hash);
        return bytes;
    }

    /// <summary>Null for the first page.</summary>
    /// <exception cref="NnrpFormatException">the bytes are not a cursor of this node.</exception>
    public static FetchCursor? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return null;
        }
        if (bytes.Length != Size || bytes[0] != Kind)
        {
            throw new NnrpFormatException("the cursor was not issued by this node (copy next_cursor unchanged)");
        }
        return new FetchCursor(StoreSchema.ReadTime(bytes[1..]), StoreSchema.ReadHash(bytes[1..]));
    }
}
