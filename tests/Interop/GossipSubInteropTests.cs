using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Scoring;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Identity;
using Xunit.Abstractions;

namespace Nnrp.Interop;

/// <summary>
/// GossipSub against js-libp2p <c>@libp2p/gossipsub</c> (js/gossip-peer.mjs), both configured as
/// NNRP runs it: StrictNoSign, message id = SHA-256 of the data, and the same validator rule
/// (a message whose first byte is 0x00 is rejected). Connections go both ways.
/// </summary>
public class GossipSubInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "/nnrp/notifications/1.0";
    private const int JsCount = 2;
    private const int CSharpCount = 3;
    private readonly ILoggerFactory _loggers = TestLogging.Create(output, LogLevel.Warning);
    private readonly List<JsPeer> _js = [];
    private readonly List<CSharpPeer> _cs = [];
    private readonly List<GossipSubService> _gossip = [];
    private readonly List<ConcurrentDictionary<string, int>> _csReceived = [];

    private static GossipSubOptions Options() => new()
    {
        SignaturePolicy = SignaturePolicy.StrictNoSign,
        MessageIdFunction = MessageIdFunctions.Sha256OfData,
        Scoring = new PeerScoreParams
        {
            Topics = new Dictionary<string, TopicScoreParams> { [Topic] = new() },
            IPColocationFactorWhitelist = [IPNetwork.Parse("127.0.0.0/8")],
        },
    };

    /// <summary>Where every peer listens (and so which transport carries the test); the WebSocket subclass says /ws.</summary>
    protected virtual string Listen => "/ip4/127.0.0.1/tcp/0";

    public async Task InitializeAsync()
    {
        for (int i = 0; i < JsCount; i++)
        {
            JsPeer js = await JsPeer.StartAsync("js/gossip-peer.mjs", new Dictionary<string, string> { ["HEARTBEAT_MS"] = "200", ["LISTEN"] = Listen });
            await js.CallAsync("subscribe", new { topic = Topic });
            _js.Add(js);
        }
        for (int i = 0; i < CSharpCount; i++)
        {
            CSharpPeer cs = await CSharpPeer.StartAsync(_loggers, listen: Listen);
            GossipSubService gossip = GossipSubService.Attach(cs.Host, Options(), _loggers);
            gossip.SetValidator(Topic, static (m, _, _) =>
                ValueTask.FromResult(m.Data.Length > 0 && m.Data.Span[0] == 0 ? ValidationResult.Reject : ValidationResult.Accept));
            GossipSubscription subscription = gossip.Subscribe(Topic);
            var received = new ConcurrentDictionary<string, int>();
            _ = Task.Run(async () =>
            {
                await foreach (GossipMessage m in subscription.ReadAllAsync())
                {
                    received.AddOrUpdate(Convert.ToHexStringLower(m.Data.Span), 1, (_, n) => n + 1);
                }
            });
            _cs.Add(cs);
            _gossip.Add(gossip);
            _csReceived.Add(received);
        }
        // A chain that alternates languages and dial directions: js0 → cs0, cs0 → js1, js1 → cs1, cs1 → cs2, cs2 → js0.
        await _js[0].CallAsync("dial", new { addr = _cs[0].DialAddress.ToString() });
        await _cs[0].Host.DialAsync(Nnrp.Libp2p.Addressing.Multiaddr.Parse(_js[1].DialAddress), CancellationToken.None);
        await _js[1].CallAsync("dial", new { addr = _cs[1].DialAddress.ToString() });
        await _cs[1].Host.DialAsync(_cs[2].DialAddress, CancellationToken.None);
        await _cs[2].Host.DialAsync(Nnrp.Libp2p.Addressing.Multiaddr.Parse(_js[0].DialAddress), CancellationToken.None);

        // Meshes form over both languages: every C# node grafts both neighbours, every js node sees two mesh peers.
        await Eventually.TrueAsync(() => _gossip.All(g => g.GetMeshPeers(Topic).Count == 2), "C# meshes with two peers each");
        foreach (JsPeer js in _js)
        {
            await WaitJsMeshAsync(js, 2);
        }
    }

    private static async Task WaitJsMeshAsync(JsPeer js, int count)
    {
        using var limit = new CancellationTokenSource(Eventually.DefaultTimeout);
        while ((await js.CallAsync("peers", new { topic = Topic }))["mesh"]!.AsArray().Count < count)
        {
            await Task.Delay(100, limit.Token);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (GossipSubService g in _gossip)
        {
            await g.DisposeAsync();
        }
        foreach (CSharpPeer cs in _cs)
        {
            await cs.DisposeAsync();
        }
        foreach (JsPeer js in _js)
        {
            await js.DisposeAsync();
        }
        _loggers.Dispose();
    }

    [Fact]
    public async Task Mixed_network_delivers_every_message_to_every_subscriber_in_both_directions()
    {
        var published = new List<(string Data, int Author)>(); // authors: 0..1 js, 2..4 C#
        for (int round = 0; round < 5; round++)
        {
            for (int j = 0; j < JsCount; j++)
            {
                string data = $"01{round:x2}{j:x2}aa";
                await _js[j].CallAsync("publish", new { topic = Topic, data });
                published.Add((data, j));
            }
            for (int c = 0; c < CSharpCount; c++)
            {
                string data = $"01{round:x2}{c:x2}cc";
                _gossip[c].Publish(Topic, Convert.FromHexString(data));
                published.Add((data, JsCount + c));
            }
        }
        for (int c = 0; c < CSharpCount; c++)
        {
            int me = JsCount + c;
            var expected = published.Where(p => p.Author != me).Select(p => p.Data).ToHashSet();
            await Eventually.TrueAsync(() => expected.All(_csReceived[c].ContainsKey), $"C# node {c} has every message");
            Assert.All(_csReceived[c].Values, n => Assert.Equal(1, n));
        }
        for (int j = 0; j < JsCount; j++)
        {
            foreach (var (data, author) in published.Where(p => p.Author != j))
            {
                await _js[j].WaitForEventAsync("message", e => e["data"]!.GetValue<string>() == data);
            }
        }
    }

    [Fact]
    public async Task Js_messages_that_fail_validation_are_rejected_by_csharp_and_not_relayed()
    {
        PeerId js0 = PeerId.Parse(_js[0].PeerId);
        await _js[0].CallAsync("publish", new { topic = Topic, data = "00dead" });
        await _js[0].CallAsync("publish", new { topic = Topic, data = "01beef" });
        // cs0 and cs2 are js0's neighbours: they reject the bad one and penalise js0 (P4).
        await Eventually.TrueAsync(() => _gossip[0].Metrics.Rejected + _gossip[2].Metrics.Rejected >= 1, "a C# rejection");
        await Eventually.TrueAsync(() => _csReceived.All(r => r.ContainsKey("01beef")), "the valid message everywhere");
        Assert.All(_csReceived, r => Assert.False(r.ContainsKey("00dead")));
        Assert.True(Math.Min(_gossip[0].GetScore(js0), _gossip[2].GetScore(js0)) < 0);
        // js1 only hears of messages through C# nodes, which never forward a rejected one.
        JsonObject message = await _js[1].WaitForEventAsync("message", e => e["data"]!.GetValue<string>() == "01beef");
        Assert.NotNull(message);
        Assert.False(_js[1].HasEvent("message", e => e["data"]!.GetValue<string>() == "00dead"));
    }
}
