using System.Runtime.InteropServices;
using Nnrp.Core.Notifications;

namespace Nnrp.Protocol.Sync;

/// <summary>
/// §11.8.2: the items k with <see cref="Lower"/> ≤ k &lt; <see cref="Upper"/> summarised by
/// either a <see cref="Fingerprint"/> or the complete list of their <see cref="Ids"/>, sorted
/// by hash bytes (not by time: hash order lets a receiver check the list has no repeats).
/// An <see cref="IsOpen"/> range (§11.8.4, responses only) carries no summary that means
/// anything: the responder ran out of its scan budget before it and the initiator asks again.
/// </summary>
public sealed record SyncRange(TimeKey Lower, TimeKey Upper, Fingerprint? Fingerprint, IReadOnlyList<NotificationHash>? Ids)
{
    /// <summary>§11.8.4: the fingerprint an open range carries (16 zero bytes), so a reader unaware of <c>open</c> sees "different".</summary>
    public static readonly Fingerprint OpenFingerprint = new(UInt128.Zero);

    /// <summary>True for the not-examined rest of a range the responder's budget ran out in (§11.8.4).</summary>
    public bool IsOpen { get; init; }

    public static SyncRange WithFingerprint(TimeKey lower, TimeKey upper, Fingerprint fingerprint) => new(lower, upper, fingerprint, null);

    public static SyncRange WithIds(TimeKey lower, TimeKey upper, IReadOnlyList<NotificationHash> ids) => new(lower, upper, null, ids);

    public static SyncRange Open(TimeKey lower, TimeKey upper) => new(lower, upper, OpenFingerprint, null) { IsOpen = true };

    public bool Covers(SyncRange inner) => Lower <= inner.Lower && inner.Upper <= Upper;
}
