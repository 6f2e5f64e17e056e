using System.Security.Cryptography;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Gossip;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Gossip;

/// <summary>NNRP.md §14.3: accepted notifications spread by gossip, and gossip enters through the ingress gate.</summary>
public sealed class NotificationGossipTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Node 1's per-tag escalation (§6.3) starts at once and doubles with every notification,
    /// so a tag that is free on nodes 0 and 2 costs more on node 1: local state, as on a node
    /// where that tag is busy. Fresh tags (every other test) still cost the base there.
    /// </summary>
    private static readonly WorkPolicy BusyRelayPolicy = Notifications.CheapPolicy with { FreePerTag = 0, DoublingEvery = 1 };
    private readonly List<Member> _members = [];

    public async Task InitializeAsync()
    {
        for (int i = 0; i < 3; i++)
        {
            _members.Add(await Member.StartAsync(i == 1 ? BusyRelayPolicy : Notifications.CheapPolicy));
        }
        // A line: 0 — 1 — 2, so 2 hears 0 only through 1's validation.
        await _members[0].Host.DialAsync(_members[1].Address, CancellationToken.None).WaitAsync(Timeout);
        await _members[1].Host.DialAsync(_members[2].Address, CancellationToken.None).WaitAsync(Timeout);
        // Both links meshed on both ends (node 1 has two), so a forward never races a GRAFT.
        for (int i = 0; i < _members.Count; i++)
        {
            int links = i == 1 ? 2 : 1;
            Member m = _members[i];
            await NodeNetwork.UntilAsync(() => NotificationGossip.Topics.All(t => m.Gossip.GetMeshPeers(t).Count == links), $"node {i} has {links} mesh peer(s) on every topic", Timeout);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (Member m in _members)
        {
            await m.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_notification_accepted_by_one_node_is_stored_by_every_node()
    {
        Notification n = Notifications.WithWorkValue(Now(), Notifications.CheapBase);

        Decision result = await _members[0].Node.Ingress.SubmitAsync(n);

        Assert.Equal(DecisionStatus.Accepted, result.Status);
        await NodeNetwork.UntilAsync(() => _members.All(m => m.Node.Store.Contains(n.Hash)), "all three nodes store it", Timeout);
    }

    [Fact]
    public async Task Gossip_with_short_work_is_rejected_by_the_gate_and_goes_no_further()
    {
        Notification bad = Notifications.WithWorkValue(Now(), 0, Notifications.CheapBase - 1);
        Notification good = Notifications.WithWorkValue(Now(), Notifications.CheapBase);

        // Straight onto the topic from node 0, past its own gate, as a misbehaving peer would.
        _members[0].Gossip.Publish(NotificationGossip.TopicOf(bad.RecipientTag), NotificationProtobuf.Encode(bad));
        _members[0].Gossip.Publish(NotificationGossip.TopicOf(good.RecipientTag), NotificationProtobuf.Encode(good));

        await NodeNetwork.UntilAsync(() => _members[2].Node.Store.Contains(good.Hash), "the good one arrives at the far end", Timeout);
        Assert.False(_members[1].Node.Store.Contains(bad.Hash));
        Assert.False(_members[2].Node.Store.Contains(bad.Hash));
        Assert.True(_members[1].Node.Ingress.Count(DecisionStatus.InsufficientWork) >= 1);
        Assert.True(_members[1].Gossip.Metrics.Rejected >= 1);
    }

    [Fact]
    public async Task A_copy_priced_out_by_local_escalation_is_ignored_and_a_better_paid_copy_still_gets_through()
    {
        RecipientTag busy = Notifications.RandomTag();
        for (int i = 0; i < 3; i++)
        {
            Notification earlier = Notifications.WithWorkValue(Now(busy), _members[1].Node.Ingress.RequiredThresholdFor(busy));
            Assert.Equal(DecisionStatus.Accepted, (await _members[1].Node.Ingress.SubmitAsync(earlier)).Status);
        }
        ulong required = _members[1].Node.Ingress.RequiredThresholdFor(busy);
        Assert.True(required > Notifications.CheapBase, "the tag costs more than the base on node 1");
        Notification n = Now(busy);
        Notification cheap = Notifications.WithWorkValue(n, Notifications.CheapBase, required - 1);
        Notification paid = Notifications.WithWorkValue(n, required);
        long priced = _members[1].Node.Ingress.Count(DecisionStatus.InsufficientWork);

        // Node 0 relays the cheap copy first (the tag is cheap where it stands), then the paid one.
        _members[0].Gossip.Publish(NotificationGossip.TopicOf(cheap.RecipientTag), NotificationProtobuf.Encode(cheap));
        await NodeNetwork.UntilAsync(() => _members[1].Node.Ingress.Count(DecisionStatus.InsufficientWork) > priced, "node 1 prices out the cheap copy", Timeout);
        _members[0].Gossip.Publish(NotificationGossip.TopicOf(paid.RecipientTag), NotificationProtobuf.Encode(paid));

        // Its id was not poisoned by the cheap copy: node 1 stores it and forwards it to node 2.
        await NodeNetwork.UntilAsync(() => _members[2].Node.Store.Contains(n.Hash), "the paid copy reaches node 2 through node 1", Timeout);
        Assert.True(_members[1].Node.Store.Contains(n.Hash));
        // Priced by node 1's local state: Ignore, no P4 for the honest relay.
        Assert.Equal(0, _members[1].Gossip.Metrics.Rejected);
        Assert.True(_members[1].Gossip.Metrics.Ignored >= 1);
        Assert.True(_members[1].Gossip.GetScore(_members[0].Host.PeerId) >= 0);
    }

    [Fact]
    public async Task The_store_takes_the_very_notification_the_message_id_function_decoded()
    {
        // The probe is the node's own API: the subscription hands out the router's message
        // (whose Parsed the id function decoded), the accepted listener the object the store
        // took. One object: decoded once, and its content hash (cached on it) computed once.
        Notification n = Notifications.WithWorkValue(Now(), Notifications.CheapBase);
        await using GossipSubscription seen = _members[1].Gossip.Subscribe(NotificationGossip.TopicOf(n.RecipientTag));
        var stored = new TaskCompletionSource<(Notification Taken, Origin Origin)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _members[1].Node.Ingress.AddAcceptedListener((x, origin) =>
        {
            if (x.Hash == n.Hash)
            {
                stored.TrySetResult((x, origin));
            }
        });

        Decision published = await _members[0].Node.PublishAsync(n, Origin.Local).WaitAsync(Timeout);
        Assert.Equal(DecisionStatus.Accepted, published.Status);
        (Notification taken, Origin from) = await stored.Task.WaitAsync(Timeout);
        using var limit = new CancellationTokenSource(Timeout);
        GossipMessage message = await seen.ReadAllAsync(limit.Token).FirstAsync(m => m.Parsed is Notification p && p.Hash == n.Hash, limit.Token);

        Assert.Same(message.Parsed, taken);
        Assert.NotSame(n, taken);
        Assert.Equal(OriginKind.GossipPeer, from.Kind);
        Assert.Equal(_members[0].Host.PeerId.ToString(), from.Key);
    }

    [Fact]
    public async Task A_gossiped_notification_is_decoded_and_hashed_once_per_node_and_a_published_one_not_again()
    {
        Notification n = Notifications.WithWorkValue(Now(), Notifications.CheapBase);
        // Listeners run in order: once these fire, NotificationGossip's listener has run too.
        Task[] announced = _members.Select(m => AcceptedAsync(m, n)).ToArray();

        Assert.Equal(DecisionStatus.Accepted, (await _members[0].Node.Ingress.SubmitAsync(n)).Status);
        await Task.WhenAll(announced).WaitAsync(Timeout);

        // Node 0 published with the id made from the gate's hash; nodes 1 and 2 made the id
        // (decode + hash) once from the copy they received and did not publish it again.
        Assert.Equal([0, 1, 1], _members.Select(m => m.MessageIdsComputed).ToArray());
        Assert.All(_members, m => Assert.Equal(0, m.Gossip.Metrics.Rejected));
    }

    [Fact]
    public void The_message_id_is_the_content_hash_then_the_work_big_endian()
    {
        Notification n = Notifications.Make(work: 0x0102030405060708);
        var message = new GossipMessage(NotificationGossip.TopicOf(n.RecipientTag), NotificationProtobuf.Encode(n));

        MessageId id = NotificationGossip.MessageIdOf(message);

        Assert.Equal([.. n.Hash.ToArray(), 1, 2, 3, 4, 5, 6, 7, 8], id.Bytes.ToArray());
        Assert.Equal(NotificationGossip.MessageIdSize, id.Bytes.Length);
        Assert.Equal(id, NotificationGossip.MessageIdOf(n));
        Assert.NotEqual(id, NotificationGossip.MessageIdOf(n.WithWork(9)));
        // The validator gets the notification the id function decoded.
        Assert.Equal(n.Hash, Assert.IsType<Notification>(message.Parsed).Hash);

        var garbage = new GossipMessage(NotificationGossip.Topics[0], new byte[] { 1, 2, 3 });
        Assert.Equal(SHA256.HashData(new byte[] { 1, 2, 3 }), NotificationGossip.MessageIdOf(garbage).Bytes.ToArray());
        Assert.Null(garbage.Parsed);
    }

    private static Task AcceptedAsync(Member member, Notification n)
    {
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        member.Node.Ingress.AddAcceptedListener((x, _) =>
        {
            if (x.Hash == n.Hash)
            {
                accepted.TrySetResult();
            }
        });
        return accepted.Task;
    }

    private static Notification Now(RecipientTag? tag = null) =>
        Notifications.Make(tag, timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private sealed class Member : IAsyncDisposable
    {
        private readonly TempDirectory _dir;
        private int _messageIds;

        private Member(TempDirectory dir, NnrpNode node)
        {
            _dir = dir;
            Node = node;
        }

        public Libp2pHost Host => Node.Host;

        public NnrpNode Node { get; }

        public GossipSubService Gossip => Node.Gossip;

        /// <summary>How often the message id function ran (each run decodes and hashes).</summary>
        public int MessageIdsComputed => Volatile.Read(ref _messageIds);

        public Multiaddr Address => Host.ListenAddresses[0].WithPeerIdMultihash(Host.PeerId.Bytes.Span);

        public static async Task<Member> StartAsync(WorkPolicy policy)
        {
            var dir = new TempDirectory();
            Member? member = null;
            GossipSubOptions options = NotificationGossip.DefaultOptions(privateNetwork: true, heartbeatInterval: TimeSpan.FromMilliseconds(100)) with
            {
                MessageIdFunction = message =>
                {
                    Interlocked.Increment(ref member!._messageIds);
                    return NotificationGossip.MessageIdOf(message);
                },
            };
            NnrpNode node = await NnrpNode.StartAsync(new NnrpNodeOptions
            {
                DataDirectory = dir.Path,
                Ingress = new IngressOptions { Policy = policy },
                PrivateNetwork = true,
                Gossip = options,
                SyncOnSchedule = false,
            });
            member = new Member(dir, node);
            return member;
        }

        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            _dir.Dispose();
        }
    }
}
