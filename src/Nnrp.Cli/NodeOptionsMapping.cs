using Nnrp.Core.Work;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Kad;
using Nnrp.Node;
using Nnrp.Node.Ingress;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;

namespace Nnrp.Cli;

/// <summary>A listen/announce address or a bootstrap entry that does not parse (exit code 2).</summary>
internal sealed class BadSettingException(bool bootstrap, string message, Exception inner) : FormatException(message, inner)
{
    /// <summary>True for a bootstrap entry or file, false for a listen or announce address.</summary>
    public bool IsBootstrap { get; } = bootstrap;
}

/// <summary>The operator's <see cref="NodeSettings"/> as the node's typed options.</summary>
internal static class NodeOptionsMapping
{
    /// <exception cref="BadSettingException">an address or bootstrap entry does not parse.</exception>
    public static async Task<NnrpNodeOptions> ToNodeOptionsAsync(NodeSettings settings, CancellationToken cancellationToken)
    {
        Multiaddr[] listen, announce;
        try
        {
            listen = settings.Listen.Select(Multiaddr.Parse).ToArray();
            announce = settings.Announce.Select(Multiaddr.Parse).ToArray();
        }
        catch (FormatException ex)
        {
            throw new BadSettingException(bootstrap: false, ex.Message, ex);
        }
        var bootstrap = new List<Multiaddr>();
        try
        {
            foreach (string entry in settings.Bootstrap)
            {
                // An entry without /p2p (e.g. /dns4/node1/tcp/4001 in a compose file) is dialed
                // at start and trusted as whoever answers; the file format stays strict.
                bootstrap.Add(Multiaddr.TryParse(entry, out Multiaddr? address) && address.PeerIdMultihash is null
                    ? address
                    : BootstrapPeers.ParseEntry(entry));
            }
            if (File.Exists(settings.BootstrapFile))
            {
                bootstrap.AddRange(await BootstrapPeers.LoadAsync(settings.BootstrapFile, cancellationToken));
            }
        }
        catch (FormatException ex)
        {
            throw new BadSettingException(bootstrap: true, ex.Message, ex);
        }

        return new NnrpNodeOptions
        {
            DataDirectory = settings.DataDir,
            Host = new HostOptions
            {
                ListenAddresses = listen,
                AnnounceAddresses = announce,
                Limits = new ConnectionLimits
                {
                    MaxConnections = settings.MaxConnections,
                    HighWater = settings.ConnHighWater,
                    LowWater = settings.ConnLowWater,
                },
            },
            PrivateNetwork = settings.PrivateNetwork,
            Store = new StoreOptions { PerTagCap = settings.PerTagCap, MaxBytes = settings.StoreMaxBytes },
            Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = settings.BaseThreshold ?? Thresholds.Base } },
            FetchBudget = new FetchBudgetOptions { TotalBytes = settings.FetchBudget },
            Dht = new NodeDhtOptions { Mode = settings.DhtMode, BootstrapPeers = bootstrap },
            Sync = new SyncOptions { Interval = settings.SyncInterval, MinPeerInterval = settings.SyncInterval },
        };
    }
}
