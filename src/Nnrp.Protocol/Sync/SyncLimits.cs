using Nnrp.Protocol.Requests;

namespace Nnrp.Protocol.Sync;

/// <summary>
/// The numbers of NNRP.md §11.8, each next to the rule it enforces. A peer that breaks a
/// "MUST" limit has its session ended (<see cref="SyncProtocolException"/>); the session
/// budgets bound what one session may cost even against a peer that lies consistently.
/// </summary>
public static class SyncLimits
{
    /// <summary>§11.8.2: fingerprint = the first 16 bytes of a SHA-256.</summary>
    public const int FingerprintSize = 16;

    /// <summary>§11.8.1: a bound's id prefix is at most a whole content hash.</summary>
    public const int MaxBoundPrefix = 32;

    /// <summary>§11.8.4: a differing range too big to list is split into this many sub-ranges.</summary>
    public const int Buckets = 16;

    /// <summary>§11.8.3: ranges in one reconcile request.</summary>
    public const int MaxRequestRanges = 64;

    /// <summary>§11.8.4: the initiator lists its ids (instead of splitting) in a range of at most this many.</summary>
    public const int InitiatorIdListMax = 32;

    /// <summary>§11.8.4: the responder lists its ids (instead of splitting) in a range of at most this many.</summary>
    public const int ResponderIdListMax = 256;

    /// <summary>§11.8.4: ranges in one reconcile response.</summary>
    public const int MaxResponseRanges = 1024;

    /// <summary>§11.8.4: ids over all ranges of one reconcile response (256 KiB of ids).</summary>
    public const int MaxResponseIds = 8192;

    /// <summary>
    /// §11.8.7: index entries a responder reads for one reconcile request (like the fetch path's
    /// <c>MaxScanPerPage</c>). When it runs out inside a range, the part read is answered and the
    /// rest goes back as an open range (§11.8.4), so a full-range request costs at most this much.
    /// </summary>
    public const int MaxScanPerRequest = 16_384;

    /// <summary>
    /// §11.8.3: items of its own the initiator summarises in one fingerprint range; a longer range
    /// goes out in consecutive chunks of this many, so its own walk per range is bounded too.
    /// </summary>
    public const int InitiatorChunk = 4096;

    /// <summary>
    /// §11.8.3: the initiator's own items covered by one request (three chunks): below a
    /// responder's <see cref="MaxScanPerRequest"/>, so a converged pair's request is answered whole.
    /// </summary>
    public const int InitiatorItemsPerRequest = 3 * InitiatorChunk;

    /// <summary>§11.8.5: hashes in one get request (96 × 34 bytes fits the 4 KiB request limit).</summary>
    public const int MaxGetHashes = 96;

    /// <summary>§11.1: a request is at most 4 KiB; this much is left for ranges after framing.</summary>
    public const int RequestBudget = NnrpProtocol.MaxRequestSize - 128;

    /// <summary>A session ends (and is resumed later) after this many reconcile round trips.</summary>
    public const int MaxRoundsPerSession = 256;

    /// <summary>A session ends (and is resumed later) after this many bytes in both directions.</summary>
    public const long MaxBytesPerSession = 64L * 1024 * 1024;

    /// <summary>Ranges the initiator keeps waiting; a peer that makes it hold more ends the session.</summary>
    public const int MaxQueuedRanges = 65_536;

    /// <summary>Ids the initiator collects to pull or offer in one session; the rest wait for the next.</summary>
    public const int MaxCollectedPerSession = 50_000;

    /// <summary>
    /// §11.8.7: peers whose last session start the initiator remembers (each only for
    /// <c>SyncOptions.MinPeerInterval</c> in Nnrp.Node); when full of recent ones a new peer waits.
    /// </summary>
    public const int MaxTrackedPeers = 4096;

    /// <summary>§11.8.7: shards with a stopped session kept to resume; the oldest is dropped for a newer one.</summary>
    public const int MaxResumeShards = 64;

    /// <summary>
    /// §11.8.7: open ranges kept per shard to resume; beyond it the last ones are merged into one
    /// range covering them (nothing is lost, some settled ground is checked again).
    /// </summary>
    public const int MaxResumeRanges = 1024;

    /// <summary>§11.8.7: peers waiting for a session; more are dropped (the next tick or connection schedules them again).</summary>
    public const int MaxDuePeers = 256;
}
