using System.Net;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.GossipSub.Cache;
using Nnrp.Libp2p.GossipSub.Mesh;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub.Scoring;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// GossipSub v1.1 with v1.2 IDONTWANT as a plain state machine (the shape of rust-libp2p's
/// <c>Behaviour</c>): events come in as method calls (peer added/removed, RPC received,
/// validation result, heartbeat, publish, subscribe) and commands go out through
/// <see cref="TakeOutbound"/> (RPCs per peer) and <see cref="TakePeerExchange"/> (peers to dial).
/// No I/O, no clock but the injected <see cref="TimeProvider"/>, no threads: the owner
/// serialises calls.
/// </summary>
internal sealed partial class GossipRouter
{
    private readonly GossipSubOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly IMessageAuthenticator? _authenticator;
    private readonly PeerScore? _score;
    private readonly Dictionary<PeerId, RouterPeer> _peers = [];
    private readonly Dictionary<string, HashSet<PeerId>> _topicPeers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<PeerId>> _mesh = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<PeerId>> _fanout = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _fanoutLastPublished = new(StringComparer.Ordinal);
    private readonly MessageCache _mcache;
    private readonly SeenCache _seen;
    private readonly Backoff _backoff;
    private readonly GossipPromises _promises;
    private readonly Outbox _outbox = new();
    private readonly List<PeerExchangeCandidate> _peerExchange = [];
    private long _heartbeats;
    private long _delivered, _duplicates, _rejected, _ignored, _published, _graylisted;

    public GossipRouter(GossipSubOptions options, TimeProvider time, Random random, ILogger logger, IMessageAuthenticator? authenticator = null)
    {
        options.Validate();
        if (options.SignaturePolicy == SignaturePolicy.StrictSign && authenticator is null)
        {
            throw new ArgumentException("StrictSign needs a message authenticator", nameof(authenticator));
        }
        _options = options;
        _time = time;
        _random = random;
        _logger = logger;
        _authenticator = authenticator;
        _mcache = new MessageCache(options.HistoryLength, options.HistoryGossip);
        _seen = new SeenCache(options.SeenTtl, time);
        _backoff = new Backoff(time, options.HeartbeatInterval);
        _promises = new GossipPromises(time);
        if (options.Scoring is { } scoring)
        {
            _score = new PeerScore(scoring, time, options.SeenTtl);
        }
    }

    public IEnumerable<string> Subscriptions => _mesh.Keys;

    public IReadOnlyCollection<PeerId> Peers => _peers.Keys;

    public bool IsSubscribed(string topic) => _mesh.ContainsKey(topic);

    public IReadOnlyCollection<PeerId> MeshPeers(string topic) => _mesh.TryGetValue(topic, out var mesh) ? mesh.ToArray() : [];

    public IReadOnlyCollection<PeerId> FanoutPeers(string topic) => _fanout.TryGetValue(topic, out var fanout) ? fanout.ToArray() : [];

    /// <summary>Peers that told us they subscribe to <paramref name="topic"/>.</summary>
    public IReadOnlyCollection<PeerId> TopicPeers(string topic) => _topicPeers.TryGetValue(topic, out var peers) ? peers.ToArray() : [];

    public double Score(PeerId peer) => _score?.Score(peer) ?? 0;

    public GossipSubMetrics Metrics => new()
    {
        Delivered = _delivered,
        Duplicates = _duplicates,
        Rejected = _rejected,
        Ignored = _ignored,
        Published = _published,
        GraylistedRpcs = _graylisted,
        MeshSizes = _mesh.ToDictionary(static kv => kv.Key, static kv => kv.Value.Count, StringComparer.Ordinal),
        Peers = _peers.Count,
    };

    /// <summary>The RPCs the router wants sent since the last call.</summary>
    public List<OutboundRpc> TakeOutbound() => _outbox.Take();

    /// <summary>Peers learned from PRUNE peer exchange that are worth dialing.</summary>
    public List<PeerExchangeCandidate> TakePeerExchange()
    {
        var taken = new List<PeerExchangeCandidate>(_peerExchange);
        _peerExchange.Clear();
        return taken;
    }

    /// <summary>
    /// A pubsub stream with <paramref name="peer"/> is up; false when the peer was known already.
    /// With <paramref name="announce"/> a new peer learns our subscriptions (the hello); the
    /// service passes false when the stream is the peer's, because the hello belongs on ours
    /// (<see cref="Announce"/>, pubsub/README.md "Stream management").
    /// </summary>
    public bool AddPeer(PeerId peer, GossipProtocol protocol, bool outbound, IPAddress? address, bool announce = true)
    {
        if (_peers.ContainsKey(peer))
        {
            return false;
        }
        _peers[peer] = new RouterPeer(peer, protocol, outbound);
        _score?.AddPeer(peer, address);
        if (announce)
        {
            Announce(peer);
        }
        Log.PeerAdded(_logger, peer, protocol, outbound);
        return true;
    }

    /// <summary>Our subscriptions, every one, as the first RPC on a stream of ours that just opened (the hello).</summary>
    public void Announce(PeerId peer)
    {
        if (!_peers.ContainsKey(peer))
        {
            return;
        }
        foreach (string topic in _mesh.Keys)
        {
            _outbox.Subscription(peer, topic, subscribe: true);
        }
        _outbox.Flush();
    }

    public void RemovePeer(PeerId peer)
    {
        if (!_peers.Remove(peer, out RouterPeer? state))
        {
            return;
        }
        foreach (string topic in state.Topics)
        {
            RemoveFromSet(_topicPeers, topic, peer);
            if (_mesh.TryGetValue(topic, out var mesh))
            {
                mesh.Remove(peer);
            }
            if (_fanout.TryGetValue(topic, out var fanout))
            {
                fanout.Remove(peer);
            }
        }
        _score?.RemovePeer(peer);
        Log.PeerRemoved(_logger, peer);
    }

    /// <summary>Joins <paramref name="topic"/>: announces it and builds a mesh, from fanout peers first (v1.0 "Topic Membership").</summary>
    public void Subscribe(string topic)
    {
        if (_mesh.ContainsKey(topic))
        {
            return;
        }
        foreach (PeerId peer in _peers.Keys)
        {
            _outbox.Subscription(peer, topic, subscribe: true);
        }
        var mesh = new HashSet<PeerId>();
        _mesh[topic] = mesh;
        if (_fanout.Remove(topic, out var fanout))
        {
            _fanoutLastPublished.Remove(topic);
            foreach (PeerId peer in fanout)
            {
                if (mesh.Count < _options.D && !_backoff.IsBackedOff(topic, peer) && Score(peer) >= 0)
                {
                    mesh.Add(peer);
                }
            }
        }
        if (mesh.Count < _options.D)
        {
            foreach (PeerId peer in Candidates(topic, _options.D - mesh.Count, p => !mesh.Contains(p) && !_backoff.IsBackedOff(topic, p) && Score(p) >= 0))
            {
                mesh.Add(peer);
            }
        }
        foreach (PeerId peer in mesh)
        {
            _score?.Graft(peer, topic);
            _outbox.Graft(peer, topic);
        }
        _outbox.Flush();
    }

    /// <summary>Leaves <paramref name="topic"/>: PRUNE with the unsubscribe backoff to every mesh peer (v1.1 "Prune Backoff").</summary>
    public void Unsubscribe(string topic)
    {
        if (!_mesh.Remove(topic, out var mesh))
        {
            return;
        }
        foreach (PeerId peer in _peers.Keys)
        {
            _outbox.Subscription(peer, topic, subscribe: false);
        }
        foreach (PeerId peer in mesh)
        {
            _score?.Prune(peer, topic);
            _outbox.Prune(peer, MakePrune(peer, topic, doPeerExchange: true, _options.UnsubscribeBackoff));
            _backoff.Add(topic, peer, _options.UnsubscribeBackoff);
        }
        _outbox.Flush();
    }

    /// <summary>
    /// Publishes our own message (v1.1 "Flood Publishing": to every topic peer at or above the
    /// publish threshold; without flood publishing to the mesh, or the fanout when not subscribed).
    /// <paramref name="id"/>, when given, is what the message id function would answer for
    /// this message: a caller that already knows a content id saves computing it again.
    /// </summary>
    public PublishOutcome Publish(string topic, ReadOnlyMemory<byte> data, MessageId? id = null)
    {
        var message = new Message { Topic = topic, Data = Google.Protobuf.ByteString.CopyFrom(data.Span) };
        if (_options.SignaturePolicy == SignaturePolicy.StrictSign)
        {
            // The id of a signed message is from ‖ seqno, known only once it is signed.
            _authenticator!.Sign(message);
            id = null;
        }
        MessageId messageId = id ?? _options.MessageIdFunction(ToGossipMessage(message));
        if (!_seen.Add(messageId))
        {
            return new PublishOutcome(messageId, Duplicate: true, Peers: 0);
        }
        _mcache.Put(messageId, message);
        var targets = new HashSet<PeerId>();
        double publishThreshold = _options.Thresholds.PublishThreshold;
        if (_topicPeers.TryGetValue(topic, out var topicPeers))
        {
            foreach (PeerId peer in topicPeers)
            {
                bool floodsub = _peers[peer].Protocol == GossipProtocol.Floodsub;
                if ((_options.FloodPublish || floodsub) && Score(peer) >= publishThreshold)
                {
                    targets.Add(peer);
                }
            }
        }
        if (!_options.FloodPublish)
        {
            targets.UnionWith(_mesh.TryGetValue(topic, out var mesh) ? mesh : Fanout(topic));
        }
        foreach (PeerId peer in targets)
        {
            _outbox.Message(peer, message, OutboundKind.Publish);
        }
        _outbox.Flush();
        _published++;
        return new PublishOutcome(messageId, Duplicate: false, targets.Count);
    }

    /// <summary>The fanout set of a topic we do not join (v1.0 "Fanout"), made on first use.</summary>
    private HashSet<PeerId> Fanout(string topic)
    {
        _fanoutLastPublished[topic] = _time.GetUtcNow();
        if (!_fanout.TryGetValue(topic, out var fanout))
        {
            _fanout[topic] = fanout = [];
            fanout.UnionWith(Candidates(topic, _options.D, p => Score(p) >= _options.Thresholds.PublishThreshold));
        }
        return fanout;
    }

    /// <summary>Up to <paramref name="count"/> random gossipsub peers of <paramref name="topic"/> that pass <paramref name="filter"/>.</summary>
    private List<PeerId> Candidates(string topic, int count, Func<PeerId, bool> filter)
    {
        var result = new List<PeerId>();
        if (count <= 0 || !_topicPeers.TryGetValue(topic, out var peers))
        {
            return result;
        }
        foreach (PeerId peer in peers)
        {
            if (_peers[peer].Protocol.IsGossip() && filter(peer))
            {
                result.Add(peer);
            }
        }
        Shuffle(result);
        if (result.Count > count)
        {
            result.RemoveRange(count, result.Count - count);
        }
        return result;
    }

    private void Shuffle<T>(List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static void RemoveFromSet(Dictionary<string, HashSet<PeerId>> sets, string topic, PeerId peer)
    {
        if (sets.TryGetValue(topic, out var set) && set.Remove(peer) && set.Count == 0)
        {
            sets.Remove(topic);
        }
    }

    private static GossipMessage ToGossipMessage(Message message) => new(
        message.Topic,
        message.Data.Memory,
        message.HasFrom ? message.From.Memory : default,
        message.HasSeqno ? message.Seqno.Memory : default);
}

/// <summary>What <see cref="GossipRouter.Publish"/> did: the id, whether it was a duplicate, how many peers it went to.</summary>
public readonly record struct PublishOutcome(MessageId Id, bool Duplicate, int Peers);

/// <summary>A peer named in a PRUNE's peer exchange (v1.1 "Peer Exchange"), with its signed record when given.</summary>
public sealed record PeerExchangeCandidate(PeerId Peer, ReadOnlyMemory<byte> SignedPeerRecord);
