using Nnrp.Core;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Node.Decisions;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node;

/// <summary>
/// The node's façade, one for every door (issue 13): HTTP, /nnrp/1.0, the gossip validator and
/// the sync puller call <see cref="Admit"/>, <see cref="PublishAsync(Notification, Origin, CancellationToken)"/>,
/// <see cref="Fetch"/> and <see cref="Status"/> and map the <see cref="Decision"/> onto their
/// wire through one table each. Decoding, limits, per-origin rate rules and receipt signing
/// happen here, once.
/// </summary>
public sealed partial class NnrpNode
{
    /// <summary>§11.4: retry hint sent with OVER_CAPACITY when the ingress sheds load.</summary>
    public const uint OverloadRetryAfterSeconds = 1;

    /// <summary>§11.5: retry hint when the fetch budget is spent (a page is written within seconds).</summary>
    public const uint FetchBudgetRetryAfterSeconds = 1;

    /// <summary>The per-origin rate rules every door admits requests by.</summary>
    public RateRules RateRules { get; }

    /// <summary>Bytes of fetch answers in flight, per origin and node-wide, over every door (§11.5).</summary>
    public FetchBudget FetchBudget { get; }

    /// <summary>The origin's rate rule: <see cref="Decision.Admitted"/> or <see cref="DecisionStatus.RateLimited"/>.</summary>
    public Decision Admit(Origin origin) => RateRules.Admit(origin);

    /// <summary>Publishes protobuf bytes (§3.4), decoded once by the gate.</summary>
    public async Task<Decision> PublishAsync(ReadOnlyMemory<byte> protobuf, Origin origin, CancellationToken cancellationToken = default) =>
        Finish(await Ingress.SubmitEncodedAsync(protobuf, origin, cancellationToken), origin);

    /// <summary>Publishes a notification the door decoded from its own message (§11.6: a publish request).</summary>
    public Task<Decision> PublishAsync(Core.Protocol.Notification? message, Origin origin, CancellationToken cancellationToken = default)
    {
        if (message is null)
        {
            return Task.FromResult(Ingress.Refuse(Decision.BadForm("a publish carries a notification")));
        }
        Notification notification;
        try
        {
            notification = NotificationProtobuf.FromProto(message);
        }
        catch (NotificationRuleException ex)
        {
            return Task.FromResult(Ingress.Refuse(Decision.BadForm(ex.Message, ex.Rule)));
        }
        return PublishAsync(notification, origin, cancellationToken);
    }

    /// <summary>
    /// Passes <paramref name="notification"/> through the ingress gate (form, clock, hash, work,
    /// store) and, when the node holds it and the origin is one that gets a receipt (a
    /// publisher, not a gossip or sync peer), signs the store receipt (§11.6: DUPLICATE too).
    /// </summary>
    public async Task<Decision> PublishAsync(Notification notification, Origin origin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return Finish(await Ingress.SubmitAsync(notification, origin, cancellationToken), origin);
    }

    /// <summary>A publisher's receipt for what the node holds; the §11.4 retry hint with OVER_CAPACITY.</summary>
    private Decision Finish(Decision decision, Origin origin)
    {
        if (decision.IsStored && decision.Hash is { } hash && GetsReceipt(origin.Kind))
        {
            return decision with { Receipt = _receipts.Sign(hash, decision.ExpiresAt) };
        }
        if (decision.Status == DecisionStatus.OverCapacity && decision.RetryAfterSeconds == 0)
        {
            return decision with { RetryAfterSeconds = OverloadRetryAfterSeconds };
        }
        return decision;
    }

    /// <summary>
    /// §11.5: a page of <paramref name="query"/> for <paramref name="origin"/>. A prefix wider
    /// than the node serves is OVER_CAPACITY (with <see cref="Decision.MinPrefixBits"/>); the
    /// page's worst case is reserved in the fetch budget before the store is read (OVER_CAPACITY
    /// with a retry hint when spent), and trimmed to the page read. Dispose the answer once it is written.
    /// </summary>
    public FetchAnswer Fetch(FetchQuery query, Origin origin) => Fetch(query, origin, encoded: false);

    /// <summary>
    /// <see cref="Fetch(FetchQuery, Origin)"/> for the /nnrp/1.0 door: the page holds the stored
    /// bytes, which are the wire bytes, so nothing is decoded and re-encoded per item
    /// (docs/BENCHMARKS.md "Fetch of a 1 000-item mailbox").
    /// </summary>
    public FetchAnswer FetchEncoded(FetchQuery query, Origin origin) => Fetch(query, origin, encoded: true);

    private FetchAnswer Fetch(FetchQuery query, Origin origin, bool encoded)
    {
        ArgumentNullException.ThrowIfNull(query);
        int minBits = _protocol.MinPrefixBits;
        if (query.PrefixBits < minBits)
        {
            return new FetchAnswer(new Decision(DecisionStatus.OverCapacity, $"this node serves tag prefixes of at least {minBits} bits") { MinPrefixBits = minBits });
        }
        FetchLease? lease = FetchBudget.TryReserve(origin, FetchBudget.WorstCase(query.Limit));
        if (lease is null)
        {
            return new FetchAnswer(new Decision(DecisionStatus.OverCapacity, "too many fetch answers in flight; read them or retry later")
            {
                RetryAfterSeconds = FetchBudgetRetryAfterSeconds,
            });
        }
        NotificationPage? page = null;
        EncodedPage? stored = null;
        try
        {
            ulong now = (ulong)_time.GetUtcNow().ToUnixTimeSeconds();
            if (encoded)
            {
                stored = Store.FetchEncoded(query, now);
            }
            else
            {
                page = Store.Fetch(query, now);
            }
        }
        catch (NnrpFormatException ex)
        {
            lease.Dispose();
            return new FetchAnswer(Decision.BadForm(ex.Message));
        }
        catch (StoreUnavailableException ex)
        {
            lease.Dispose();
            return new FetchAnswer(Decision.Internal(ex.Message));
        }
        lease.ShrinkTo(stored is not null ? FetchBudget.PageBytes(stored) : FetchBudget.PageBytes(page!));
        return new FetchAnswer(new Decision(DecisionStatus.Accepted, "page"), page, lease, stored);
    }

    /// <summary>§11.7: what this node is and holds right now.</summary>
    /// <exception cref="StoreUnavailableException">the store failed.</exception>
    public StatusResponse Status()
    {
        var status = new StatusResponse
        {
            Agent = _protocol.Agent,
            ProtocolVersion = NnrpProtocol.Version,
            BaseThreshold = Ingress.Policy.BaseThreshold,
            CurrentThreshold = Ingress.CurrentThreshold,
            Stored = (ulong)Math.Max(0, Store.Statistics.Count),
            Now = (ulong)_time.GetUtcNow().ToUnixTimeSeconds(),
            MaxPayload = NotificationLimits.MaxPayload,
            MinTtl = NotificationLimits.MinTtl,
            MaxTtl = NotificationLimits.MaxTtl,
            MaxPage = FetchQuery.MaxLimit,
            Reachability = WireReachability,
            StoredBytes = (ulong)Math.Max(0, Store.Statistics.Bytes),
        };
        // §11.7, §8.3: S, shallowest first.
        status.Shards.Add(HeldShards.Shards.Select(static s => s.ToProto()));
        return status;
    }

    /// <summary>Publishers get a receipt (§11.6); gossip and sync peers forward or were asked, and a signature each would cost for nothing.</summary>
    private static bool GetsReceipt(OriginKind kind) => kind is OriginKind.Peer or OriginKind.HttpClient or OriginKind.Local;
}
