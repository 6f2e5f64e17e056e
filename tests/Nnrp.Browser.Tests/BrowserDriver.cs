using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nnrp.Cli.Tests;

namespace Nnrp.Browser.Tests;

/// <summary>
/// Headless Debian Chromium driven by playwright-core through js/driver.mjs (a node process):
/// one JSON command per line in, one JSON answer per line out. Contexts are named; each has
/// its own storage, like two people's browsers. The page's console lines are kept for the
/// failure message.
/// </summary>
internal sealed class BrowserDriver : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _node;
    private readonly StringBuilder _log = new();
    private int _nextId;

    private BrowserDriver(Process node)
    {
        _node = node;
        _node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_log)
                {
                    _log.AppendLine(e.Data);
                }
            }
        };
        _node.BeginErrorReadLine();
    }

    /// <summary>What the driver and the pages wrote to stderr (console, page errors, failed requests).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the driver and Chromium; the Chromium version string.</summary>
    public static async Task<(BrowserDriver Driver, string Version)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: `make test` installs Debian's chromium (apt-get install chromium)");
        }
        string clientDir = RepositoryFiles.Find("src", "nnrp-client");
        if (!Directory.Exists(Path.Combine(clientDir, "node_modules", "playwright-core")))
        {
            throw new InvalidOperationException($"{clientDir}/node_modules has no playwright-core: run `make npm` (npm ci in src/nnrp-client)");
        }
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(RepositoryFiles.Find("tests", "Nnrp.Browser.Tests", "js", "driver.mjs"));
        start.Environment["NNRP_CLIENT_DIR"] = clientDir;
        var driver = new BrowserDriver(Process.Start(start) ?? throw new InvalidOperationException("could not start node"));
        JsonNode? version = await driver.SendAsync(new JsonObject { ["cmd"] = "launch", ["executablePath"] = ChromiumPath });
        return (driver, version!.GetValue<string>());
    }

    /// <summary>Opens <paramref name="url"/> in a new context named <paramref name="context"/>.</summary>
    public Task OpenAsync(string context, Uri url) =>
        SendAsync(new JsonObject { ["cmd"] = "open", ["context"] = context, ["url"] = url.ToString() });

    public Task FillAsync(string context, string selector, string value) =>
        SendAsync(new JsonObject { ["cmd"] = "fill", ["context"] = context, ["selector"] = selector, ["value"] = value });

    public Task ClickAsync(string context, string selector) =>
        SendAsync(new JsonObject { ["cmd"] = "click", ["context"] = context, ["selector"] = selector });

    /// <summary>The JSON value of a JavaScript expression evaluated in the page.</summary>
    public async Task<JsonNode?> EvalAsync(string context, string expression) =>
        await SendAsync(new JsonObject { ["cmd"] = "eval", ["context"] = context, ["expr"] = expression });

    /// <summary>Waits until <paramref name="expression"/> is truthy in the page and returns its value.</summary>
    public async Task<JsonNode?> WaitAsync(string context, string expression, TimeSpan timeout) =>
        await SendAsync(new JsonObject { ["cmd"] = "wait", ["context"] = context, ["expr"] = expression, ["timeoutMs"] = (int)timeout.TotalMilliseconds }, timeout + CommandTimeout);

    public Task ScreenshotAsync(string context, string path) =>
        SendAsync(new JsonObject { ["cmd"] = "screenshot", ["context"] = context, ["path"] = path });

    private async Task<JsonNode?> SendAsync(JsonObject command, TimeSpan? timeout = null)
    {
        int id = ++_nextId;
        command["id"] = id;
        await _node.StandardInput.WriteLineAsync(command.ToJsonString());
        await _node.StandardInput.FlushAsync();
        using var limit = new CancellationTokenSource(timeout ?? CommandTimeout);
        while (true)
        {
            string? line;
            try
            {
                line = await _node.StandardOutput.ReadLineAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the browser driver did not answer {command["cmd"]}; its log:\n{Log}");
            }
            if (line is null)
            {
                throw new InvalidOperationException($"the browser driver exited during {command["cmd"]}; its log:\n{Log}");
            }
            JsonNode answer = JsonNode.Parse(line) ?? throw new InvalidOperationException("empty answer: " + line);
            if (answer["id"]?.GetValue<int>() != id)
            {
                continue;
            }
            if (answer["ok"]?.GetValue<bool>() != true)
            {
                throw new BrowserCommandException($"{command.ToJsonString()} failed: {answer["error"]}\n--- browser log:\n{Log}");
            }
            return answer["value"];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            try
            {
                await SendAsync(new JsonObject { ["cmd"] = "close" }, TimeSpan.FromSeconds(20));
                await _node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or BrowserCommandException or IOException)
            {
                // Killed below with every child (Chromium's processes included).
            }
        }
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }
        _node.Dispose();
    }
}

/// <summary>A driver command the page refused (a selector missing, a wait that timed out, an exception).</summary>
internal sealed class BrowserCommandException(string message) : Exception(message);
