using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nnrp.Http;

namespace Nnrp.Cli.Hosting;

/// <summary>
/// The metrics listener (NNRP.md §12), apart from the API, started last and stopped first. A
/// port already taken is a warning, not a failure: several nodes on one machine all default to
/// the same port, and serving matters more than counters.
/// </summary>
internal sealed class MetricsService(NodeSettings settings, NodeService node, ILoggerFactory loggerFactory) : IHostedService
{
    private readonly ILogger _log = loggerFactory.CreateLogger("nnrp");
    private MetricsListener? _listener;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.Equals(settings.Metrics, "off", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        try
        {
            _listener = await MetricsListener.StartAsync([settings.Metrics], node.Meters, loggerFactory, cancellationToken);
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
