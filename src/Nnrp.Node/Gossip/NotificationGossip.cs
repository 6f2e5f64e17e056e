using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Scoring;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Identity;
using Nnrp.Core.Keys;
using Nnrp.Node.Decisions;
using Nnrp.Node.Shards;

namespace Nnrp.Node.Gossip;

/// <summary>
/// The node on the notification topics (NNRP.md §14.3, issue 6 item 4): one topic per shard at
/// the fixed gossip depth <see cref="Depth"/> (<c>/nnrp/notifications/1.0/8/{i}</c>); the node
/// joins those its shards overlap (§8.3) and follows its shard set as it changes. Every
/// notification the ingress gate accepts, from any door, is published to its tag's topic; every notification gossiped to us
/// is published through the node's façade like any other door's, and its
/// <see cref="Decision"/> becomes a verdict through one table, <see cref="Verdict"/>. StrictNoSign; the
/// message id is the notification's content hash and its work (§14.3), so each paid copy of
/// a notification is seen once. Verdicts follow what every honest node agrees on (issue 12):
/// Reject only for what is invalid everywhere, Ignore for what local state or the local clock
/// priced. A gossiped message is decoded and hashed once: by the message id function, whose
/// notification the validator hands to the façade; the router forwards it on Accept, so it is
/// not published again.
/// </summary>
public sealed class NotificationGossip
{
    /// <summary>§14.3: G, the fixed depth of the gossip topics; a later protocol version may raise it (the depth is in the name).</summary>
    public const int Depth = 8;

    /// <summary>§14.3: the topic of depth-8 shard i is this followed by i in decimal.</summary>
    public const string TopicPrefix = "/nnrp/notifications/1.0/8/";

    /// <summary>All 2^8 topics, index i at position i.</summary>
    public static readonly IReadOnlyList<string> Topics =
        [.. Enumerable.Range(0, 1 << Depth).Select(i => TopicPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static readonly Dictionary<string, int> TopicIndex = Topics.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);

    /// <summary>§14.3: message id = content hash (32 bytes) ‖ work:u64 BE (8 bytes).</summary>
    public const int MessageIdSize = NotificationHash.Size + sizeof(ulong);

    private readonly GossipSubService _gossip;
    private readonly NnrpNode _node;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, GossipSubscription> _joined = new(StringComparer.Ordinal);

    public NotificationGossip(GossipSubService gossip, NnrpNode node, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(gossip);
        ArgumentNullException.ThrowIfNull(node);
        _gossip = gossip;
        _node = node;
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
        MessageIdFunction = MessageIdOf,
        HeartbeatInterval = heartbeatInterval ?? TimeSpan.FromSeconds(1),
        Scoring = new PeerScoreParams
        {
            Topics = Topics.ToDictionary(static t => t, static _ => new TopicScoreParams(), StringComparer.Ordinal),
            IPColocationFactorWhitelist = privateNetwork ? PrivateNetworks : [],
        },
    };

    /// <summary>
    /// §14.3: the message id of the notification a message carries, content hash ‖ work (BE).
    /// The decoded notification is kept in <see cref="GossipMessage.Parsed"/> for the validator.
    /// Data that is not a notification gets the SHA-256 of its bytes (32 bytes, so it never
    /// equals a notification's 40-byte id): it still needs an id to be seen once and rejected once.
    /// </summary>
    public static MessageId MessageIdOf(GossipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Notification notification;
        try
        {
            notification = NotificationProtobuf.Decode(message.Data.Span);
        }
        catch (NnrpException)
        {
            return MessageIdFunctions.Sha256OfData(message);
        }
        message.Parsed = notification;
        return MessageIdOf(notification);
    }

    /// <summary>§14.3: <c>content hash ‖ work:u64 BE</c>, 40 bytes.</summary>
    public static MessageId MessageIdOf(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var id = new byte[MessageIdSize];
        notification.Hash.CopyTo(id);
        BinaryPrimitives.WriteUInt64BigEndian(id.AsSpan(NotificationHash.Size), notification.Work);
        return new MessageId(id);
    }

    /// <summary>
    /// §14.3, the gossip table: the verdict on what the node decided. Reject (P4 for the sender) only for
    /// what every honest node finds invalid: bad form (§3.1, §3.4) or work below the network
    /// base threshold (§6.2). Everything priced by local state (per-tag escalation, load, a
    /// full store) or by the local clock (expired, future) is Ignore, as are duplicates, rate
    /// limits and store failures: another honest node may well have accepted it.
    /// </summary>
    public static ValidationResult Verdict(Decision result, ulong baseThreshold)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Status switch
        {
            DecisionStatus.Accepted => ValidationResult.Accept,
            DecisionStatus.BadForm => ValidationResult.Reject,
            // A null work value (not computed) compares false: never Reject on a guess.
            DecisionStatus.InsufficientWork when result.WorkValue < baseThreshold => ValidationResult.Reject,
            _ => ValidationResult.Ignore,
        };
    }

    /// <summary>§14.3: the topic of a tag, its depth-8 shard.</summary>
    public static string TopicOf(RecipientTag tag) => Topics[(int)tag.ShardIndex(Depth)];

    /// <summary>§14.3: the topics whose depth-8 shard overlaps a shard of <paramref name="shards"/>.</summary>
    public static IReadOnlyList<string> TopicsFor(ShardSet shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var topics = new SortedSet<int>();
        foreach (ShardId shard in shards.Shards)
        {
            if (shard.Bits >= Depth)
            {
                topics.Add((int)(shard.Index >> (shard.Bits - Depth)));
                continue;
            }
            int width = 1 << (Depth - shard.Bits);
            for (int i = 0; i < width; i++)
            {
                topics.Add((int)(shard.Index << (Depth - shard.Bits)) + i);
            }
        }
        return [.. topics.Select(i => Topics[i])];
    }

    public void Start()
    {
        foreach (string topic in Topics)
        {
            _gossip.SetValidator(topic, ValidateAsync);
        }
        Follow(_node.HeldShards);
        _node.ShardsChanged += Follow;
        _node.Ingress.AddAcceptedListener(Publish);
    }

    /// <summary>Joins the topics <paramref name="shards"/> overlap and leaves the rest (§8.3, §8.5).</summary>
    private void Follow(ShardSet shards)
    {
        IReadOnlyList<string> wanted = TopicsFor(shards);
        var leaving = new List<GossipSubscription>();
        lock (_lock)
        {
            foreach (string topic in wanted.Where(t => !_joined.ContainsKey(t)))
            {
                GossipSubscription subscription = _gossip.Subscribe(topic);
                _joined[topic] = subscription;
                // Accepted messages are already stored by the validator; the subscription only
                // has to be read so its buffer never fills.
                _ = DrainAsync(subscription);
            }
            foreach (string topic in _joined.Keys.Except(wanted).ToArray())
            {
                // Disposing the last subscription of a topic leaves it (the router sends UNSUBSCRIBE).
                leaving.Add(_joined[topic]);
                _joined.Remove(topic);
            }
        }
        foreach (GossipSubscription subscription in leaving)
        {
            _ = subscription.DisposeAsync().AsTask();
        }
    }

    /// <summary>The topics joined now.</summary>
    public IReadOnlyList<string> Joined
    {
        get
        {
            lock (_lock)
            {
                return [.. _joined.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    internal async ValueTask<ValidationResult> ValidateAsync(GossipMessage message, PeerId source, CancellationToken cancellationToken)
    {
        if (message.Parsed is Notification parsed && TopicIndex.TryGetValue(message.Topic, out int index) && parsed.RecipientTag.ShardIndex(Depth) != index)
        {
            // §14.3: every honest node publishes to the tag's topic, so a stray is invalid everywhere.
            Log.GossipRefused(_logger, source.ToString(), DecisionStatus.BadForm, ValidationResult.Reject, "the tag is not of this topic");
            return ValidationResult.Reject;
        }
        var origin = Origin.GossipPeer(source);
        Decision result = message.Parsed is Notification notification
            ? await _node.PublishAsync(notification, origin, cancellationToken)
            // Not a notification: the façade answers BadForm (and counts it).
            : await _node.PublishAsync(message.Data, origin, cancellationToken);
        ValidationResult verdict = Verdict(result, _node.Ingress.Policy.BaseThreshold);
        if (verdict != ValidationResult.Accept)
        {
            Log.GossipRefused(_logger, source.ToString(), result.Status, verdict, result.Message);
        }
        return verdict;
    }

    /// <summary>
    /// Publishes what the gate accepted through another door (/nnrp/1.0, HTTP, sync), with the
    /// id computed from the notification the gate already hashed. What came by gossip is left
    /// to the router, which forwards it on Accept.
    /// </summary>
    private void Publish(Notification notification, Origin origin)
    {
        if (origin.Kind == OriginKind.GossipPeer)
        {
            return;
        }
        try
        {
            _gossip.Publish(TopicOf(notification.RecipientTag), NotificationProtobuf.Encode(notification), MessageIdOf(notification));
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
