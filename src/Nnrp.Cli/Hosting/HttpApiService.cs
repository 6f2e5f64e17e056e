using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nnrp.Http;

namespace Nnrp.Cli.Hosting;

/// <summary>The HTTP door (NNRP.md §12), started after the node and stopped before it; off when the setting says <c>off</c>.</summary>
internal sealed class HttpApiService(NodeSettings settings, NodeService node, ILoggerFactory loggerFactory, TimeProvider time) : IHostedService
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
        Api = await HttpApi.StartAsync(new HttpApiContext(node.Node, node.Node.Host, time), new HttpApiOptions
        {
            Urls = [settings.Http],
            CorsOrigins = settings.Cors,
            TrustedProxies = settings.TrustedProxy,
            RateLimitPerSecond = settings.HttpRateLimit,
            RateLimitBurst = 2 * settings.HttpRateLimit,
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
