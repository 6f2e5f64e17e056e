using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// Peers whose provider record was refused lately (NNRP.md §14.2): a refusal is logged once
/// per peer per <see cref="Window"/>, not per request, so a peer sending refused records cannot
/// flood the log. Bounded: when <see cref="Capacity"/> peers were refused within the window,
/// further ones are not logged until entries expire.
/// </summary>
internal sealed class RefusedProviderPeers(TimeProvider time)
{
    public const int Capacity = 4096;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly Dictionary<PeerId, DateTimeOffset> _quietUntil = [];
    private readonly Lock _lock = new();

    /// <summary>True if this refusal of <paramref name="peer"/> should be logged (the first in its window).</summary>
    public bool ShouldLog(PeerId peer)
    {
        DateTimeOffset now = time.GetUtcNow();
        lock (_lock)
        {
            if (_quietUntil.TryGetValue(peer, out DateTimeOffset until) && until > now)
            {
                return false;
            }
            if (_quietUntil.Count >= Capacity)
            {
                foreach ((PeerId old, DateTimeOffset end) in _quietUntil.ToArray())
                {
                    if (end <= now)
                    {
                        _quietUntil.Remove(old);
                    }
                }
                if (_quietUntil.Count >= Capacity)
                {
                    return false;
                }
            }
            _quietUntil[peer] = now + Window;
            return true;
        }
    }
}
