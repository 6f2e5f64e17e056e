using Google.Protobuf;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.AutoNat.Protobuf;
using Nnrp.Libp2p.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.AutoNat;

/// <summary>
/// AutoNAT v2 end to end on loopback: servers dial the client back on a fresh connection with
/// the nonce, and the client settles an address only after enough servers agree.
/// </summary>
public sealed class AutoNatReachabilityTests : IAsyncLifetime
{
    private readonly AutoNatNet _net = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task A_listening_peer_becomes_Public_after_three_servers_confirm_its_address()
    {
        var servers = new List<Libp2pHost>();
        for (int i = 0; i < 3; i++)
        {
            servers.Add((await _net.StartServerAsync()).Host);
        }
        AutoNatNet.Client client = await _net.StartClientAsync();
        await AutoNatNet.ConnectAsync(client, [.. servers]);
        var changes = new List<Reachability>();
        client.AutoNat.ReachabilityChanged += (_, e) => changes.Add(e.Reachability);

        var seen = new List<Reachability>();
        foreach (Libp2pHost server in servers)
        {
            ProbeResult result = await Within(client.AutoNat.ProbeAsync(server.PeerId, client.Host.ListenAddresses, CancellationToken.None));
            Assert.Equal(ProbeOutcome.Dialable, result.Outcome);
            Assert.Equal(client.Host.ListenAddresses[0], result.Address);
            seen.Add(client.AutoNat.Reachability);
        }

        Assert.Equal([Reachability.Unknown, Reachability.Unknown, Reachability.Public], seen);
        Assert.Equal([Reachability.Public], changes);
        Assert.Equal(Reachability.Public, client.AutoNat.Confidence.VerdictOf(client.Host.ListenAddresses[0]));
    }

    [Fact]
    public async Task The_dial_back_arrives_on_a_new_connection_from_another_identity_that_the_server_closes()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync();
        Connection original = client.Host.FindConnection(server.PeerId)!;
        var inbound = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Host.ConnectionOpened += (_, e) =>
        {
            if (e.Connection.Direction == ConnectionDirection.Inbound)
            {
                inbound.TrySetResult(e.Connection);
            }
        };

        ProbeResult result = await Within(client.AutoNat.ProbeAsync(server.PeerId, client.Host.ListenAddresses, CancellationToken.None));

        Assert.Equal(ProbeOutcome.Dialable, result.Outcome);
        Connection dialBack = await Within(inbound.Task);
        // Not a second connection to the server: nothing of the client's can pick it for the
        // server's requests (a relay's STOP, a hole punch) before it closes (NNRP.md §14.5).
        Assert.NotEqual(server.PeerId, dialBack.RemotePeer);
        Assert.Equal([original], client.Host.GetConnections(server.PeerId));
        await Within(dialBack.Closed);
        Assert.False(original.IsClosed);
        Assert.Equal(1, autoNat.DialsMade);
    }

    [Fact]
    public async Task An_advertised_address_nothing_listens_on_becomes_Private()
    {
        var servers = new List<Libp2pHost>();
        for (int i = 0; i < 3; i++)
        {
            servers.Add((await _net.StartServerAsync()).Host);
        }
        AutoNatNet.Client client = await _net.StartClientAsync(announce: [AutoNatNet.DeadAddress()]);
        await AutoNatNet.ConnectAsync(client, [.. servers]);

        IReadOnlyList<ProbeResult> results = await Within(client.AutoNat.RunRoundAsync(CancellationToken.None));

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal(ProbeOutcome.NotDialable, r.Outcome));
        Assert.Equal(Reachability.Private, client.AutoNat.Reachability);
    }

    [Fact]
    public async Task The_background_loop_probes_new_servers_until_the_node_is_Public()
    {
        var servers = new List<Libp2pHost>();
        for (int i = 0; i < 3; i++)
        {
            servers.Add((await _net.StartServerAsync()).Host);
        }
        AutoNatNet.Client client = await _net.StartClientAsync(AutoNatNet.PrivateClient with { BackgroundProbing = true, ProbeInterval = TimeSpan.FromHours(1) });
        var becamePublic = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.AutoNat.ReachabilityChanged += (_, e) =>
        {
            if (e.Reachability == Reachability.Public)
            {
                becamePublic.TrySetResult();
            }
        };

        // No explicit probe: identify of each new server wakes the client's loop.
        await AutoNatNet.ConnectAsync(client, [.. servers]);

        await Within(becamePublic.Task);
    }

    [Fact]
    public async Task A_dial_back_with_a_nonce_we_did_not_send_confirms_nothing()
    {
        // A lying server: dials back with the wrong nonce, then claims success.
        Libp2pHost liar = (await _net.StartServerAsync()).Host;
        liar.SetStreamHandler(AutoNatProtocol.DialRequest, async (stream, ct) =>
        {
            Message? m = await AutoNatCodec.ReadAsync(stream.Input, Message.Parser, ct);
            Nnrp.Libp2p.Addressing.Multiaddr target = Nnrp.Libp2p.Addressing.Multiaddr.FromBytes(m!.DialRequest.Addrs[0].Span);
            await using Connection back = await liar.DialNewConnectionAsync(target, stream.RemotePeer, ct);
            await using Libp2pStream s = await back.NewStreamAsync([AutoNatProtocol.DialBack], ct);
            await AutoNatCodec.WriteAsync(s.Output, new DialBack { Nonce = m.DialRequest.Nonce + 1 }, ct);
            try
            {
                await AutoNatCodec.ReadAsync(s.Input, DialBackResponse.Parser, ct);
            }
            catch (IOException)
            {
                // The client resets a dial back whose nonce it did not send.
            }
            await AutoNatCodec.WriteAsync(stream.Output, new Message { DialResponse = new DialResponse { Status = DialResponse.Types.ResponseStatus.Ok, DialStatus = DialStatus.Ok } }, ct);
            stream.CloseWrite();
        });
        AutoNatNet.Client client = await _net.StartClientAsync();
        await AutoNatNet.ConnectAsync(client, liar);

        ProbeResult result = await Within(client.AutoNat.ProbeAsync(liar.PeerId, client.Host.ListenAddresses, CancellationToken.None));

        Assert.Equal(ProbeOutcome.NoVerdict, result.Outcome);
        Assert.Empty(client.AutoNat.Confidence.Verdicts);
    }
}
