namespace Nnrp.Node.Shards;

/// <summary>
/// What a node holds and provides, and the moves between depths (NNRP.md §8.1, §8.2, §8.5), as
/// a state machine without I/O: the node feeds it estimates and replica counts and applies what
/// changed (<see cref="Held"/> to ingress, gossip and sync; <see cref="Provided"/> to the DHT).
/// <code>
///   settled at b ──plan b+1──► deepening: held {(b,i)}, provided {(b,i), (b+1,h)}
///        ▲                        └─ sibling has ≥ 3 verified providers ─► settled at b+1, sibling's items dropped
///        └──── caught up ──── shallower: held {(b−1,p)}, provided {(b,i)} ◄── plan b−1
/// </code>
/// Thread-safe: every read sees one consistent state.
/// </summary>
public sealed class ShardResponsibility
{
    /// <summary>§8.5: verified providers the sibling needs before a deepening node drops it.</summary>
    public const int SafeProviders = 3;

    /// <summary>§8.6: repair shards a node takes up at most.</summary>
    public const int MaxRepairShards = 4;

    /// <summary>§8.6: a repair shard is given back once this many verified providers besides the node hold it.</summary>
    public const int ReleaseAtProviders = 5;

    private readonly Lock _lock = new();
    private readonly byte[] _peerId;
    private State _state;

    /// <param name="setting">auto, full or a fixed list (§8.1).</param>
    /// <param name="peerId">the node's peer id bytes, for home placement.</param>
    /// <param name="depth">auto: the depth to start at (the one last reached, §8.5).</param>
    public ShardResponsibility(ShardSetting setting, ReadOnlySpan<byte> peerId, int depth = 0)
    {
        ArgumentNullException.ThrowIfNull(setting);
        Setting = setting;
        _peerId = peerId.ToArray();
        ShardSet held = setting.Fixed ?? new ShardSet([ShardId.Home(_peerId, depth)]);
        _state = new State(held, held, setting.IsAuto ? depth : held.ShallowestBits, Move.None, null, []);
    }

    public ShardSetting Setting { get; }

    /// <summary>S: what the node stores, accepts, gossips and syncs (§8.3).</summary>
    public ShardSet Held => Read().Held;

    /// <summary>The shards whose DHT keys the node provides (§8.3, §8.5: differs from <see cref="Held"/> during a move).</summary>
    public ShardSet Provided => Read().Provided;

    /// <summary>The home depth (auto) or the shallowest fixed depth.</summary>
    public int Depth => Read().Depth;

    /// <summary>A move in progress, if any.</summary>
    public Move Moving => Read().Moving;

    /// <summary>While deepening: the sibling that must reach <see cref="SafeProviders"/> before it is dropped.</summary>
    public ShardId? Sibling => Read().Moving == Move.Deepening ? Read().Other : null;

    /// <summary>While going shallower: the half to catch up on before the parent is provided.</summary>
    public ShardId? NewHalf => Read().Moving == Move.Shallower ? Read().Other : null;

    /// <summary>§8.6: the shards taken up for repair (also in <see cref="Held"/>).</summary>
    public IReadOnlyList<ShardId> Repairs => Read().Repairs;

    /// <summary>
    /// §8.6: takes up <paramref name="shard"/> (auto only, no move in progress, fewer than
    /// <see cref="MaxRepairShards"/>, not overlapping what is held). It is held at once and
    /// provided once <see cref="RepairSynced"/> says it caught up.
    /// </summary>
    public bool TakeUp(ShardId shard)
    {
        lock (_lock)
        {
            State s = _state;
            if (!Setting.IsAuto || s.Moving != Move.None || s.Repairs.Count >= MaxRepairShards || s.Held.Shards.Any(h => h.Overlaps(shard)))
            {
                return false;
            }
            _state = s with { Held = new ShardSet([.. s.Held.Shards, shard]), Repairs = [.. s.Repairs, shard] };
        }
        Changed?.Invoke(this);
        return true;
    }

    /// <summary>§8.6: a session over a repair shard completed; it is provided from now on.</summary>
    public bool RepairSynced(ShardId shard)
    {
        lock (_lock)
        {
            State s = _state;
            if (!s.Repairs.Contains(shard) || s.Provided.Shards.Contains(shard))
            {
                return false;
            }
            _state = s with { Provided = ShardSet.Exactly([.. s.Provided.Shards, shard]) };
        }
        Changed?.Invoke(this);
        return true;
    }

    /// <summary>§8.6: gives a repair shard back (its items are to be deleted).</summary>
    public bool Release(ShardId shard)
    {
        lock (_lock)
        {
            State s = _state;
            if (!s.Repairs.Contains(shard))
            {
                return false;
            }
            _state = s with
            {
                Held = new ShardSet(s.Held.Shards.Where(h => h != shard)),
                Provided = ShardSet.Exactly(s.Provided.Shards.Where(h => h != shard)),
                Repairs = [.. s.Repairs.Where(r => r != shard)],
            };
        }
        Changed?.Invoke(this);
        return true;
    }

    /// <summary>Raised after any change of <see cref="Held"/> or <see cref="Provided"/>, outside the lock.</summary>
    public event Action<ShardResponsibility>? Changed;

    /// <summary>§8.2: starts a move when <paramref name="target"/> differs from the depth; false when none started (fixed, moving, or same depth).</summary>
    public bool MoveTo(int target)
    {
        bool moved;
        lock (_lock)
        {
            State s = _state;
            if (!Setting.IsAuto || s.Moving != Move.None || target == s.Depth || Math.Abs(target - s.Depth) != 1)
            {
                return false;
            }
            ShardId home = ShardId.Home(_peerId, s.Depth);
            // §8.6: repair shards stay through a move (given back by their own check).
            ShardId[] repairsProvided = [.. s.Repairs.Where(s.Provided.Shards.Contains)];
            if (target > s.Depth)
            {
                ShardId deeper = ShardId.Home(_peerId, target);
                _state = s with
                {
                    Depth = target,
                    Moving = Move.Deepening,
                    Other = deeper.Sibling,
                    Provided = ShardSet.Exactly([home, deeper, .. repairsProvided]),
                };
            }
            else
            {
                ShardId parent = home.Parent;
                var held = new ShardSet([parent, .. s.Repairs]);
                _state = s with
                {
                    Depth = target,
                    Moving = Move.Shallower,
                    Other = home.Sibling,
                    Held = held,
                    Provided = ShardSet.Exactly([home, .. repairsProvided]),
                    // A repair shard inside the parent is now simply held.
                    Repairs = [.. s.Repairs.Where(r => held.Shards.Contains(r))],
                };
            }
            moved = true;
        }
        if (moved)
        {
            Changed?.Invoke(this);
        }
        return moved;
    }

    /// <summary>
    /// §8.5 deepening: the sibling has <paramref name="verifiedProviders"/> verified providers
    /// besides this node. At <see cref="SafeProviders"/> the move completes and the sibling is
    /// returned: its items are to be deleted. Null while it must still be kept.
    /// </summary>
    public ShardId? SiblingReplicated(int verifiedProviders)
    {
        ShardId sibling;
        lock (_lock)
        {
            State s = _state;
            if (s.Moving != Move.Deepening || verifiedProviders < SafeProviders)
            {
                return null;
            }
            sibling = s.Other!.Value;
            ShardId home = ShardId.Home(_peerId, s.Depth);
            _state = s with
            {
                Held = new ShardSet([home, .. s.Repairs]),
                Provided = ShardSet.Exactly([home, .. s.Repairs.Where(s.Provided.Shards.Contains)]),
                Moving = Move.None,
                Other = null,
            };
        }
        Changed?.Invoke(this);
        return sibling;
    }

    /// <summary>§8.5 going shallower: the new half is caught up; the parent is provided from now on.</summary>
    public bool CaughtUp()
    {
        lock (_lock)
        {
            State s = _state;
            if (s.Moving != Move.Shallower)
            {
                return false;
            }
            _state = s with { Provided = ShardSet.Exactly([.. s.Held.Shards.Where(h => !s.Repairs.Contains(h) || s.Provided.Shards.Contains(h))]), Moving = Move.None, Other = null };
        }
        Changed?.Invoke(this);
        return true;
    }

    private State Read()
    {
        lock (_lock)
        {
            return _state;
        }
    }

    private sealed record State(ShardSet Held, ShardSet Provided, int Depth, Move Moving, ShardId? Other, IReadOnlyList<ShardId> Repairs);
}

/// <summary>A depth change in progress (§8.5).</summary>
public enum Move
{
    None,
    Deepening,
    Shallower,
}
