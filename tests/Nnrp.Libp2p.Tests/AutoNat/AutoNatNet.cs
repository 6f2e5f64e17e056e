using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.AutoNat;

/// <summary>
/// Real hosts on loopback with identify, AutoNAT servers and one client, in private-network mode
/// (loopback is private; the spec's servers would refuse it otherwise). Torn down together.
/// </summary>
internal sealed class AutoNatNet : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public static readonly AutoNatServerOptions PrivateServer = new() { AllowPrivateAddresses = true };

    public static readonly AutoNatClientOptions PrivateClient = new() { AllowPrivateAddresses = true, BackgroundProbing = false };

    public async Task<(Libp2pHost Host, AutoNatServer Server)> StartServerAsync(AutoNatServerOptions? options = null)
    {
        Libp2pHost host = await StartHostAsync("127.0.0.1", []);
        new IdentifyService(host).Start();
        var server = new AutoNatServer(host, options ?? PrivateServer);
        server.Start();
        return (host, server);
    }

    /// <summary>A client host listening on <paramref name="listenIp"/>, advertising <paramref name="announce"/> if given.</summary>
    public async Task<Client> StartClientAsync(AutoNatClientOptions? options = null, string listenIp = "127.0.0.1", IReadOnlyList<Multiaddr>? announce = null)
    {
        Libp2pHost host = await StartHostAsync(listenIp, announce ?? []);
        var identify = new IdentifyService(host);
        identify.Start();
        var client = new AutoNatClient(host, identify, options ?? PrivateClient);
        client.Start();
        _owned.Insert(0, client);
        return new Client(host, identify, client);
    }

    /// <summary>One server and one client connected to it (identify done).</summary>
    public async Task<(Libp2pHost Server, AutoNatServer AutoNat, Client Client)> StartPairAsync(
        AutoNatServerOptions? server = null, AutoNatClientOptions? client = null, string clientIp = "127.0.0.1")
    {
        (Libp2pHost host, AutoNatServer autoNat) = await StartServerAsync(server);
        Client c = await StartClientAsync(client, clientIp);
        await ConnectAsync(c, host);
        return (host, autoNat, c);
    }

    /// <summary>Connects the client to each server and waits until identify says they serve AutoNAT.</summary>
    public static async Task ConnectAsync(Client client, params Libp2pHost[] servers)
    {
        foreach (Libp2pHost server in servers)
        {
            await Within(client.Host.DialAsync(AddressOf(server), CancellationToken.None));
            await Within(client.Identify.WaitForIdentifyAsync(server.PeerId, CancellationToken.None));
        }
    }

    /// <summary>A TCP address on loopback that nothing listens on (bound, read back, released).</summary>
    public static Multiaddr DeadAddress()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}");
    }

    private async Task<Libp2pHost> StartHostAsync(string listenIp, IReadOnlyList<Multiaddr> announce)
    {
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions
        {
            ListenAddresses = [Multiaddr.Parse($"/ip4/{listenIp}/tcp/0")],
            AnnounceAddresses = announce,
        }, NullLoggerFactory.Instance);
        await host.StartAsync(CancellationToken.None);
        _owned.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    internal sealed record Client(Libp2pHost Host, IdentifyService Identify, AutoNatClient AutoNat)
    {
        public PeerId PeerId => Host.PeerId;
    }
}
