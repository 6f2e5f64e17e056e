using Nnrp.Core.Work;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Http;
using Nnrp.Node;
using Nnrp.Node.Ingress;
using Nnrp.Protocol.Shards;

namespace Nnrp.Client.Tests.Testing;

/// <summary>
/// Real NNRP nodes on loopback TCP (libp2p host + RocksDB store in a temp dir + /nnrp/1.0),
/// each with its own identity, for the SDK's end-to-end tests.
/// </summary>
internal sealed class LoopbackNodes : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-client-nodes-").FullName;
    private readonly List<Member> _members = [];

    public static async Task<LoopbackNodes> StartAsync(int count, ulong baseThreshold = Samples.EasyThreshold)
    {
        var nodes = new LoopbackNodes();
        for (int i = 0; i < count; i++)
        {
            var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
            await host.StartAsync(CancellationToken.None);
            var member = new Member(host, Path.Combine(nodes._root, $"node{i}"), baseThreshold);
            member.Start();
            nodes._members.Add(member);
        }
        return nodes;
    }

    /// <summary>
    /// Nodes that also run the Kad-DHT in server mode, each bootstrapped from the first and
    /// providing shard (0, 0) as a node that stores everything does (NNRP.md §8).
    /// </summary>
    public static async Task<LoopbackNodes> StartWithDhtAsync(int count)
    {
        LoopbackNodes nodes = await StartAsync(count);
        foreach (Member m in nodes._members)
        {
            await m.StartDhtAsync(m == nodes._members[0] ? [] : [Multiaddr.Parse(nodes._members[0].Address)]);
        }
        foreach (Member m in nodes._members)
        {
            await m.Kad!.ProvideAsync(ShardKeys.WireKey(0, 0), CancellationToken.None);
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

    /// <summary>Node <paramref name="i"/> loses its whole store and comes back empty at the same address.</summary>
    public async Task LoseDataAsync(int i)
    {
        Member m = _members[i];
        await m.Node!.DisposeAsync();
        Directory.Delete(m.DataDirectory, recursive: true);
        m.Start();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Member m in _members)
        {
            await m.StopAsync();
        }
        Directory.Delete(_root, recursive: true);
    }

    private sealed class Member(Libp2pHost host, string dataDirectory, ulong baseThreshold)
    {
        private bool _stopped;

        public string DataDirectory => dataDirectory;

        public NnrpNode? Node { get; private set; }

        public KadService? Kad { get; private set; }

        public HttpApi? Http { get; private set; }

        public async Task StartHttpAsync()
        {
            var context = new HttpApiContext(Node!, host, TimeProvider.System);
            Http = await HttpApi.StartAsync(context, new HttpApiOptions { Urls = ["http://127.0.0.1:0"] }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None);
        }

        public string Address { get; } = host.ListenAddresses[0].WithPeerIdMultihash(host.PeerId.Bytes.Span).ToString();

        public void Start() => Node = NnrpNode.Start(host, new NnrpNodeOptions
        {
            DataDirectory = dataDirectory,
            Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = baseThreshold } },
        });

        public async Task StartDhtAsync(IReadOnlyList<Multiaddr> bootstrap)
        {
            var identify = new IdentifyService(host);
            identify.Start();
            Kad = new KadService(host, new MemoryProviderStore(), new KadOptions { BootstrapPeers = bootstrap, AllowPrivateAddresses = true }, identify);
            await Kad.StartAsync(CancellationToken.None);
        }

        public async Task StopAsync()
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            if (Http is not null)
            {
                await Http.DisposeAsync();
            }
            if (Kad is not null)
            {
                await Kad.DisposeAsync();
                Kad.Providers.Dispose();
            }
            await host.DisposeAsync();
            await Node!.DisposeAsync();
        }
    }
}
