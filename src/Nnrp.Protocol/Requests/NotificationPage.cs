using Nnrp.Core.Notifications;

namespace Nnrp.Protocol.Requests;

/// <summary>
/// One page of a fetch (NNRP.md §11.5): notifications ordered by (timestamp, hash) and the
/// opaque cursor of the next page, empty when there is none. A page may hold fewer than the
/// limit while a cursor is present (the node bounds the work of one page).
/// </summary>
public sealed record NotificationPage(IReadOnlyList<Notification> Notifications, ReadOnlyMemory<byte> NextCursor)
{
    public static NotificationPage Empty { get; } = new([], ReadOnlyMemory<byte>.Empty);

    /// <summary>True when another page may follow.</summary>
    public bool HasMore => !NextCursor.IsEmpty;
}
