using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nnrp.Http;
using Nnrp.Http.Health;
using Nnrp.Libp2p.Addressing;
using Nnrp.Node;

namespace Nnrp.Cli.Hosting;

/// <summary>The HTTP door (NNRP.md §12), started after the node and stopped before it; off when the setting says <c>off</c>.</summary>
internal sealed class HttpApiService(NodeSettings settings, NodeCertificate tls, NodeService node, ILoggerFactory loggerFactory, TimeProvider time) : IHostedService
{
    private readonly ILogger _log = loggerFactory.CreateLogger("nnrp");

    /// <summary>The running API, null while stopped or off.</summary>
    public HttpApi? Api { get; private set; }

    /// <exception cref="IOException">the API cannot listen on its URL.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.Equals(settings.Http, "off", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        NnrpNode n = node.Node;
        Api = await HttpApi.StartAsync(new HttpApiContext(n, n.Host, time, node.Meters), new HttpApiOptions
        {
            Urls = [settings.Http],
            CorsOrigins = settings.Cors,
            Certificate = tls.Certificate,
            AnnounceAddresses = [.. settings.HttpAnnounce.Select(Multiaddr.Parse)],
            AdvertisePrivate = settings.PrivateNetwork,
            TrustedProxies = settings.TrustedProxy,
            RateLimitPerSecond = settings.HttpRateLimit,
            RateLimitBurst = 2 * settings.HttpRateLimit,
            // Readiness (deploy/compose.yaml, systemd): the store answers and the DHT has bootstrapped.
            HealthChecks = [DhtReadinessCheck.Registration(() => new DhtReadiness(n.IsDhtBootstrapped, n.Kad.RoutingTable.Count, n.Options.Dht.BootstrapPeers.Count))],
        }, loggerFactory, cancellationToken);
        foreach (string url in Api.Urls)
        {
            _log.HttpListening(url);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Api is { } api)
        {
            Api = null;
            await api.DisposeAsync();
        }
    }
}
