using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Tests.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Identify;

/// <summary>identify and identify push between our own hosts (js interop lives in tests/Interop).</summary>
public sealed class IdentifyTests : IAsyncLifetime
{
    private readonly Hosts _hosts = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task Both_sides_learn_protocols_agent_listen_and_observed_addresses()
    {
        IdentifyService? aId = null, bId = null;
        Libp2pHost a = await _hosts.StartAsync(configure: h => (aId = new IdentifyService(h)).Start());
        Libp2pHost b = await _hosts.StartAsync(configure: h =>
        {
            (bId = new IdentifyService(h)).Start();
            h.SetStreamHandler("/b-only/1", static (_, _) => Task.CompletedTask);
        });

        Connection c = await Within(a.DialAsync(AddressOf(b), CancellationToken.None));
        IdentifyResult ofB = await Within(aId!.WaitForIdentifyAsync(b.PeerId, CancellationToken.None));
        IdentifyResult ofA = await Within(bId!.WaitForIdentifyAsync(a.PeerId, CancellationToken.None));

        Assert.Equal(HostOptions.DefaultAgentVersion, ofB.AgentVersion);
        Assert.StartsWith("nnrp/", ofB.AgentVersion, StringComparison.Ordinal);
        Assert.Equal("ipfs/0.1.0", ofB.ProtocolVersion);
        Assert.Contains("/b-only/1", ofB.Protocols);
        Assert.Contains(IdentifyService.ProtocolId, ofA.Protocols);
        Assert.Contains(b.ListenAddresses[0], ofB.ListenAddresses);
        Assert.Equal(c.LocalAddress, ofB.ObservedAddress);
        Assert.Contains("/b-only/1", a.PeerStore.GetProtocols(b.PeerId));
        Assert.Contains(b.ListenAddresses[0], a.PeerStore.GetAddresses(b.PeerId));
    }

    [Fact]
    public async Task A_new_protocol_is_pushed_to_connected_peers()
    {
        IdentifyService? aId = null;
        Libp2pHost a = await _hosts.StartAsync(configure: h => (aId = new IdentifyService(h)).Start());
        Libp2pHost b = await _hosts.StartAsync(configure: h => new IdentifyService(h).Start());
        await Within(a.DialAsync(AddressOf(b), CancellationToken.None));
        await Within(aId!.WaitForIdentifyAsync(b.PeerId, CancellationToken.None));
        var pushed = new TaskCompletionSource<IdentifyResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        aId.PeerIdentified += (_, e) =>
        {
            if (e.Result.Protocols.Contains("/late/1"))
            {
                pushed.TrySetResult(e.Result);
            }
        };

        b.SetStreamHandler("/late/1", static (_, _) => Task.CompletedTask);

        IdentifyResult after = await Within(pushed.Task);
        Assert.Contains("/late/1", a.PeerStore.GetProtocols(b.PeerId));
        Assert.Equal(HostOptions.DefaultAgentVersion, after.AgentVersion);
    }
}
