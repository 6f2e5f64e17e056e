using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Sync;

/// <summary>When and how hard a node syncs (NNRP.md §11.8.7 defaults).</summary>
public sealed record SyncOptions
{
    /// <summary>How often a round of sessions with <see cref="PeersPerRound"/> random connected peers starts.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Random connected peers synced with each <see cref="Interval"/>.</summary>
    public int PeersPerRound { get; init; } = 3;

    /// <summary>
    /// §11.8.7: a periodic session over a shard this node has synced whole since it started covers
    /// only items this recent; sessions on a new connection cover everything.
    /// </summary>
    public TimeSpan RecentWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>A peer is not synced with again (on connect or at random) sooner than this.</summary>
    public TimeSpan MinPeerInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Sessions running at once.</summary>
    public int MaxConcurrentSessions { get; init; } = 2;

    /// <summary>A whole session (rounds, pulls, offers) ends after this; what is left resumes later.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A stopped session's open ranges are resumed if the next session with that peer starts within this.</summary>
    public TimeSpan ResumeWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>§11.8.6: providers of the shard that make its notifications safe.</summary>
    public int SafeProviders { get; init; } = 3;

    /// <summary>§11.8.6: how long a provider count is trusted before the DHT is asked again.</summary>
    public TimeSpan ProviderCheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>§11.8.6: notifications offered (published) to one peer per session while unsafe.</summary>
    public int MaxOffersPerSession { get; init; } = 1000;

    /// <summary>§11.8.7: sync requests per second one peer may make of this node (responder side): the node's <see cref="Decisions.OriginKind.SyncPeer"/> rate rule.</summary>
    public double PeerRequestsPerSecond { get; init; } = Decisions.RateRules.DefaultSyncPeer.PerSecond;

    /// <summary>§11.8.7: sync requests one peer may make at once after being idle.</summary>
    public int PeerBurst { get; init; } = Decisions.RateRules.DefaultSyncPeer.Burst;

    /// <summary>
    /// §11.8.7: sync requests this node serves at once (one per peer); more wait their turn for up to
    /// <see cref="SyncServer.MaxSlotWait"/>, then are answered OVER_CAPACITY.
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 4;

    /// <summary>§11.8.7: index entries read for one reconcile request; the rest of the range is answered open.</summary>
    public int MaxScanPerRequest { get; init; } = SyncLimits.MaxScanPerRequest;
}
