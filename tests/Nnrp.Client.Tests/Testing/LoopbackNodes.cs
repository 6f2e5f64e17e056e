using Nnrp.Core.Work;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Http;
using Nnrp.Node;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Shards;
using Nnrp.Core.Protocol;
using Nnrp.Protocol.Shards;

namespace Nnrp.Client.Tests.Testing;

/// <summary>
/// Real NNRP nodes on loopback TCP built by the composition root (<see cref="NnrpNode.StartAsync"/>:
/// RocksDB store in a temp dir, /nnrp/1.0, gossip, DHT, sync), each with its own identity, for the SDK's end-to-end tests.
/// </summary>
internal sealed class LoopbackNodes : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-client-nodes-").FullName;
    private readonly List<Member> _members = [];

    public static Task<LoopbackNodes> StartAsync(int count, ulong baseThreshold = Samples.EasyThreshold, bool dht = false) =>
        StartAsync(Enumerable.Repeat(new ShardRole([Full], [], baseThreshold), count).ToArray(), dht, sync: true);

    private static async Task<LoopbackNodes> StartAsync(IReadOnlyList<ShardRole> roles, bool dht, bool sync)
    {
        var nodes = new LoopbackNodes();
        for (int i = 0; i < roles.Count; i++)
        {
            var member = new Member(Path.Combine(nodes._root, $"node{i}"), roles[i],
                dht && i > 0 ? [Multiaddr.Parse(nodes._members[0].Address)] : [], sync);
            nodes._members.Add(member);
            await member.StartAsync();
        }
        return nodes;
    }

    /// <summary>Shard (0, 0): everything (NNRP.md §8).</summary>
    public static readonly Shard Full = new() { Bits = 0, Index = 0 };

    /// <summary>
    /// Nodes in the roles given, their Kad-DHT bootstrapped from the first. Once all are up each
    /// provides shard (0, 0) and its role's extra shard keys (beside the keys of its own shards,
    /// §14.2), so every node holds every record and some records lie. A node holds exactly its
    /// role's shards (a fixed setting, §8.1) and refuses other tags (§8.3). No scheduled sync: it is
    /// not under test, and a session still running at shutdown can throw out of the node's
    /// DisposeAsync (an IOException once the token is cancelled; reported, Node code).
    /// </summary>
    public static async Task<LoopbackNodes> StartShardedAsync(IReadOnlyList<ShardRole> roles)
    {
        LoopbackNodes nodes = await StartAsync(roles, dht: true, sync: false);
        foreach (Member m in nodes._members)
        {
            await m.Node!.DhtReady.WaitAsync(Limit);
        }
        for (int i = 0; i < roles.Count; i++)
        {
            foreach (Shard shard in (Shard[])[Full, .. roles[i].Provides])
            {
                await nodes._members[i].Node!.Kad.ProvideAsync(ShardKeys.WireKey((int)shard.Bits, shard.Index), CancellationToken.None).WaitAsync(Limit);
            }
        }
        return nodes;
    }

    /// <summary>
    /// Nodes whose Kad-DHT is bootstrapped from the first, each providing shard (0, 0) as a node
    /// that stores everything does (NNRP.md §8) — again once all are up, so every node holds the records.
    /// </summary>
    public static async Task<LoopbackNodes> StartWithDhtAsync(int count)
    {
        LoopbackNodes nodes = await StartAsync(count, dht: true);
        foreach (Member m in nodes._members)
        {
            await m.Node!.DhtReady.WaitAsync(Limit);
        }
        foreach (Member m in nodes._members)
        {
            await m.Node!.Kad.ProvideAsync(ShardKeys.WireKey(0, 0), CancellationToken.None).WaitAsync(Limit);
        }
        return nodes;
    }

    /// <summary>Nodes that also serve their HTTP API on a loopback port.</summary>
    public static async Task<LoopbackNodes> StartWithHttpAsync(int count)
    {
        LoopbackNodes nodes = await StartAsync(count);
        foreach (Member m in nodes._members)
        {
            await m.StartHttpAsync();
        }
        return nodes;
    }

    public int Count => _members.Count;

    /// <summary>The HTTP API base URL of node <paramref name="i"/> (after <see cref="StartWithHttpAsync"/>).</summary>
    public string HttpUrl(int i) => _members[i].Http!.Urls[0];

    /// <summary>Multiaddr with /p2p/ of node <paramref name="i"/>.</summary>
    public string Address(int i) => _members[i].Address;

    public IReadOnlyList<string> Addresses => _members.Select(m => m.Address).ToArray();

    public NnrpNode Node(int i) => _members[i].Node!;

    /// <summary>Stops node <paramref name="i"/>: its port closes, dials are refused.</summary>
    public Task StopAsync(int i) => _members[i].StopAsync();

    /// <summary>Node <paramref name="i"/> loses its whole store and comes back empty with the same identity at the same address.</summary>
    public async Task LoseDataAsync(int i)
    {
        Member m = _members[i];
        await m.StopAsync();
        Directory.Delete(m.DataDirectory, recursive: true);
        await m.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Member m in _members)
        {
            await m.StopAsync();
        }
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>One node built by the composition root; a restart keeps its key and its port.</summary>
    private sealed class Member(string dataDirectory, ShardRole role, IReadOnlyList<Multiaddr> bootstrap, bool sync)
    {
        private readonly KeyPair _identity = KeyPair.Generate();
        private Multiaddr _listen = Multiaddr.Parse("/ip4/127.0.0.1/tcp/0");

        public string DataDirectory => dataDirectory;

        public NnrpNode? Node { get; private set; }

        public HttpApi? Http { get; private set; }

        public string Address { get; private set; } = "";

        public async Task StartAsync()
        {
            Node = await NnrpNode.StartAsync(new NnrpNodeOptions
            {
                DataDirectory = dataDirectory,
                Identity = _identity,
                Host = new HostOptions { ListenAddresses = [_listen] },
                PrivateNetwork = true,
                Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = role.BaseThreshold } },
                Shards = new ShardOptions { Setting = new ShardSetting { Fixed = new ShardSet(role.Status.Select(s => new ShardId((int)s.Bits, s.Index))) } },
                SyncOnSchedule = sync,
                Dht = new NodeDhtOptions { BootstrapPeers = bootstrap, OpenProviderStore = _ => new MemoryProviderStore() },
            }).WaitAsync(Limit);
            _listen = Node.Host.ListenAddresses[0];
            Address = _listen.WithPeerIdMultihash(Node.PeerId.Bytes.Span).ToString();
        }

        public async Task StartHttpAsync()
        {
            var context = new HttpApiContext(Node!, Node!.Host, TimeProvider.System);
            Http = await HttpApi.StartAsync(context, new HttpApiOptions { Urls = ["http://127.0.0.1:0"] }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None);
        }

        public async Task StopAsync()
        {
            if (Http is not null)
            {
                await Http.DisposeAsync();
                Http = null;
            }
            if (Node is not null)
            {
                await Node.DisposeAsync();
                Node = null;
            }
        }
    }
}

/// <summary>What a loopback node says it holds (its status, §11.7), which extra shard keys it provides in the DHT, and the work it demands.</summary>
internal sealed record ShardRole(IReadOnlyList<Shard> Status, IReadOnlyList<Shard> Provides, ulong BaseThreshold = Samples.EasyThreshold)
{
    public static Shard Of(int bits, uint index) => new() { Bits = (uint)bits, Index = index };
}
