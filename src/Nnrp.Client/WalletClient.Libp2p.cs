using Microsoft.Extensions.Logging;
using Nnrp.Client.Network;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;

namespace Nnrp.Client;

public sealed partial class WalletClient
{
    /// <summary>
    /// A client that reaches libp2p nodes from its own host and http(s) nodes through their
    /// HTTP API. The host has a fresh Ed25519 identity per client (nodes cannot link
    /// two sessions of one wallet by peer id), no listen address, and — when
    /// <see cref="WalletClientOptions.UseDht"/> is on, no nodes are named and bootstrap peers are
    /// known — a Kad-DHT in client mode for finding shard providers.
    /// </summary>
    /// <exception cref="FormatException">a node or bootstrap address is malformed or has no <c>/p2p/</c>.</exception>
    public static async Task<WalletClient> ConnectAsync(WalletClientOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Multiaddr[] bootstrap = options.BootstrapPeers.Select(b => BootstrapPeers.ParseEntry(b)).ToArray();
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [] }, loggerFactory);
        KadService? kad = null;
        var providers = new MemoryProviderStore();
        try
        {
            await host.StartAsync(cancellationToken);
            if (options.UseDht && options.Nodes.Count == 0 && bootstrap.Length > 0)
            {
                var identify = new IdentifyService(host, loggerFactory);
                identify.Start();
                kad = new KadService(host, providers, new KadOptions
                {
                    Mode = KadMode.Client,
                    BootstrapPeers = bootstrap,
                    // Wallets talk to whatever nodes the DHT names, testnets on loopback included.
                    AllowPrivateAddresses = true,
                }, identify, loggerFactory: loggerFactory);
                await kad.StartAsync(cancellationToken);
            }
        }
        catch
        {
            if (kad is not null)
            {
                await kad.DisposeAsync();
            }
            await host.DisposeAsync();
            providers.Dispose();
            throw;
        }
        var http = new HttpClient { Timeout = options.RequestTimeout };
        var transport = new RoutedNodeTransport(new Libp2pNodeTransport(host, options.RequestTimeout), new HttpNodeTransport(http));
        return new WalletClient(transport, options, kad, loggerFactory, async () =>
        {
            http.Dispose();
            if (kad is not null)
            {
                await kad.DisposeAsync();
            }
            await host.DisposeAsync();
            providers.Dispose();
        });
    }
}
