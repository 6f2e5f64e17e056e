using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nnrp.Cli.Tests;

namespace Nnrp.Browser.Tests;

/// <summary>
/// Three real <c>nnrp node</c> processes as a browser meets them: HTTPS API and a <c>/tls/ws</c>
/// libp2p listener, both on one self-signed certificate made by the test, CORS open to any
/// origin, cheap work, loopback addresses kept (private network), nodes 1 and 2 bootstrapped
/// to node 0. Port 0 everywhere, read back from the node's log lines.
/// </summary>
internal sealed partial class TlsTestnet : IAsyncDisposable
{
    public const int Size = 3;

    private readonly NnrpProcess?[] _nodes = new NnrpProcess?[Size];
    private readonly string[] _tcp = new string[Size];
    private readonly Uri[] _https = new Uri[Size];

    private TlsTestnet(string root, TestCertificate certificate)
    {
        Root = root;
        Certificate = certificate;
        // The test's own certificate, trusted by thumbprint (the browser is told to accept it too).
        Http = new HttpClient(certificate.TrustingHandler()) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Root { get; }

    public TestCertificate Certificate { get; }

    /// <summary>An HTTP client that trusts the test certificate.</summary>
    public HttpClient Http { get; }

    public Uri HttpsUrl(int i) => _https[i];

    public static async Task<TlsTestnet> StartAsync()
    {
        string root = Directory.CreateTempSubdirectory("nnrp-browser-").FullName;
        var net = new TlsTestnet(root, TestCertificate.Create(root));
        try
        {
            await net.StartAsync(0);
            await File.WriteAllTextAsync(Path.Combine(root, "bootstrap-peers.txt"), "# the browser test network\n" + net._tcp[0] + "\n");
            await Task.WhenAll(net.StartAsync(1), net.StartAsync(2));
            // One https URL must lead a browser to all three: wait until node 0 lists the others.
            await Testnet.UntilAsync(async () => await net.PeerCountAsync(0) >= Size - 1, "node 0 lists two peers in /v1/peers", NnrpProcess.Timeout);
            return net;
        }
        catch
        {
            await net.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGTERM node <paramref name="i"/> and wait until it has exited.</summary>
    public async Task StopAsync(int i)
    {
        await _nodes[i]!.StopAsync();
        await _nodes[i]!.DisposeAsync();
        _nodes[i] = null;
    }

    /// <summary>The entries of node <paramref name="i"/>'s <c>GET /v1/peers</c>.</summary>
    public async Task<int> PeerCountAsync(int i)
    {
        using JsonDocument peers = JsonDocument.Parse(await Http.GetStringAsync(new Uri(_https[i], "/v1/peers")));
        return peers.RootElement.GetProperty("peers").GetArrayLength();
    }

    private async Task StartAsync(int i)
    {
        string[] args =
        [
            "node", "--data-dir", Path.Combine(Root, "n" + i.ToString(CultureInfo.InvariantCulture)),
            "--listen", "/ip4/127.0.0.1/tcp/0", "--listen", "/ip4/127.0.0.1/tcp/0/tls/ws",
            "--http", "https://127.0.0.1:0", "--tls-cert", Certificate.CertPath, "--tls-key", Certificate.KeyPath,
            "--cors", "*", "--metrics", "off", "--private-network", "--base-threshold", Testnet.CheapThreshold,
            "--bootstrap-file", Path.Combine(Root, i == 0 ? "none.txt" : "bootstrap-peers.txt"),
        ];
        NnrpProcess node = NnrpProcess.Start(args);
        _nodes[i] = node;
        _tcp[i] = (await node.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value;
        _https[i] = new Uri((await node.WaitForLineAsync(HttpsUrlLine())).Groups[1].Value);
        await node.WaitForLineAsync(NnrpProcess.DhtReady());
    }

    [GeneratedRegex(@"HTTP API on (https://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpsUrlLine();

    public async ValueTask DisposeAsync()
    {
        foreach (NnrpProcess? node in _nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
        Http.Dispose();
        Certificate.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
