using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nnrp.Core.Work;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.WebSockets;
using Nnrp.Node;
using Nnrp.Node.Ingress;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;

namespace Nnrp.Cli;

/// <summary>Which setting a <see cref="BadSettingException"/> is about.</summary>
internal enum BadSetting
{
    /// <summary>A listen or announce address.</summary>
    Address,

    /// <summary>A bootstrap entry or file.</summary>
    Bootstrap,

    /// <summary>The TLS certificate and key files.</summary>
    Tls,
}

/// <summary>A listen/announce address, a bootstrap entry or the TLS files that do not load (exit code 2).</summary>
internal sealed class BadSettingException(BadSetting setting, string message, Exception? inner = null) : FormatException(message, inner)
{
    public BadSetting Setting { get; } = setting;
}

/// <summary>The operator's <see cref="NodeSettings"/> as the node's typed options.</summary>
internal static class NodeOptionsMapping
{
    /// <summary>
    /// The node's TLS certificate from <c>--tls-cert</c> and <c>--tls-key</c> (PEM), loaded once at
    /// start-up: every TLS door (the HTTP API's https URLs, the libp2p WebSocket's <c>/tls/ws</c>)
    /// serves this one instance. Null when neither file is set.
    /// </summary>
    /// <exception cref="BadSettingException">one file without the other, https in <c>--http</c> without them,
    /// or files that are missing, unreadable, not PEM, or a key that does not match the certificate.</exception>
    public static X509Certificate2? LoadCertificate(NodeSettings settings)
    {
        if (settings.TlsCert is null && settings.TlsKey is null)
        {
            return settings.Http.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                ? throw new BadSettingException(BadSetting.Tls, $"--http {settings.Http} needs --tls-cert and --tls-key (PEM files)")
                : null;
        }
        if (settings.TlsCert is not { } certPath || settings.TlsKey is not { } keyPath)
        {
            throw new BadSettingException(BadSetting.Tls, "--tls-cert and --tls-key go together");
        }
        try
        {
            using X509Certificate2 pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            if (!pem.HasPrivateKey)
            {
                throw new CryptographicException("the key file holds no private key");
            }
            // A PEM key is ephemeral; one PKCS#12 round trip gives a certificate whose key SslStream
            // can use on every platform (Windows refuses ephemeral keys; Linux does not mind).
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new BadSettingException(BadSetting.Tls, $"TLS certificate {certPath} with key {keyPath}: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }

    /// <remarks><paramref name="certificate"/> is <see cref="LoadCertificate"/>'s, loaded before this;
    /// the libp2p WebSocket listeners under TLS (<c>/tls/ws</c>) serve it, as the HTTP API's https URLs do.</remarks>
    /// <exception cref="BadSettingException">an address or bootstrap entry does not parse.</exception>
    public static async Task<NnrpNodeOptions> ToNodeOptionsAsync(NodeSettings settings, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        Multiaddr[] listen, announce;
        try
        {
            listen = settings.Listen.Select(Multiaddr.Parse).ToArray();
            announce = settings.Announce.Select(Multiaddr.Parse).ToArray();
        }
        catch (FormatException ex)
        {
            throw new BadSettingException(BadSetting.Address, ex.Message, ex);
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
            throw new BadSettingException(BadSetting.Bootstrap, ex.Message, ex);
        }

        return new NnrpNodeOptions
        {
            DataDirectory = settings.DataDir,
            Host = new HostOptions
            {
                ListenAddresses = listen,
                AnnounceAddresses = announce,
                WebSocket = new WebSocketTransportOptions { ServerCertificate = certificate },
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
            Dht = new NodeDhtOptions
            {
                Mode = settings.DhtMode == DhtModeSetting.Client ? KadMode.Client : KadMode.Server,
                FollowReachability = settings.DhtMode == DhtModeSetting.Auto,
                BootstrapPeers = bootstrap,
            },
            AutoNat = new NodeAutoNatOptions
            {
                Serve = settings.AutoNatServerRpm > 0,
                Server = new AutoNatServerOptions { RequestsPerMinute = Math.Max(1, settings.AutoNatServerRpm) },
            },
            Sync = new SyncOptions { Interval = settings.SyncInterval, MinPeerInterval = settings.SyncInterval },
            Shards = new Nnrp.Node.Shards.ShardOptions
            {
                Setting = settings.Shards,
                FirstEvaluation = settings.ShardFirstEvaluation,
                EvaluateInterval = settings.ShardEvaluateInterval,
                MinMoveInterval = settings.ShardMinMoveInterval,
            },
            Relay = new NodeRelayOptions
            {
                Service = settings.RelayService == RelayServiceMode.On ? NodeRelayOptions.NodeServiceDefaults : null,
                ServeWhenPublic = settings.RelayService == RelayServiceMode.Auto,
                Reserve = settings.Relay.Select(Multiaddr.Parse).ToArray(),
                AutoRelays = settings.AutoRelays,
            },
        };
    }
}
