using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Nnrp.Cli.Tests;

/// <summary>
/// <c>--tls-cert</c> / <c>--tls-key</c>: PEM files loaded once at start-up into the certificate
/// every TLS door serves; anything wrong with them is one line and exit code 2.
/// </summary>
public sealed class TlsSettingsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-tls-").FullName;

    [Fact]
    public void A_matching_pem_pair_loads_into_a_certificate_with_its_private_key()
    {
        using var tls = TestCertificate.Create(_root);
        using var loaded = NodeOptionsMapping.LoadCertificate(new NodeSettings { TlsCert = tls.CertPath, TlsKey = tls.KeyPath });

        Assert.NotNull(loaded);
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(tls.Certificate.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public void Without_tls_files_a_plain_http_node_has_no_certificate()
    {
        Assert.Null(NodeOptionsMapping.LoadCertificate(new NodeSettings { Http = "http://127.0.0.1:8080" }));
    }

    public static TheoryData<string, string> BadPairs() => new()
    {
        { "missing", "absent.crt" },
        { "mismatched", "other.key" },
        { "not pem", "garbage.crt" },
        { "key only", "" },
    };

    [Theory]
    [MemberData(nameof(BadPairs))]
    public void A_bad_pair_is_a_tls_setting_error_in_one_line(string _, string variant)
    {
        using var tls = TestCertificate.Create(_root);
        using var other = TestCertificate.Create(_root, "other");
        File.WriteAllText(Path.Combine(_root, "garbage.crt"), "not a certificate");
        NodeSettings settings = variant switch
        {
            "other.key" => new NodeSettings { TlsCert = tls.CertPath, TlsKey = other.KeyPath },
            "" => new NodeSettings { TlsKey = tls.KeyPath },
            _ => new NodeSettings { TlsCert = Path.Combine(_root, variant), TlsKey = tls.KeyPath },
        };

        var ex = Assert.Throws<BadSettingException>(() => NodeOptionsMapping.LoadCertificate(settings));

        Assert.Equal(BadSetting.Tls, ex.Setting);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void An_https_url_without_tls_files_is_refused()
    {
        var ex = Assert.Throws<BadSettingException>(() => NodeOptionsMapping.LoadCertificate(new NodeSettings { Http = "https://0.0.0.0:8443" }));
        Assert.Contains("--tls-cert", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_with_https_and_pem_files_serves_its_api_over_tls()
    {
        using var tls = TestCertificate.Create(_root);
        await using var node = NnrpProcess.Start("node", "--http", "https://127.0.0.1:0", "--tls-cert", tls.CertPath, "--tls-key", tls.KeyPath,
            "--metrics", "off", "--data-dir", Path.Combine(_root, "data"), "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Path.Combine(_root, "none.txt"));
        var url = (await node.WaitForLineAsync(new System.Text.RegularExpressions.Regex(@"HTTP API on (https://127\.0\.0\.1:\d+)"))).Groups[1].Value;

        using var client = new HttpClient(tls.TrustingHandler()) { BaseAddress = new Uri(url), Timeout = NnrpProcess.Timeout };
        using JsonDocument status = JsonDocument.Parse(await client.GetStringAsync("/v1/status"));
        Assert.StartsWith("12D3KooW", status.RootElement.GetProperty("peer_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await node.StopAsync());
    }

    [Fact]
    public async Task A_node_given_a_key_that_does_not_match_exits_with_code_2_and_one_line()
    {
        using var tls = TestCertificate.Create(_root);
        using var other = TestCertificate.Create(_root, "other");
        await using var node = NnrpProcess.Start("node", "--http", "https://127.0.0.1:0", "--tls-cert", tls.CertPath, "--tls-key", other.KeyPath,
            "--metrics", "off", "--data-dir", Path.Combine(_root, "data"), "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Path.Combine(_root, "none.txt"));

        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Contains("Bad TLS setting", node.Output, StringComparison.Ordinal);
        Assert.Single(node.Output.Trim().Split('\n'));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
