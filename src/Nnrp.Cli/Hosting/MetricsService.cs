using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nnrp.Http;
using Nnrp.Http.Metrics;
using Nnrp.Node;

namespace Nnrp.Cli.Hosting;

/// <summary>
/// The metrics listener (NNRP.md §12), apart from the API, started last and stopped first. A
/// port already taken is a warning, not a failure: several nodes on one machine all default to
/// the same port, and serving matters more than counters.
/// </summary>
internal sealed class MetricsService(NodeSettings settings, NodeService node, HttpApiService http, ILoggerFactory loggerFactory) : IHostedService
{
    private readonly ILogger _log = loggerFactory.CreateLogger("nnrp");
    private MetricsListener? _listener;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.Equals(settings.Metrics, "off", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        NnrpNode n = node.Node;
        List<IMetricsSource> sources = [new IngressMetrics(n), new HostMetrics(n.Host), new GossipMetrics(n.Gossip), new KadMetrics(n.Kad), new SyncMetricsSource(n.Sync.Metrics)];
        if (http.Api is { } api)
        {
            sources.Add(api.Latency);
        }
        try
        {
            _listener = await MetricsListener.StartAsync([settings.Metrics], sources, loggerFactory, cancellationToken);
            foreach (string url in _listener.Urls)
            {
                _log.MetricsListening(url);
            }
        }
        catch (IOException ex)
        {
            _log.MetricsUnavailable(settings.Metrics, ex.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is { } listener)
        {
            _listener = null;
            await listener.DisposeAsync();
        }
    }
}
