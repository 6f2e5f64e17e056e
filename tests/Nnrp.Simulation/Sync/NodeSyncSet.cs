using Nnrp.Node.Shards;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;

namespace Nnrp.Simulation.Sync;

/// <summary>
/// What one simulated node stores of the run, as the production sync code reads a store
/// (<see cref="ISyncSet"/>): every notification it took during the measured window, ordered by
/// (timestamp, hash), and per shard the items whose tags the shard covers (§11.8.8). The 90-day
/// backlog before the window is not itemised (docs/SCALE.md "Real sync": its cost per session is
/// measured once on the real state machine, <see cref="ConvergedHistory"/>).
/// </summary>
internal sealed class NodeSyncSet(Func<int, ushort> top16Of) : ISyncSet
{
    private readonly List<TimeKey> _items = [];

    public int Count => _items.Count;

    /// <summary>Adds a stored notification (they arrive almost in time order: the search is short).</summary>
    public void Add(TimeKey key)
    {
        int i = _items.BinarySearch(key);
        if (i < 0)
        {
            _items.Insert(~i, key);
        }
    }

    public IEnumerable<TimeKey> Range(TimeKey lower, TimeKey upper, int max = int.MaxValue) => Range(lower, upper, max, null);

    public ISyncSet ForShard(ShardId shard) => shard.Bits == 0 ? this : new ShardView(this, shard);

    private IEnumerable<TimeKey> Range(TimeKey lower, TimeKey upper, int max, ShardId? shard)
    {
        int i = _items.BinarySearch(lower);
        for (i = i < 0 ? ~i : i; i < _items.Count && _items[i] < upper && max > 0; i++)
        {
            TimeKey key = _items[i];
            if (shard is { } s && !s.Covers(top16Of(ItemKeys.IndexOf(key.Hash))))
            {
                continue;
            }
            max--;
            yield return key;
        }
    }

    /// <summary>The items of one shard (a node stores only its shards, so little is skipped).</summary>
    private sealed class ShardView(NodeSyncSet set, ShardId shard) : ISyncSet
    {
        public IEnumerable<TimeKey> Range(TimeKey lower, TimeKey upper, int max = int.MaxValue) => set.Range(lower, upper, max, shard);

        public ISyncSet ForShard(ShardId other) => other == shard ? this : set.ForShard(other);
    }
}
