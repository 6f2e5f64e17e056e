using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub.Scoring;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>A clock the tests move by hand.</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// One router fed injected events, its outbound commands read back (rust-libp2p's
/// behaviour tests): no sockets, no sleeps.
/// </summary>
internal sealed class RouterHarness
{
    public const string Topic = "/nnrp/notifications/1.0";
    private static int s_nextPeer;

    public RouterHarness(GossipSubOptions? options = null, int seed = 1)
    {
        Options = options ?? new GossipSubOptions
        {
            SignaturePolicy = SignaturePolicy.StrictNoSign,
            MessageIdFunction = MessageIdFunctions.Sha256OfData,
        };
        Router = new GossipRouter(Options, Time, new Random(seed), NullLogger.Instance);
    }

    public static GossipSubOptions ScoredOptions(TopicScoreParams? topic = null, Func<PeerId, double>? appScore = null) => new()
    {
        SignaturePolicy = SignaturePolicy.StrictNoSign,
        MessageIdFunction = MessageIdFunctions.Sha256OfData,
        Scoring = new PeerScoreParams
        {
            Topics = new Dictionary<string, TopicScoreParams> { [Topic] = topic ?? new() },
            AppSpecificScore = appScore,
        },
    };

    public GossipSubOptions Options { get; }

    public ManualTime Time { get; } = new();

    public GossipRouter Router { get; }

    public static PeerId NewPeerKey()
    {
        int n = Interlocked.Increment(ref s_nextPeer);
        return PeerId.FromBytes([0x00, 0x24, .. BitConverter.GetBytes(n), .. new byte[32]]);
    }

    /// <summary>Adds a peer subscribed to <paramref name="topics"/> and drops the hello RPCs.</summary>
    public PeerId AddPeer(GossipProtocol protocol = GossipProtocol.Meshsub12, bool outbound = false, IPAddress? ip = null, params string[] topics)
    {
        PeerId peer = NewPeerKey();
        Router.AddPeer(peer, protocol, outbound, ip);
        if (topics.Length > 0)
        {
            var rpc = new RPC();
            foreach (string t in topics)
            {
                rpc.Subscriptions.Add(new RPC.Types.SubOpts { Subscribe = true, Topicid = t });
            }
            Router.HandleRpc(peer, rpc);
        }
        return peer;
    }

    public List<PeerId> AddPeers(int count, bool outbound = false, GossipProtocol protocol = GossipProtocol.Meshsub12) =>
        Enumerable.Range(0, count).Select(_ => AddPeer(protocol, outbound, null, Topic)).ToList();

    public List<OutboundRpc> Take() => Router.TakeOutbound();

    public static Message NewMessage(int size = 32, int seed = 0, string topic = Topic)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return new Message { Topic = topic, Data = ByteString.CopyFrom(data) };
    }

    public static MessageId IdOf(Message message) => new(System.Security.Cryptography.SHA256.HashData(message.Data.Span));

    /// <summary>Delivers a message from <paramref name="from"/>, validates it with <paramref name="result"/>.</summary>
    public List<InboundMessage> Receive(PeerId from, Message message, ValidationResult? result = ValidationResult.Accept)
    {
        var rpc = new RPC();
        rpc.Publish.Add(message);
        List<InboundMessage> inbound = Router.HandleRpc(from, rpc);
        if (result is { } r)
        {
            foreach (InboundMessage m in inbound)
            {
                Router.ReportValidation(m, r);
            }
        }
        return inbound;
    }

    public void Control(PeerId from, ControlMessage control) => Router.HandleRpc(from, new RPC { Control = control });

    public void Heartbeats(int count)
    {
        for (int i = 0; i < count; i++)
        {
            Time.Advance(Options.HeartbeatInterval);
            Router.Heartbeat();
        }
    }

    public static IEnumerable<(PeerId Peer, T Item)> Select<T>(IEnumerable<OutboundRpc> rpcs, Func<RPC, IEnumerable<T>?> pick) =>
        rpcs.SelectMany(o => (pick(o.Rpc) ?? []).Select(item => (o.Peer, item)));

    public static HashSet<PeerId> GraftedPeers(IEnumerable<OutboundRpc> rpcs) =>
        Select(rpcs, r => r.Control?.Graft).Select(x => x.Peer).ToHashSet();

    public static HashSet<PeerId> PrunedPeers(IEnumerable<OutboundRpc> rpcs) =>
        Select(rpcs, r => r.Control?.Prune).Select(x => x.Peer).ToHashSet();

    public static HashSet<PeerId> MessageRecipients(IEnumerable<OutboundRpc> rpcs) =>
        Select(rpcs, r => r.Publish).Select(x => x.Peer).ToHashSet();
}
