using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Client.Mailbox;
using Nnrp.Client.Network;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Work;
using Nnrp.Core.Keys;
using Nnrp.Core.Protocol;
using Nnrp.Core.Sealing;
using Nnrp.Core.Work;
using Nnrp.Libp2p.Kad;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Client;

/// <summary>
/// The wallet SDK in a few calls: <see cref="SendAsync"/> seals a payment event, computes its
/// work and lands it on several nodes with verified receipts; <see cref="FetchAsync"/> reads a
/// mailbox from several nodes by tag prefix, merges, verifies and opens it. No console output;
/// events go to the <see cref="ILoggerFactory"/> given.
/// </summary>
public sealed partial class WalletClient : IAsyncDisposable
{
    private readonly INodeTransport _transport;
    private readonly NodeDiscovery _discovery;
    private readonly IWorkSource _work;
    private readonly ILogger _logger;
    private readonly Func<ValueTask> _dispose;

    /// <summary>A client over a custom transport (tests, or another way to reach nodes); no DHT.</summary>
    /// <exception cref="FormatException">a node or bootstrap address is malformed or has no <c>/p2p/</c>.</exception>
    public WalletClient(INodeTransport transport, WalletClientOptions options, ILoggerFactory? loggerFactory = null)
        : this(transport, options, kad: null, loggerFactory, () => ValueTask.CompletedTask)
    {
    }

    private WalletClient(INodeTransport transport, WalletClientOptions options, KadService? kad, ILoggerFactory? loggerFactory, Func<ValueTask> dispose)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        _transport = transport;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WalletClient>();
        _work = options.WorkSource ?? new LocalWorkSource();
        _discovery = new NodeDiscovery(
            options.Nodes.Select(NodeAddress.Parse).ToArray(),
            options.BootstrapPeers.Select(NodeAddress.Parse).ToArray(),
            kad,
            transport,
            _logger);
        _dispose = dispose;
    }

    /// <summary>
    /// Seals <paramref name="paymentEvent"/> to <paramref name="recipient"/>, computes work and
    /// publishes it to <see cref="SendOptions.Replicas"/> distinct nodes (the recipient's relay
    /// hints first). Check <see cref="SendResult.MetTarget"/>: fewer nodes than asked is a
    /// result, not an exception, so the caller can decide.
    /// </summary>
    public Task<SendResult> SendAsync(
        Recipient recipient, PaymentEvent paymentEvent, SendOptions? options = null, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        options ??= new SendOptions();
        Notification notification = PaymentNotifications.Seal(recipient, paymentEvent, DateTimeOffset.UtcNow, options.Ttl);
        return PublishAsync(notification, recipient.RelayHints, options, progress, cancellationToken);
    }

    /// <summary>Publishes a ready notification (work is added when it falls short) to several nodes.</summary>
    public async Task<SendResult> PublishAsync(
        Notification notification, IReadOnlyList<string>? relayHints = null, SendOptions? options = null, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        options ??= new SendOptions();
        HolderSearchResult holders = await _discovery.FindAsync(notification.RecipientTag, relayHints ?? [], options.Replicas, cancellationToken);
        if (holders.Holders.Count == 0)
        {
            throw new NnrpClientException("no nodes to publish to: give --node, bootstrap peers or a recipient URI with relay hints (or no node found holds the tag's shard)");
        }
        SendResult sent = await new Publisher(_transport, _work, _logger).PublishAsync(notification, holders.Nodes, options, progress, cancellationToken);
        foreach (NodeFailure failure in sent.Failures)
        {
            _discovery.Forget(failure.Node);
        }
        return sent with { HoldersFound = holders.Holders.Count };
    }

    /// <summary>
    /// Fetches the mailbox of <paramref name="key"/> from several nodes, asking only for what is
    /// newer than <paramref name="checkpoint"/>; save <see cref="FetchResult.Checkpoint"/> for next time.
    /// </summary>
    public async Task<FetchResult> FetchAsync(
        NotificationKeyPair key, FetchOptions? options = null, FetchCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        options ??= new FetchOptions();
        checkpoint ??= FetchCheckpoint.Start(key.Tag);
        if (checkpoint.Tag != key.Tag)
        {
            throw new ArgumentException("the checkpoint belongs to another key", nameof(checkpoint));
        }
        HolderSearchResult holders = await _discovery.FindAsync(key.Tag, [], options.Nodes, cancellationToken);
        if (holders.Holders.Count == 0)
        {
            throw new NnrpClientException("no nodes to fetch from: give --node or bootstrap peers (or no node found holds the tag's shard)");
        }
        FetchResult fetched = await new MailboxFetcher(_transport, _logger).FetchAsync(key, holders.Nodes, options, checkpoint, cancellationToken);
        foreach (NodeFetchReport report in fetched.Nodes.Where(static n => !n.Complete))
        {
            _discovery.Forget(report.Node);
        }
        return fetched;
    }

    /// <summary>The status of one node (§11.7).</summary>
    public Task<StatusResponse> StatusAsync(NodeAddress node, CancellationToken cancellationToken = default) =>
        _transport.StatusAsync(node, cancellationToken);

    /// <summary>Candidate nodes for a tag, as send and fetch would find them.</summary>
    public async Task<IReadOnlyList<NodeAddress>> DiscoverAsync(RecipientTag tag, int wanted, CancellationToken cancellationToken = default) =>
        (await _discovery.FindAsync(tag, [], wanted, cancellationToken)).Nodes;

    /// <summary>
    /// The holders of <paramref name="tag"/>'s shard as send and fetch would find them (NNRP.md
    /// §8.4), with how each was found and which shard depths the DHT walk looked up.
    /// </summary>
    public Task<HolderSearchResult> FindHoldersAsync(RecipientTag tag, int wanted, IReadOnlyList<string>? relayHints = null, CancellationToken cancellationToken = default) =>
        _discovery.FindAsync(tag, relayHints ?? [], wanted, cancellationToken);

    /// <summary>The deepest shard depth this client has seen in any node's status (−1: none yet); where its DHT walks start from (§8.4).</summary>
    public int DeepestShardSeen => _discovery.Evidence.Deepest;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dispose();
}
