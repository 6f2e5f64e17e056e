using System.Diagnostics;

namespace Nnrp.Cli.Tests;

/// <summary>
/// deploy/nginx/nnrp.conf: the reverse-proxy recipe passes <c>nginx -t</c> (with a certificate
/// made by the test and temporary paths), and proxies what the node expects: HTTPS to its HTTP
/// API with the forwarding headers it trusts from a configured proxy, WebSocket upgrades to its
/// libp2p WebSocket listener. nginx comes from the project's setup (<c>make setup</c>: Debian
/// nginx-light); a machine without it fails this test rather than skipping it.
/// </summary>
public sealed class NginxRecipeTests : IDisposable
{
    private const string CertInRecipe = "/etc/letsencrypt/live/node.example.org/fullchain.pem";
    private const string KeyInRecipe = "/etc/letsencrypt/live/node.example.org/privkey.pem";

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-nginx-").FullName;

    private static string Recipe => File.ReadAllText(RepositoryFiles.Find("deploy", "nginx", "nnrp.conf"));

    [Fact]
    public async Task The_recipe_passes_nginx_t()
    {
        (int code, string output) = await TestAsync(Recipe);
        Assert.True(code == 0, $"nginx -t: exit {code}\n{output}");
    }

    [Fact]
    public async Task Nginx_t_would_catch_a_broken_recipe()
    {
        (int code, _) = await TestAsync(Recipe.Replace("proxy_pass http://nnrp_api;", "proxy_pass http://nnrp_api", StringComparison.Ordinal));
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void The_recipe_forwards_client_and_scheme_to_the_api_and_upgrades_websockets_to_libp2p()
    {
        string recipe = Recipe;
        Assert.Contains("server 127.0.0.1:8080;", recipe, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", recipe, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header X-Forwarded-Proto $scheme;", recipe, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", recipe, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Connection \"upgrade\";", recipe, StringComparison.Ordinal);
        Assert.Contains("--trusted-proxy 127.0.0.1", recipe, StringComparison.Ordinal);
        Assert.Contains("--http-announce https://node.example.org", recipe, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output)> TestAsync(string recipe)
    {
        string nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx is not installed: `make setup` installs nginx-light (Debian), which this test needs");
        using var tls = TestCertificate.Create(_root);
        File.WriteAllText(Path.Combine(_root, "nnrp.conf"), recipe
            .Replace(CertInRecipe, tls.CertPath, StringComparison.Ordinal)
            .Replace(KeyInRecipe, tls.KeyPath, StringComparison.Ordinal));
        string main = Path.Combine(_root, "nginx.conf");
        File.WriteAllText(main, $$"""
            pid {{_root}}/nginx.pid;
            error_log {{_root}}/error.log;
            events {}
            http {
                access_log off;
                client_body_temp_path {{_root}}/body;
                proxy_temp_path {{_root}}/proxy;
                fastcgi_temp_path {{_root}}/fastcgi;
                uwsgi_temp_path {{_root}}/uwsgi;
                scgi_temp_path {{_root}}/scgi;
                include {{_root}}/nnrp.conf;
            }
            """);
        var start = new ProcessStartInfo(nginx, ["-t", "-p", _root, "-c", main, "-e", Path.Combine(_root, "error.log")]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using Process test = Process.Start(start)!;
        Task<string> stdout = test.StandardOutput.ReadToEndAsync();
        string stderr = await test.StandardError.ReadToEndAsync();
        await test.WaitForExitAsync().WaitAsync(NnrpProcess.Timeout);
        return (test.ExitCode, await stdout + stderr);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
