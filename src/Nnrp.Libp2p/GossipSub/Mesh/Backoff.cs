using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Mesh;

/// <summary>
/// gossipsub-v1.1.md "Prune Backoff and Peer Exchange": after a PRUNE either side waits out the
/// backoff before grafting that peer into that topic again. Expired entries are cleared on the
/// heartbeat; a slack of one heartbeat is added when checking whether we may graft, so clock
/// skew between heartbeats does not make us graft a moment too early.
/// </summary>
internal sealed class Backoff
{
    private readonly Dictionary<string, Dictionary<PeerId, DateTimeOffset>> _byTopic = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _slack;

    public Backoff(TimeProvider time, TimeSpan slack)
    {
        _time = time;
        _slack = slack;
    }

    /// <summary>Sets the backoff to at least <paramref name="duration"/> from now (never shortens it).</summary>
    public void Add(string topic, PeerId peer, TimeSpan duration)
    {
        DateTimeOffset until = _time.GetUtcNow() + duration;
        if (!_byTopic.TryGetValue(topic, out var peers))
        {
            _byTopic[topic] = peers = [];
        }
        if (!peers.TryGetValue(peer, out DateTimeOffset current) || current < until)
        {
            peers[peer] = until;
        }
    }

    /// <summary>True while the backoff runs (plus slack), so a GRAFT would be premature.</summary>
    public bool IsBackedOff(string topic, PeerId peer) =>
        _byTopic.TryGetValue(topic, out var peers) && peers.TryGetValue(peer, out DateTimeOffset until)
        && until + _slack > _time.GetUtcNow();

    /// <summary>Time left on the backoff without slack; zero when none runs.</summary>
    public TimeSpan Remaining(string topic, PeerId peer)
    {
        if (_byTopic.TryGetValue(topic, out var peers) && peers.TryGetValue(peer, out DateTimeOffset until))
        {
            TimeSpan left = until - _time.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
        return TimeSpan.Zero;
    }

    /// <summary>Heartbeat: forgets expired backoffs (after the slack too).</summary>
    public void ClearExpired()
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach (var (topic, peers) in _byTopic)
        {
            foreach (var (peer, until) in peers)
            {
                if (until + _slack <= now)
                {
                    peers.Remove(peer);
                }
            }
            if (peers.Count == 0)
            {
                _byTopic.Remove(topic);
            }
        }
    }
}
