using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Nnrp.Cli.Tests;

/// <summary>
/// deploy/: the systemd unit and the compose profiles parse, name only settings the node has,
/// and hold what an operator relies on (state directory, hardening, readiness healthcheck,
/// Prometheus scraping the metrics listener).
/// </summary>
public sealed class DeployTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-deploy-").FullName;

    [Fact]
    public void The_systemd_unit_runs_a_hardened_notify_service_as_its_own_user_with_a_state_directory()
    {
        Dictionary<string, List<(string Key, string Value)>> unit = ParseUnit(File.ReadAllText(DeployFile("nnrp.service")));
        string Get(string section, string key) => Assert.Single(unit[section], e => e.Key == key).Value;

        Assert.Equal("notify", Get("Service", "Type"));
        Assert.EndsWith("/nnrp node", Get("Service", "ExecStart"), StringComparison.Ordinal);
        Assert.NotEqual("root", Get("Service", "User"));
        string state = Get("Service", "StateDirectory");
        Dictionary<string, string> environment = unit["Service"].Where(e => e.Key == "Environment").Select(e => e.Value.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("%S/" + state, environment["NNRP_DATA_DIR"]);
        Assert.Equal("yes", Get("Service", "NoNewPrivileges"));
        Assert.Equal("strict", Get("Service", "ProtectSystem"));
        Assert.Equal("yes", Get("Service", "ProtectHome"));
        Assert.Equal("yes", Get("Service", "PrivateTmp"));
        Assert.Equal("on-failure", Get("Service", "Restart"));
        Assert.Contains(NodeCommand.UsageExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), Get("Service", "RestartPreventExitStatus").Split(' '));
        Assert.True(int.Parse(Get("Service", "LimitNOFILE"), System.Globalization.CultureInfo.InvariantCulture) >= 4096);
        Assert.Equal("multi-user.target", Get("Install", "WantedBy"));
        AssertKnownSettings(environment.Keys.Where(k => k.StartsWith(NodeConfiguration.EnvironmentPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_systemd_unit_passes_systemd_analyze_verify_where_that_tool_is_installed()
    {
        string? tool = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        if (tool is null)
        {
            return; // the structural test above still runs
        }
        // verify checks that ExecStart exists: point it at the nnrp built beside the tests.
        string unit = File.ReadAllText(DeployFile("nnrp.service")).Replace("ExecStart=/opt/nnrp/nnrp", "ExecStart=" + Path.Combine(AppContext.BaseDirectory, "nnrp"), StringComparison.Ordinal);
        string path = Path.Combine(_root, "nnrp.service");
        File.WriteAllText(path, unit);

        var start = new ProcessStartInfo(tool, ["verify", path]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using Process verify = Process.Start(start)!;
        Task<string> stderr = verify.StandardError.ReadToEndAsync();
        string stdout = await verify.StandardOutput.ReadToEndAsync();
        await verify.WaitForExitAsync().WaitAsync(NnrpProcess.Timeout);

        Assert.True(verify.ExitCode == 0, $"systemd-analyze verify: exit {verify.ExitCode}\n{stdout}{await stderr}");
        Assert.Equal("", (await stderr).Trim());
    }

    [Fact]
    public void The_production_profile_is_one_node_with_a_volume_a_readiness_healthcheck_and_prometheus_scraping_its_metrics()
    {
        Dictionary<string, object> services = Map(LoadYaml(DeployFile("compose.yaml"))["services"]);
        var production = services.Where(s => Profiles(s.Value).Contains("production")).ToDictionary(s => s.Key, s => Map(s.Value));

        (string nodeName, Dictionary<string, object> node) = Assert.Single(production, s => Equals(s.Value.GetValueOrDefault("image"), "nnrp:local"));
        Dictionary<string, string> environment = Map(node["environment"]).ToDictionary(e => e.Key, e => (string)e.Value);
        AssertKnownSettings(environment.Keys);
        Assert.Equal("/data", environment["NNRP_DATA_DIR"]);
        string volume = Assert.Single(List(node["volumes"]).Cast<string>(), v => v.EndsWith(":/data", StringComparison.Ordinal));
        Assert.Contains(volume.Split(':')[0], Map(LoadYaml(DeployFile("compose.yaml"))["volumes"]).Keys);

        string healthcheck = string.Join(' ', List(Map(node["healthcheck"])["test"]).Cast<string>());
        Assert.Contains("/health/ready", healthcheck, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1/" + new Uri(environment["NNRP_HTTP"]).Port, healthcheck, StringComparison.Ordinal);

        Dictionary<string, object> prometheus = Assert.Single(production, s => s.Key != nodeName).Value;
        Assert.StartsWith("prom/prometheus:", (string)prometheus["image"], StringComparison.Ordinal);
        string config = Assert.Single(List(prometheus["volumes"]).Cast<string>(), v => v.Contains("/etc/prometheus/prometheus.yml", StringComparison.Ordinal));
        Assert.StartsWith("./prometheus.yml:", config, StringComparison.Ordinal);

        Dictionary<string, object> scrape = Map(Assert.Single(List(LoadYaml(DeployFile("prometheus.yml"))["scrape_configs"])));
        Assert.Equal("/metrics", scrape["metrics_path"]);
        object target = Assert.Single(List(Map(Assert.Single(List(scrape["static_configs"])))["targets"]));
        Assert.Equal($"{nodeName}:{new Uri(environment["NNRP_METRICS"]).Port}", target);
    }

    [Fact]
    public void The_testnet_profile_keeps_its_three_nodes_on_known_settings()
    {
        Dictionary<string, object> services = Map(LoadYaml(DeployFile("compose.yaml"))["services"]);
        string[] testnet = [.. services.Where(s => Profiles(s.Value).Contains("testnet")).Select(s => s.Key).Order()];
        Assert.Equal(["node1", "node2", "node3"], testnet);
        foreach (string name in testnet)
        {
            AssertKnownSettings(Map(Map(services[name])["environment"]).Keys);
        }
        Assert.DoesNotContain(services, s => Profiles(s.Value).Count == 0);
    }

    [Fact]
    public async Task The_production_healthcheck_command_passes_against_a_ready_node()
    {
        Dictionary<string, object> node = Map(Map(LoadYaml(DeployFile("compose.yaml"))["services"])["node"]);
        List<object> test = List(Map(node["healthcheck"])["test"]);
        Assert.Equal(["CMD", "bash", "-c"], test.Take(3));

        await using var nnrp = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--metrics", "off", "--data-dir", Path.Combine(_root, "a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Path.Combine(_root, "none.txt"));
        var url = new Uri((await nnrp.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value);
        await nnrp.WaitForLineAsync(NnrpProcess.DhtReady());

        string command = ((string)test[3]).Replace("127.0.0.1/8080", "127.0.0.1/" + url.Port, StringComparison.Ordinal);
        using Process check = Process.Start(new ProcessStartInfo("bash", ["-c", command]))!;
        await check.WaitForExitAsync().WaitAsync(NnrpProcess.Timeout);
        Assert.Equal(0, check.ExitCode);
    }

    private static void AssertKnownSettings(IEnumerable<string> variables)
    {
        var known = NodeSettings.All.Select(s => s.EnvironmentName).ToHashSet(StringComparer.Ordinal);
        Assert.All(variables, v => Assert.Contains(v, known));
    }

    /// <summary>Sections of a systemd unit file, each a list of key=value lines in order (keys may repeat).</summary>
    private static Dictionary<string, List<(string Key, string Value)>> ParseUnit(string text)
    {
        var sections = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        List<(string, string)>? current = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            if (line[0] == '[')
            {
                sections[line.Trim('[', ']')] = current = [];
                continue;
            }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(eq > 0 && current is not null, "not a key=value line in a section: " + line);
            current!.Add((line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }
        return sections;
    }

    /// <summary>A YAML document as dictionaries and lists, with merge keys (<c>&lt;&lt;: *node</c>) applied as compose applies them.</summary>
    private static Dictionary<string, object> LoadYaml(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        return Map(new DeserializerBuilder().Build().Deserialize<object>(new MergingParser(new Parser(reader)))!);
    }

    private static Dictionary<string, object> Map(object node) =>
        Assert.IsType<Dictionary<object, object>>(node).ToDictionary(e => (string)e.Key, e => e.Value ?? "");

    private static List<object> List(object node) => Assert.IsType<List<object>>(node);

    private static List<string> Profiles(object service) =>
        Map(service).TryGetValue("profiles", out object? p) ? [.. List(p).Cast<string>()] : [];

    private static string DeployFile(string name) => RepositoryFiles.Find("deploy", name);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
