using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.Identity;
using Xunit.Abstractions;

namespace Nnrp.Interop;

/// <summary>
/// AutoNAT v2 (NNRP.md §14.5) against js-libp2p @libp2p/autonat-v2 2.0.15, both directions.
/// js → C#: js-encoded DialRequest / DialDataResponse / DialBack handling (js/autonat-peer.mjs
/// ROLE=client; the stock js client never asks about loopback addresses) against our server.
/// C# → js: our client against the stock js server. That server refuses private IPs, so on
/// loopback it can only be asked about a public-looking address: 233.252.0.1 (MCAST-TEST-NET,
/// RFC 5771), which it makes us pay dial data for and then fails to dial at once.
/// </summary>
public sealed class AutoNatInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ILoggerFactory _loggers = TestLogging.Create(output, LogLevel.Debug);
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
        _loggers.Dispose();
    }

    [Fact]
    public async Task A_js_client_is_dialed_back_by_our_server_with_its_nonce()
    {
        (CSharpPeer server, AutoNatServer autoNat) = await StartServerAsync();
        JsPeer js = await StartJsAsync("client", "/ip4/127.0.0.1/tcp/0");

        JsonObject answer = await js.CallAsync("ask", new { server = server.DialAddress.ToString(), addrs = new[] { js.Addresses[0] } });

        Assert.Equal("OK", answer["status"]!.GetValue<string>());
        Assert.Equal("OK", answer["dialStatus"]!.GetValue<string>());
        Assert.Equal(0, answer["addrIdx"]!.GetValue<int>());
        Assert.Equal(0, answer["dialDataRequested"]!.GetValue<int>());
        JsonObject dialBack = answer["dialBack"]!.AsObject();
        // NNRP.md §14.5: the dial back authenticates as a key of its own, not the server's peer id;
        // js-libp2p's client accepts it on the nonce (dialStatus OK is its DialBackResponse).
        Assert.NotEqual(server.Host.PeerId.ToString(), dialBack["remotePeer"]!.GetValue<string>());
        Assert.Equal("inbound", dialBack["direction"]!.GetValue<string>());
        Assert.Equal(1, autoNat.DialsMade);
    }

    [Fact]
    public async Task A_js_client_on_another_IP_pays_dial_data_and_is_dialed_back()
    {
        (CSharpPeer server, AutoNatServer autoNat) = await StartServerAsync();
        JsPeer js = await StartJsAsync("client", "/ip4/127.0.0.2/tcp/0");

        JsonObject answer = await js.CallAsync("ask", new { server = server.DialAddress.ToString(), addrs = new[] { js.Addresses[0] } });

        int requested = answer["dialDataRequested"]!.GetValue<int>();
        Assert.InRange(requested, 30_000, 100_000);
        Assert.True(answer["paid"]!.GetValue<int>() >= requested);
        Assert.Equal("OK", answer["status"]!.GetValue<string>());
        Assert.Equal("OK", answer["dialStatus"]!.GetValue<string>());
        Assert.NotNull(answer["dialBack"]);
        Assert.Equal(1, autoNat.DialsMade);
    }

    [Fact]
    public async Task A_js_client_that_will_not_pay_is_not_dialed()
    {
        (CSharpPeer server, AutoNatServer autoNat) = await StartServerAsync();
        JsPeer js = await StartJsAsync("client", "/ip4/127.0.0.2/tcp/0");

        JsonObject answer = await js.CallAsync("ask", new { server = server.DialAddress.ToString(), addrs = new[] { js.Addresses[0] }, maxDialData = 1000 });

        Assert.True(answer["refused"]!.GetValue<bool>());
        Assert.Equal(0, autoNat.DialsMade);
    }

    [Fact]
    public async Task Our_client_pays_the_js_servers_dial_data_and_reads_its_dial_error()
    {
        JsPeer js = await StartJsAsync("server", "/ip4/127.0.0.1/tcp/0");
        CSharpPeer client = await CSharpPeer.StartAsync(_loggers);
        _owned.Add(client);
        var autoNat = new AutoNatClient(client.Host, client.Identify, new AutoNatClientOptions { BackgroundProbing = false }, _loggers);
        autoNat.Start();
        _owned.Add(autoNat);
        PeerId jsId = PeerId.Parse(js.PeerId);
        await client.Host.DialAsync(Multiaddr.Parse(js.DialAddress), CancellationToken.None).WaitAsync(Timeout);
        Assert.Contains(AutoNatProtocol.DialRequest, (await client.Identify.WaitForIdentifyAsync(jsId, CancellationToken.None).WaitAsync(Timeout)).Protocols);
        Multiaddr unreachable = Multiaddr.Parse("/ip4/233.252.0.1/tcp/4001");

        ProbeResult result = await autoNat.ProbeAsync(jsId, [unreachable], CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(ProbeOutcome.NotDialable, result.Outcome);
        Assert.Equal(unreachable, result.Address);
    }

    private async Task<(CSharpPeer, AutoNatServer)> StartServerAsync()
    {
        CSharpPeer peer = await CSharpPeer.StartAsync(_loggers);
        _owned.Add(peer);
        // Loopback testnet: the server may dial private addresses (NNRP.md §14.5, --private-network).
        var server = new AutoNatServer(peer.Host, new AutoNatServerOptions { AllowPrivateAddresses = true }, _loggers);
        server.Start();
        return (peer, server);
    }

    private async Task<JsPeer> StartJsAsync(string role, string listen)
    {
        JsPeer js = await JsPeer.StartAsync("js/autonat-peer.mjs", new Dictionary<string, string> { ["ROLE"] = role, ["LISTEN"] = listen });
        _owned.Add(js);
        return js;
    }
}
