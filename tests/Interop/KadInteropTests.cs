using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Xunit.Abstractions;

namespace Nnrp.Interop;

/// <summary>
/// A mixed network of three C# nodes and three js-libp2p nodes running @libp2p/kad-dht on
/// /nnrp/kad/1.0 in server mode (issue 3 "How it is proven"): FIND_NODE reaches every node
/// from both sides, and provider records announced on one side are found from the other.
/// </summary>
public sealed class KadInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly ILoggerFactory _loggers = TestLogging.Create(output, LogLevel.Information);
    private readonly List<(CSharpPeer Peer, KadService Kad)> _cs = [];
    private readonly List<KadJsPeer> _js = [];

    private IEnumerable<string> AllIds => _cs.Select(c => c.Peer.Host.PeerId.ToString()).Concat(_js.Select(j => j.PeerId));

    public async Task InitializeAsync()
    {
        // C# node 0 is the first bootstrap peer; js nodes join through it, and the other C#
        // nodes join through a js node, so discovery must cross implementations both ways.
        _cs.Add(await StartCSharpAsync([]));
        for (int i = 0; i < 3; i++)
        {
            KadJsPeer js = await KadJsPeer.StartAsync();
            _js.Add(js);
            await js.CallAsync("dial", new { addr = _cs[0].Peer.DialAddress.ToString() });
        }
        for (int i = 0; i < 2; i++)
        {
            _cs.Add(await StartCSharpAsync([Multiaddr.Parse(_js[i].DialAddress)]));
        }
        // Every node walks towards itself once more, now that all have joined.
        await Task.WhenAll(_cs.Select(c => c.Kad.BootstrapAsync(CancellationToken.None))).WaitAsync(Timeout);
        await Task.WhenAll(_js.Select(j => j.CallAsync("getClosestPeers", new { peer = j.PeerId })));
    }

    private async Task<(CSharpPeer, KadService)> StartCSharpAsync(IReadOnlyList<Multiaddr> bootstrap)
    {
        CSharpPeer peer = await CSharpPeer.StartAsync(_loggers);
        var options = new KadOptions { AllowPrivateAddresses = true, BootstrapPeers = bootstrap };
        var kad = new KadService(peer.Host, new MemoryProviderStore(), options, peer.Identify, loggerFactory: _loggers);
        await kad.StartAsync(CancellationToken.None).WaitAsync(Timeout);
        return (peer, kad);
    }

    public async Task DisposeAsync()
    {
        foreach (KadJsPeer js in _js)
        {
            await js.DisposeAsync();
        }
        foreach ((CSharpPeer peer, KadService kad) in _cs)
        {
            await kad.DisposeAsync();
            await peer.DisposeAsync();
        }
        _loggers.Dispose();
    }

    [Fact]
    public async Task Find_node_from_a_csharp_node_reaches_every_node_of_the_mixed_network()
    {
        foreach ((CSharpPeer peer, KadService kad) in _cs)
        {
            IReadOnlyList<KadPeer> closest = await kad.GetClosestPeersAsync(peer.Host.PeerId.Bytes, CancellationToken.None).WaitAsync(Timeout);
            Assert.Equal(AllIds.Where(id => id != peer.Host.PeerId.ToString()).Order(), closest.Select(p => p.ToString()).Order());
            foreach (string other in AllIds.Where(id => id != peer.Host.PeerId.ToString()))
            {
                Assert.NotNull(await kad.FindPeerAsync(PeerId.Parse(other), CancellationToken.None).WaitAsync(Timeout));
            }
        }
    }

    [Fact]
    public async Task Find_node_from_a_js_node_reaches_every_node_of_the_mixed_network()
    {
        foreach (KadJsPeer js in _js)
        {
            JsonObject closest = await js.CallAsync("getClosestPeers", new { peer = js.PeerId });
            string[] found = closest["peers"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
            Assert.Equal(AllIds.Where(id => id != js.PeerId).Order(), found.Order());
            foreach ((CSharpPeer peer, _) in _cs)
            {
                JsonObject info = await js.CallAsync("findPeer", new { peer = peer.Host.PeerId.ToString() });
                Assert.Contains(peer.Host.ListenAddresses[0].ToString(), info["addrs"]!.AsArray().Select(a => a!.GetValue<string>()));
            }
        }
    }

    [Fact]
    public async Task Js_finds_the_provider_a_csharp_node_announced_for_a_shard_cid()
    {
        (CSharpPeer provider, KadService kad) = _cs[1];
        int took = await kad.ProvideAsync(ShardKeys.WireKey(0, 0), CancellationToken.None).WaitAsync(Timeout);
        Assert.True(took > 0);
        foreach (KadJsPeer js in _js)
        {
            JsonObject answer = await js.CallAsync("findProviders", new { cid = ShardKeys.CidString(0, 0), count = 1 });
            JsonNode found = Assert.Single(answer["providers"]!.AsArray())!;
            Assert.Equal(provider.Host.PeerId.ToString(), found["id"]!.GetValue<string>());
            Assert.NotEmpty(found["addrs"]!.AsArray());
        }
    }

    [Fact]
    public async Task Csharp_finds_the_provider_a_js_node_announced_for_a_shard_cid()
    {
        KadJsPeer provider = _js[1];
        JsonObject provided = await provider.CallAsync("provide", new { cid = ShardKeys.CidString(3, 5) });
        Assert.True(provided["sent"]!.GetValue<int>() > 0);
        foreach ((_, KadService kad) in _cs)
        {
            var found = new List<KadPeer>();
            await foreach (KadPeer p in kad.FindProvidersAsync(ShardKeys.WireKey(3, 5), 1, CancellationToken.None))
            {
                found.Add(p);
            }
            Assert.Equal(provider.PeerId, Assert.Single(found).ToString());
        }
    }
}

/// <summary>
/// tests/Interop/js/kad-peer.mjs as a child process, one JSON command per line (the protocol
/// of <see cref="JsPeer"/>, which is bound to peer.mjs).
/// </summary>
internal sealed class KadJsPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _nextId;

    private KadJsPeer(Process process, string peerId, string dialAddress)
    {
        _process = process;
        PeerId = peerId;
        DialAddress = dialAddress;
    }

    public string PeerId { get; }

    /// <summary>First listen address, already ending in /p2p/&lt;id&gt; as js reports it.</summary>
    public string DialAddress { get; }

    public static async Task<KadJsPeer> StartAsync()
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = JsPeer.InteropDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--import", "./js/polyfill.mjs", "js/kad-peer.mjs" })
        {
            start.ArgumentList.Add(arg);
        }
        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        JsonObject ready = await ReadObjectAsync(process, static o => o["event"]?.GetValue<string>() == "ready");
        return new KadJsPeer(process, ready["peerId"]!.GetValue<string>(), ready["addrs"]![0]!.GetValue<string>());
    }

    /// <summary>One command at a time; the answer or a <see cref="JsPeerException"/>.</summary>
    public async Task<JsonObject> CallAsync(string command, object arguments)
    {
        await _turn.WaitAsync();
        try
        {
            int id = ++_nextId;
            JsonObject message = JsonSerializer.SerializeToNode(arguments)!.AsObject();
            message["id"] = id;
            message["cmd"] = command;
            await _process.StandardInput.WriteLineAsync(message.ToJsonString());
            await _process.StandardInput.FlushAsync();
            JsonObject answer = await ReadObjectAsync(_process, o => o["id"]?.GetValue<int>() == id);
            return answer["ok"]?.GetValue<bool>() == true ? answer : throw new JsPeerException($"js kad peer failed '{command}': {answer["error"]}");
        }
        finally
        {
            _turn.Release();
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(Process process, Func<JsonObject, bool> match)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
        {
            try
            {
                if (JsonNode.Parse(line) is JsonObject obj && match(obj))
                {
                    return obj;
                }
            }
            catch (JsonException)
            {
                // a stray console line from a dependency
            }
        }
        throw new JsPeerException("js kad peer exited");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        _turn.Dispose();
    }
}
