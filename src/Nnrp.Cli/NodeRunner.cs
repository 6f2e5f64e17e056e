using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Nnrp.Core.Work;
using Nnrp.Http;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Perf;
using Nnrp.Libp2p.Ping;
using Nnrp.Node;
using Nnrp.Node.Gossip;
using Nnrp.Node.Ingress;
using Nnrp.Node.Metrics;
using Nnrp.Node.Providers;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Shards;

namespace Nnrp.Cli;

/// <summary>
/// Starts the node's parts in order — identity, libp2p host (identify, ping, perf), store and
/// ingress with /nnrp/1.0, GossipSub on the notification topic, Kad-DHT, HTTP API — and stops
/// them in reverse on SIGINT/SIGTERM, so the store is flushed and closed before exit.
/// </summary>
internal static class NodeRunner
{
    public static async Task<int> RunAsync(NodeSettings settings, CancellationToken commandToken)
    {
        // SIGINT (Ctrl+C) and SIGTERM (docker stop, systemd) both start a graceful shutdown.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        CancellationToken cancellationToken = stop.Token;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using ILoggerFactory loggers = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(settings.LogLevel);
            if (settings.LogFormat == "json")
            {
                b.AddJsonConsole(o => o.IncludeScopes = true);
            }
            else
            {
                b.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                    o.IncludeScopes = true;
                });
            }
        });
        ILogger log = loggers.CreateLogger("nnrp");

        Multiaddr[] listen, announce;
        List<Multiaddr> bootstrapPeers;
        try
        {
            listen = settings.Listen.Select(Multiaddr.Parse).ToArray();
            announce = settings.Announce.Select(Multiaddr.Parse).ToArray();
        }
        catch (FormatException ex)
        {
            log.BadListenAddress(ex.Message);
            return 2;
        }
        var unidentified = new List<Multiaddr>();
        try
        {
            bootstrapPeers = [];
            foreach (string entry in settings.Bootstrap)
            {
                // An entry without /p2p (e.g. /dns4/node1/tcp/4001 in a compose file) is dialed
                // at start and trusted as whoever answers; the file format stays strict.
                if (Multiaddr.TryParse(entry, out Multiaddr? address) && address.PeerIdMultihash is null)
                {
                    unidentified.Add(address);
                }
                else
                {
                    bootstrapPeers.Add(BootstrapPeers.ParseEntry(entry));
                }
            }
            if (File.Exists(settings.BootstrapFile))
            {
                bootstrapPeers.AddRange(await BootstrapPeers.LoadAsync(settings.BootstrapFile, cancellationToken));
            }
        }
        catch (FormatException ex)
        {
            log.BadBootstrapPeer(ex.Message);
            return 2;
        }

        Directory.CreateDirectory(settings.DataDir);
        using KeyPair identity = KeyPair.LoadOrCreate(Path.Combine(settings.DataDir, "node.key"));
        var hostOptions = new HostOptions
        {
            ListenAddresses = listen,
            AnnounceAddresses = announce,
            Limits = new ConnectionLimits
            {
                MaxConnections = settings.MaxConnections,
                HighWater = settings.ConnHighWater,
                LowWater = settings.ConnLowWater,
                // NNRP.md §14.1: on a LAN or loopback testnet many nodes share an address.
                ExemptNetworks = settings.PrivateNetwork ? NotificationGossip.PrivateNetworks : [],
            },
        };
        await using var host = new Libp2pHost(identity, hostOptions, loggers);
        var identify = new IdentifyService(host, loggers);
        identify.Start();
        new PingService(host).Start();
        new PerfService(host).Start();

        NnrpNode node;
        try
        {
            node = NnrpNode.Start(host, new NnrpNodeOptions
            {
                DataDirectory = settings.DataDir,
                Store = new StoreOptions { PerTagCap = settings.PerTagCap, MaxBytes = settings.StoreMaxBytes },
                Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = settings.BaseThreshold ?? Thresholds.Base } },
                FetchBudget = new FetchBudgetOptions { TotalBytes = settings.FetchBudget },
            }, loggerFactory: loggers);
        }
        catch (StoreUnavailableException ex)
        {
            log.StoreUnavailable(ex.Message);
            return 1;
        }
        await using (node)
        {
            await using GossipSubService gossip = GossipSubService.Attach(host, NotificationGossip.DefaultOptions(settings.PrivateNetwork), loggers);
            new NotificationGossip(gossip, node.Ingress, loggers.CreateLogger<NotificationGossip>()).Start();
            host.PeerScore = gossip.GetScore;

            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                log.CannotListen(ex.Message);
                return 1;
            }
            log.NodeStarted(host.PeerId.ToString(), hostOptions.AgentVersion, settings.DataDir);
            foreach (Multiaddr address in host.GetAdvertisedAddresses(withPeerId: true))
            {
                log.Reachable(address.ToString());
            }

            foreach (Multiaddr address in unidentified)
            {
                try
                {
                    using var dialTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    dialTimeout.CancelAfter(TimeSpan.FromSeconds(30));
                    Connection connection = await host.DialAsync(address, dialTimeout.Token);
                    bootstrapPeers.Add(address.WithPeerIdMultihash(connection.RemotePeer.Bytes.Span));
                    log.BootstrapIdentified(address.ToString(), connection.RemotePeer.ToString());
                }
                catch (Exception ex) when (ex is IOException or TimeoutException or OperationCanceledException or ProtocolViolationException && !cancellationToken.IsCancellationRequested)
                {
                    log.BootstrapUnreachable(address.ToString(), ex.Message);
                }
            }

            using IProviderStore providers = RocksDbProviderStore.Open(Path.Combine(settings.DataDir, "kad"));
            // NNRP.md §14.2: provider records for shard keys only; providers verified by a status request.
            await using var verifier = new ProviderVerifier(host, logger: loggers.CreateLogger<ProviderVerifier>());
            var kadOptions = new KadOptions
            {
                ProviderPolicy = new ShardProviderPolicy(verifier),
                Mode = settings.DhtMode,
                BootstrapPeers = bootstrapPeers.Where(b => !b.PeerIdMultihash!.Value.Span.SequenceEqual(host.PeerId.Bytes.Span)).ToArray(),
                RoutingTablePath = Path.Combine(settings.DataDir, "kad-peers.txt"),
                AllowPrivateAddresses = settings.PrivateNetwork,
            };
            await using var kad = new KadService(host, providers, kadOptions, identify, loggerFactory: loggers);

            // NNRP.md §11.8: answer sync rounds, and sync on connect and every interval; the
            // replication rule counts the verified providers of shard (0, 0), which this node stores.
            var syncOptions = new SyncOptions { Interval = settings.SyncInterval, MinPeerInterval = settings.SyncInterval };
            await using var sync = new SyncService(host, node.Ingress, syncOptions,
                ct => verifier.CountVerifiedAsync(kad.FindProvidersAsync(ShardKeys.WireKey(0, 0), ProviderVerifier.ReplicaCandidates, ct), host.PeerId, ct),
                logger: loggers.CreateLogger<SyncService>());
            SyncServer.Attach(new SyncServer(node.Store, syncOptions, logger: loggers.CreateLogger<SyncServer>(), metrics: sync.Metrics));

            using NnrpMeters meters = NnrpMeters.Register(node, host, gossip, kad, sync.Metrics);
            HttpApi? http = null;
            MetricsListener? metrics = null;
            try
            {
                if (!string.Equals(settings.Http, "off", StringComparison.OrdinalIgnoreCase))
                {
                    var context = new HttpApiContext(node, host, TimeProvider.System, meters);
                    http = await HttpApi.StartAsync(context, new HttpApiOptions
                    {
                        Urls = [settings.Http],
                        CorsOrigins = settings.Cors,
                        TrustedProxies = settings.TrustedProxy,
                        RateLimitPerSecond = settings.HttpRateLimit,
                        RateLimitBurst = 2 * settings.HttpRateLimit,
                    }, loggers, cancellationToken);
                    foreach (string url in http.Urls)
                    {
                        log.HttpListening(url);
                    }
                }
                if (!string.Equals(settings.Metrics, "off", StringComparison.OrdinalIgnoreCase))
                {
                    try
                    {
                        metrics = await MetricsListener.StartAsync([settings.Metrics], meters, loggers, cancellationToken);
                        foreach (string url in metrics.Urls)
                        {
                            log.MetricsListening(url);
                        }
                    }
                    catch (IOException ex)
                    {
                        // Several nodes on one machine all default to the same port; serving matters more than counters.
                        log.MetricsUnavailable(settings.Metrics, ex.Message);
                    }
                }

                await kad.StartAsync(cancellationToken);
                log.DhtReady(kad.RoutingTable.Count, kadOptions.BootstrapPeers.Count);
                // DESIGN.md "Shards": a node that stores everything provides shard (0, 0).
                int provided = await kad.ProvideAsync(ShardKeys.WireKey(0, 0), cancellationToken);
                log.ProvidingShard(ShardKeys.CidString(0, 0), provided);
                sync.Start();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // A signal during start-up is as good a reason to stop as one later on.
            }
            catch (IOException ex)
            {
                log.CannotListen(ex.Message);
                return 1;
            }
            finally
            {
                log.ShuttingDown();
                if (http is not null)
                {
                    await http.DisposeAsync();
                }
                if (metrics is not null)
                {
                    await metrics.DisposeAsync();
                }
            }
            await kad.SaveRoutingTableAsync(CancellationToken.None);
        }
        return 0;
    }
}
