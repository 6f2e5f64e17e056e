using System.Diagnostics.Metrics;
using System.Text.Json;
using Nnrp.Core.Work;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Sync;

namespace Nnrp.Node.Metrics;

/// <summary>
/// The node layer's figures on the <see cref="MeterName"/> meter: ingress decisions by reason,
/// thresholds, what the store holds, sync (NNRP.md §11.8) and the build. Every instrument is
/// observable and reads a counter the node keeps anyway, when a reader collects.
/// </summary>
/// <remarks>
/// Names are dotted; OpenTelemetry's Prometheus exporter turns the dots into underscores and
/// appends the unit (<c>By</c> → <c>_bytes</c> unless the name ends so) and <c>_total</c> for
/// counters: <c>nnrp.ingress</c> is scraped as <c>nnrp_ingress_total</c>. Units in braces are
/// annotations and add no suffix.
/// </remarks>
public static class NodeInstruments
{
    public const string MeterName = "Nnrp.Node";

    private static readonly DecisionStatus[] s_statuses = Enum.GetValues<DecisionStatus>();

    private static readonly KeyValuePair<string, object?>[] s_reasons = [.. s_statuses.Select(s => new KeyValuePair<string, object?>("reason", Reason(s)))];

    /// <summary>Ingress decisions, required work, utilisation and the store's size.</summary>
    public static void AddNode(Meter meter, NnrpNode node)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(node);
        meter.CreateObservableCounter("nnrp.ingress", () => IngressCounts(node.Ingress), "{notification}", "Notifications decided by the ingress gate, by outcome");
        meter.CreateObservableGauge("nnrp.store.notifications", () => node.Store.Statistics.Count, "{notification}", "Notifications stored");
        meter.CreateObservableGauge("nnrp.store.bytes", () => node.Store.Statistics.Bytes, "By", "Encoded bytes of the stored notifications (what the size cap limits)");
        meter.CreateObservableGauge("nnrp.store.disk_bytes", () => node.Store.Statistics.DiskBytes, "By", "Store files on disk");
        meter.CreateObservableGauge("nnrp.work.current_multiplier", () => Thresholds.ToMultiplier(node.Ingress.CurrentThreshold, node.Ingress.Policy.BaseThreshold), null, "Current required work as a multiple of the base threshold");
        meter.CreateObservableGauge("nnrp.ingress.utilisation", () => node.Ingress.Utilisation, null, "u of NNRP.md §6.3: max(ingress queue fill, store fill), 0..1");
        AddReachability(meter, node);
    }

    /// <summary>NNRP.md §14.4, §14.5: what AutoNAT found, whether the node relays for others, and the relays it is reached through.</summary>
    private static void AddReachability(Meter meter, NnrpNode node)
    {
        meter.CreateObservableGauge("nnrp.reachability", () => (int)node.Reachability, null, "AutoNAT's verdict on this node: 0 unknown, 1 public, 2 private");
        meter.CreateObservableGauge("nnrp.relay.serving", () => node.RelayService?.IsServing == true ? 1 : 0, null, "1 while the node serves circuit relay v2 hop for nodes behind NAT");
        meter.CreateObservableGauge("nnrp.relay.reservations_granted", () => node.RelayService?.ReservationCount ?? 0, "{reservation}", "Reservations this node holds for nodes behind NAT");
        meter.CreateObservableGauge("nnrp.relay.circuits", () => node.RelayService?.CircuitCount ?? 0, "{circuit}", "Relayed connections this node carries now");
        meter.CreateObservableGauge("nnrp.relay.reservations_held", () => node.RelayClient?.Reservations.Count ?? 0, "{reservation}", "Relays this node holds a reservation on and is reached through");
    }

    /// <summary>Sync sessions, rounds, bytes, items pulled and offered, and the responder's scan budget (NNRP.md §11.8).</summary>
    public static void AddSync(Meter meter, SyncMetrics sync)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(sync);
        meter.CreateObservableCounter("nnrp.sync.sessions", () => sync.Sessions, "{session}", "Sync sessions started as initiator");
        meter.CreateObservableCounter("nnrp.sync.sessions_failed", () => sync.SessionsFailed, "{session}", "Sync sessions ended by a peer's violation or a transport failure");
        meter.CreateObservableCounter("nnrp.sync.rounds", () => sync.Rounds, "{round}", "Sync request round trips as initiator");
        meter.CreateObservableCounter("nnrp.sync.bytes", () => SyncBytes(sync), "By", "Sync bytes as initiator");
        meter.CreateObservableCounter("nnrp.sync.items_pulled", () => sync.ItemsPulled, "{notification}", "Notifications pulled and stored");
        meter.CreateObservableCounter("nnrp.sync.items_refused", () => sync.ItemsPullRefused, "{notification}", "Pulled notifications the ingress gate did not store");
        meter.CreateObservableCounter("nnrp.sync.items_offered", () => sync.ItemsOffered, "{notification}", "Notifications offered to peers that lacked them");
        meter.CreateObservableGauge("nnrp.sync.offering", () => sync.Offering ? 1 : 0, null, "1 while the shard has fewer than 3 providers (replication rule)");
        meter.CreateObservableGauge("nnrp.sync.shard_providers", () => sync.LastProviderCount, "{peer}", "Providers of the shard at the last check, -1 before the first");
        meter.CreateObservableCounter("nnrp.sync.requests_served", () => sync.RequestsServed, "{request}", "Sync requests served as responder");
        meter.CreateObservableCounter("nnrp.sync.entries_scanned", () => sync.EntriesScanned, "{entry}", "Index entries read for reconcile requests as responder");
        meter.CreateObservableGauge("nnrp.sync.max_scanned_per_request", () => sync.MaxScannedPerRequest, "{entry}", "Most index entries one reconcile request made this node read (bounded by the scan budget, NNRP.md 11.8.7)");
    }

    /// <summary><c>nnrp_build_info</c>: always 1; the labels say what runs (Prometheus's info-metric idiom).</summary>
    public static void AddBuildInfo(Meter meter, BuildInfo build)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(build);
        KeyValuePair<string, object?>[] labels = build.Commit is null
            ? [new("version", build.Version), new("runtime_version", build.RuntimeVersion)]
            : [new("version", build.Version), new("commit", build.Commit), new("runtime_version", build.RuntimeVersion)];
        meter.CreateObservableGauge("nnrp.build_info", () => new Measurement<int>(1, labels), null, "Version, git commit and .NET runtime of this node; the value is always 1");
    }

    /// <summary>
    /// The <c>reason</c> label: the enum name in snake case, the words the doors put on the wire
    /// for the same outcome (NNRP.md §12 problem reasons; a test in Nnrp.Http.Tests holds them equal).
    /// </summary>
    public static string Reason(DecisionStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    private static IEnumerable<Measurement<long>> IngressCounts(IngressGate gate) =>
        s_statuses.Select((s, i) => new Measurement<long>(gate.Count(s), s_reasons[i]));

    private static Measurement<long>[] SyncBytes(SyncMetrics sync) =>
    [
        new(sync.BytesSent, new KeyValuePair<string, object?>("direction", "sent")),
        new(sync.BytesReceived, new KeyValuePair<string, object?>("direction", "received")),
    ];
}
