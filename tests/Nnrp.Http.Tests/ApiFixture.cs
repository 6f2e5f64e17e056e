using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Libp2p.Host;
using Nnrp.Node;
using Nnrp.Node.Ingress;
using Nnrp.Node.Metrics;

namespace Nnrp.Http.Tests;

/// <summary>A real node built by the composition root (RocksDB store in a temp folder, libp2p host on loopback) with its HTTP API on a free port.</summary>
public sealed class ApiFixture : IAsyncDisposable
{
    /// <summary>A base threshold of 1/16, so tests find work in a handful of hashes.</summary>
    public const ulong CheapBase = 0xf000000000000000UL;

    private readonly string _dir;

    private ApiFixture(string dir, Libp2pHost host, NnrpNode node, NnrpMeters meters, HttpApi api, HttpClient client, MetricsListener metrics)
    {
        _dir = dir;
        Host = host;
        Node = node;
        Meters = meters;
        Api = api;
        Client = client;
        Metrics = metrics;
        MetricsClient = new HttpClient { BaseAddress = new Uri(metrics.Urls[0]), Timeout = TimeSpan.FromSeconds(30) };
    }

    public Libp2pHost Host { get; }

    public NnrpNode Node { get; }

    /// <summary>The node's meters, as the executable registers them (no gossip, Kad or sync here).</summary>
    public NnrpMeters Meters { get; }

    public HttpApi Api { get; }

    public HttpClient Client { get; }

    /// <summary>The node's /metrics listener, apart from the API (NNRP.md §12).</summary>
    public MetricsListener Metrics { get; }

    public HttpClient MetricsClient { get; }

    /// <param name="url">The API's URL (port 0: a free one); https needs <see cref="HttpApiOptions.Certificate"/>.</param>
    /// <param name="client">How the test's client reaches the API (a handler that trusts a test certificate).</param>
    public static async Task<ApiFixture> StartAsync(HttpApiOptions? options = null, Func<NnrpNodeOptions, NnrpNodeOptions>? node = null, string url = "http://127.0.0.1:0", HttpMessageHandler? client = null)
    {
        string dir = Directory.CreateTempSubdirectory("nnrp-http-").FullName;
        var nodeOptions = new NnrpNodeOptions
        {
            DataDirectory = dir,
            Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = CheapBase } },
        };
        NnrpNode nnrp = await NnrpNode.StartAsync(node?.Invoke(nodeOptions) ?? nodeOptions);
        NnrpMeters meters = NnrpMeters.Register(nnrp, nnrp.Host);
        var context = new HttpApiContext(nnrp, nnrp.Host, TimeProvider.System, meters);
        HttpApi api = await HttpApi.StartAsync(context, (options ?? new HttpApiOptions()) with { Urls = [url] }, NullLoggerFactory.Instance, CancellationToken.None);
        MetricsListener metrics = await MetricsListener.StartAsync(["http://127.0.0.1:0"], meters, NullLoggerFactory.Instance, CancellationToken.None);
        var http = new HttpClient(client ?? new HttpClientHandler()) { BaseAddress = new Uri(api.Urls[0]), Timeout = TimeSpan.FromSeconds(30) };
        return new ApiFixture(dir, nnrp.Host, nnrp, meters, api, http, metrics);
    }

    /// <summary>A notification stamped now whose work meets the cheap base threshold (or misses it).</summary>
    public static Notification MakeNotification(RecipientTag? tag = null, bool enoughWork = true, int payloadSize = 100)
    {
        var n = new Notification(1, tag ?? RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32)), (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), NotificationLimits.DefaultTtl, RandomNumberGenerator.GetBytes(payloadSize), 0);
        for (ulong work = 0; ; work++)
        {
            Notification candidate = n.WithWork(work);
            if ((candidate.WorkValue >= CheapBase) == enoughWork)
            {
                return candidate;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        MetricsClient.Dispose();
        await Metrics.DisposeAsync();
        await Api.DisposeAsync();
        Meters.Dispose();
        await Node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
