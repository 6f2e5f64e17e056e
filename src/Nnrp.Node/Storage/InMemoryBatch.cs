using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Node.Storage;

/// <summary>
/// What one write of <see cref="InMemoryNotificationStore"/> adds and deletes, decided against
/// the indexes as they are and applied in one step (the in-memory WriteBatch).
/// </summary>
internal sealed class InMemoryBatch(InMemoryIndexes indexes)
{
    private readonly Dictionary<NotificationHash, StoredEntry> _deleted = [];
    private readonly List<InMemoryIndexes.Item> _added = [];
    private readonly Dictionary<RecipientTag, int> _tagDeltas = [];

    public long BytesDelta { get; private set; }

    public int Deleted => _deleted.Count;

    public bool HasChanges => _added.Count > 0 || _deleted.Count > 0;

    public bool IsDeleted(NotificationHash hash) => _deleted.ContainsKey(hash);

    /// <summary>The tag's count once this batch is applied.</summary>
    public int TagCount(RecipientTag tag) => indexes.TagCount(tag) + _tagDeltas.GetValueOrDefault(tag);

    public void Add(InMemoryIndexes.Item item)
    {
        _added.Add(item);
        _tagDeltas[item.Entry.Tag] = _tagDeltas.GetValueOrDefault(item.Entry.Tag) + 1;
        BytesDelta += item.Entry.Size;
    }

    public void Delete(StoredEntry e)
    {
        if (_deleted.TryAdd(e.Hash, e))
        {
            _tagDeltas[e.Tag] = _tagDeltas.GetValueOrDefault(e.Tag) - 1;
            BytesDelta -= e.Size;
        }
    }

    public void Apply()
    {
        foreach (StoredEntry e in _deleted.Values)
        {
            indexes.Remove(e);
        }
        foreach (InMemoryIndexes.Item item in _added)
        {
            indexes.Add(item);
        }
    }
}
