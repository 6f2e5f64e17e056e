using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Nnrp.Cli.Commands;
using Nnrp.Cli.Hosting;
using Nnrp.Node;
using Nnrp.Node.Storage;

namespace Nnrp.Cli;

/// <summary>
/// <c>nnrp node</c> on the .NET Generic Host: hosted services start in order — the node
/// (<see cref="NnrpNode"/>, the composition root), the HTTP API, the metrics listener — and stop
/// in reverse when the host's lifetime ends (SIGINT, SIGTERM, or systemd's stop with
/// <c>Type=notify</c>), so the store is flushed and closed before exit.
/// Exit codes: 0 after a clean stop, 1 when the store cannot be opened or an address cannot be
/// listened on, 2 for settings that do not parse.
/// </summary>
internal static class NodeRunner
{
    public static async Task<int> RunAsync(NodeSettings settings, CancellationToken commandToken)
    {
        NnrpNodeOptions? options = null;
        X509Certificate2? certificate = null;
        BadSettingException? bad = null;
        try
        {
            certificate = NodeOptionsMapping.LoadCertificate(settings);
            options = await NodeOptionsMapping.ToNodeOptionsAsync(settings, certificate, commandToken);
        }
        catch (BadSettingException ex)
        {
            bad = ex;
        }

        using X509Certificate2? disposeCertificate = certificate;
        using IHost host = Build(settings, options, new NodeCertificate(certificate));
        ILogger log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("nnrp");
        if (bad is not null)
        {
            switch (bad.Setting)
            {
                case BadSetting.Bootstrap:
                    log.BadBootstrapPeer(bad.Message);
                    break;
                case BadSetting.Tls:
                    log.BadTls(bad.Message);
                    break;
                default:
                    log.BadListenAddress(bad.Message);
                    break;
            }
            return CliExit.Usage;
        }
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(log.ShuttingDown);
        try
        {
            await host.StartAsync(commandToken);
        }
        catch (StoreUnavailableException ex)
        {
            log.StoreUnavailable(ex.Message);
            return await StopAsync(host, CliExit.Failed);
        }
        catch (IOException ex)
        {
            log.CannotListen(ex.Message);
            return await StopAsync(host, CliExit.Failed);
        }
        catch (OperationCanceledException)
        {
            // A signal during start-up is as good a reason to stop as one later on.
            return await StopAsync(host, CliExit.Ok);
        }
        await host.WaitForShutdownAsync(commandToken);
        return CliExit.Ok;
    }

    private static IHost Build(NodeSettings settings, NnrpNodeOptions? options, NodeCertificate certificate)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // Under systemd: Type=notify readiness and stop, journald log levels (UseSystemd; nothing elsewhere).
        builder.Services.AddSystemd();
        ConfigureLogging(builder.Logging, settings);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(certificate);
        builder.Services.AddSingleton(_ => options ?? throw new InvalidOperationException("the node settings did not map to options"));
        builder.Services.AddSingleton(TimeProvider.System);
        // Started in this order, stopped in reverse: node, HTTP door, metrics.
        builder.Services.AddSingleton<NodeService>();
        builder.Services.AddSingleton<HttpApiService>();
        builder.Services.AddSingleton<MetricsService>();
        builder.Services.AddHostedService(s => s.GetRequiredService<NodeService>());
        builder.Services.AddHostedService(s => s.GetRequiredService<HttpApiService>());
        builder.Services.AddHostedService(s => s.GetRequiredService<MetricsService>());
        return builder.Build();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, NodeSettings settings)
    {
        logging.SetMinimumLevel(settings.LogLevel);
        // A service that fails to start is reported here in one line (and an exit code), not with the host's stack trace.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (settings.LogFormat == "json")
        {
            logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        else if (!SystemdHelpers.IsSystemdService())
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.IncludeScopes = true;
            });
        }
    }

    /// <summary>Stops what started before a start-up failure (in reverse), then answers <paramref name="code"/>.</summary>
    private static async Task<int> StopAsync(IHost host, int code)
    {
        await host.StopAsync(CancellationToken.None);
        return code;
    }
}

/// <summary>The node's TLS certificate (<see cref="NodeOptionsMapping.LoadCertificate"/>), null without <c>--tls-cert</c>; one instance for every TLS door.</summary>
internal sealed record NodeCertificate(X509Certificate2? Certificate);
