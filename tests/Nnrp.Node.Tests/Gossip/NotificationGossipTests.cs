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
using Nnrp.Node.Ingress;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Gossip;

/// <summary>NNRP.md §14.3: accepted notifications spread by gossip, and gossip enters through the ingress gate.</summary>
public sealed class NotificationGossipTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<Member> _members = [];

    public async Task InitializeAsync()
    {
        for (int i = 0; i < 3; i++)
        {
            _members.Add(await Member.StartAsync());
        }
        // A line: 0 — 1 — 2, so 2 hears 0 only through 1's validation.
        await _members[0].Host.DialAsync(_members[1].Address, CancellationToken.None).WaitAsync(Timeout);
        await _members[1].Host.DialAsync(_members[2].Address, CancellationToken.None).WaitAsync(Timeout);
        foreach (Member m in _members)
        {
            await Until(() => m.Gossip.GetMeshPeers(NotificationGossip.Topic).Count > 0, "every node has a mesh peer");
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

        IngressResult result = await _members[0].Node.Ingress.SubmitAsync(n);

        Assert.Equal(IngressStatus.Accepted, result.Status);
        await Until(() => _members.All(m => m.Node.Store.Contains(n.Hash)), "all three nodes store it");
    }

    [Fact]
    public async Task Gossip_with_short_work_is_rejected_by_the_gate_and_goes_no_further()
    {
        Notification bad = Notifications.WithWorkValue(Now(), 0, Notifications.CheapBase - 1);
        Notification good = Notifications.WithWorkValue(Now(), Notifications.CheapBase);

        // Straight onto the topic from node 0, past its own gate, as a misbehaving peer would.
        _members[0].Gossip.Publish(NotificationGossip.Topic, NotificationProtobuf.Encode(bad));
        _members[0].Gossip.Publish(NotificationGossip.Topic, NotificationProtobuf.Encode(good));

        await Until(() => _members[2].Node.Store.Contains(good.Hash), "the good one arrives at the far end");
        Assert.False(_members[1].Node.Store.Contains(bad.Hash));
        Assert.False(_members[2].Node.Store.Contains(bad.Hash));
        Assert.True(_members[1].Node.Ingress.Count(IngressStatus.InsufficientWork) >= 1);
        Assert.True(_members[1].Gossip.Metrics.Rejected >= 1);
    }

    [Fact]
    public void The_message_id_is_the_content_hash()
    {
        Notification n = Notifications.Make(work: 7);
        MessageId id = NotificationGossip.ContentHashId(new GossipMessage(NotificationGossip.Topic, NotificationProtobuf.Encode(n)));
        Assert.Equal(n.Hash.ToArray(), id.Bytes.ToArray());

        MessageId garbage = NotificationGossip.ContentHashId(new GossipMessage(NotificationGossip.Topic, new byte[] { 1, 2, 3 }));
        Assert.Equal(SHA256.HashData(new byte[] { 1, 2, 3 }), garbage.Bytes.ToArray());
    }

    private static Notification Now() =>
        Notifications.Make(timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static async Task Until(Func<bool> condition, string what)
    {
        using var limit = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(25, limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }
        }
    }

    private sealed class Member : IAsyncDisposable
    {
        private readonly TempDirectory _dir;

        private Member(TempDirectory dir, Libp2pHost host, NnrpNode node, GossipSubService gossip)
        {
            _dir = dir;
            Host = host;
            Node = node;
            Gossip = gossip;
        }

        public Libp2pHost Host { get; }

        public NnrpNode Node { get; }

        public GossipSubService Gossip { get; }

        public Multiaddr Address => Host.ListenAddresses[0].WithPeerIdMultihash(Host.PeerId.Bytes.Span);

        public static async Task<Member> StartAsync()
        {
            var dir = new TempDirectory();
            var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
            NnrpNode node = NnrpNode.Start(host, new NnrpNodeOptions
            {
                DataDirectory = dir.Path,
                Ingress = new IngressOptions { Policy = Notifications.CheapPolicy },
            });
            GossipSubOptions options = NotificationGossip.DefaultOptions(privateNetwork: true, heartbeatInterval: TimeSpan.FromMilliseconds(100));
            GossipSubService gossip = GossipSubService.Attach(host, options);
            new NotificationGossip(gossip, node.Ingress).Start();
            await host.StartAsync(CancellationToken.None);
            return new Member(dir, host, node, gossip);
        }

        public async ValueTask DisposeAsync()
        {
            await Gossip.DisposeAsync();
            await Node.DisposeAsync();
            await Host.DisposeAsync();
            _dir.Dispose();
        }
    }
}
