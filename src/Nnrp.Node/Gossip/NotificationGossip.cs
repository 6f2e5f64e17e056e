using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Scoring;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Ingress;

namespace Nnrp.Node.Gossip;

/// <summary>
/// The node on the notification topic (NNRP.md §14.3, issue 6 item 4): every notification
/// the ingress gate accepts, from any door, is published; every notification gossiped to us
/// is validated by that same gate, so gossip is just one more way in. StrictNoSign; the
/// message id is the notification's content hash, so a notification has one id everywhere.
/// </summary>
public sealed class NotificationGossip
{
    public const string Topic = "/nnrp/notifications/1.0";

    private readonly GossipSubService _gossip;
    private readonly IngressGate _ingress;
    private readonly ILogger _logger;
    private GossipSubscription? _subscription;
    private Task? _drain;

    public NotificationGossip(GossipSubService gossip, IngressGate ingress, ILogger? logger = null)
    {
        _gossip = gossip;
        _ingress = ingress;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Loopback and private (RFC 1918, ULA) networks: many testnet nodes share one of these addresses.</summary>
    public static readonly IReadOnlyList<System.Net.IPNetwork> PrivateNetworks =
    [
        System.Net.IPNetwork.Parse("127.0.0.0/8"),
        System.Net.IPNetwork.Parse("10.0.0.0/8"),
        System.Net.IPNetwork.Parse("172.16.0.0/12"),
        System.Net.IPNetwork.Parse("192.168.0.0/16"),
        System.Net.IPNetwork.Parse("::1/128"),
        System.Net.IPNetwork.Parse("fc00::/7"),
    ];

    /// <summary>
    /// The GossipSub profile NNRP runs (NNRP.md §14.3), with scoring on for the topic. On a
    /// private network (a LAN or loopback testnet) the IP colocation penalty (P6) spares
    /// private addresses, since every node there may share one.
    /// </summary>
    public static GossipSubOptions DefaultOptions(bool privateNetwork = false, TimeSpan? heartbeatInterval = null) => new()
    {
        SignaturePolicy = SignaturePolicy.StrictNoSign,
        MessageIdFunction = ContentHashId,
        HeartbeatInterval = heartbeatInterval ?? TimeSpan.FromSeconds(1),
        Scoring = new PeerScoreParams
        {
            Topics = new Dictionary<string, TopicScoreParams>(StringComparer.Ordinal) { [Topic] = new() },
            IPColocationFactorWhitelist = privateNetwork ? PrivateNetworks : [],
        },
    };

    /// <summary>
    /// The content hash (§3.2) of the notification a message carries. Data that is not a
    /// notification gets the SHA-256 of its bytes: it still needs an id to be seen once and
    /// rejected once.
    /// </summary>
    public static MessageId ContentHashId(GossipMessage message)
    {
        try
        {
            return new MessageId(NotificationProtobuf.Decode(message.Data.Span).Hash.ToArray());
        }
        catch (NnrpException)
        {
            return MessageIdFunctions.Sha256OfData(message);
        }
    }

    public void Start()
    {
        _gossip.SetValidator(Topic, ValidateAsync);
        _subscription = _gossip.Subscribe(Topic);
        // Accepted messages are already stored by the validator; the subscription only has to
        // be read so its buffer never fills.
        _drain = DrainAsync(_subscription);
        _ingress.AddAcceptedListener(Publish);
    }

    private async ValueTask<ValidationResult> ValidateAsync(GossipMessage message, PeerId source, CancellationToken cancellationToken)
    {
        IngressResult result = await _ingress.SubmitEncodedAsync(message.Data, cancellationToken);
        ValidationResult verdict = result.Status switch
        {
            IngressStatus.Accepted => ValidationResult.Accept,
            // Bad form and short work are the sender's fault: P4 and no forwarding.
            IngressStatus.BadForm or IngressStatus.InsufficientWork => ValidationResult.Reject,
            // Duplicates, the clock window and overload are nobody's fault; just don't forward.
            _ => ValidationResult.Ignore,
        };
        if (verdict != ValidationResult.Accept)
        {
            Log.GossipRefused(_logger, source.ToString(), result.Status, result.Message);
        }
        return verdict;
    }

    /// <summary>
    /// Publishes what the gate accepted. A notification that arrived by gossip is already in
    /// the router's seen-cache under the same id, so publishing it again is a no-op there.
    /// </summary>
    private void Publish(Notification notification)
    {
        try
        {
            _gossip.Publish(Topic, NotificationProtobuf.Encode(notification));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            Log.GossipPublishFailed(_logger, ex.Message);
        }
    }

    private static async Task DrainAsync(GossipSubscription subscription)
    {
        await foreach (GossipMessage _ in subscription.ReadAllAsync())
        {
        }
    }
}
