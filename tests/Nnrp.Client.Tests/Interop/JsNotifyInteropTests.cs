using System.Diagnostics;
using System.Text.Json;
using Nnrp.Client.Mailbox;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Codecs;
using Nnrp.Core.Work;

namespace Nnrp.Client.Tests.Interop;

/// <summary>
/// The outside check: tests/Interop/js/nnrp-notify.mjs implements sealing, hashing, work and
/// /nnrp/1.0 from NNRP.md alone with @noble/* and js-libp2p. What it publishes the C# client
/// opens, and what the C# client sends it opens — through a real node in both directions.
/// </summary>
public sealed class JsNotifyInteropTests
{
    private const string R = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private const string Tx = "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5";

    [Fact]
    public async Task A_notification_built_and_published_by_js_from_the_spec_is_opened_by_the_CSharp_client()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(1);
        JsonElement sent = Assert.Single(await RunJsAsync("send", new
        {
            uri = Samples.SeedUri,
            node = nodes.Address(0),
            R,
            tx_hash = Tx,
            amount_raw = "42",
            memo = "from js",
            threshold = ProofOfWork.FormatWork(Samples.EasyThreshold),
        }));
        Assert.Equal(1, sent.GetProperty("status").GetInt32());

        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);
        FetchResult result = await client.FetchAsync(Samples.SeedKey, Clients.EasyFetch).WaitAsync(LoopbackNodes.Limit);

        OpenedNotification opened = Assert.Single(result.Contents.Opened);
        Assert.Equal(sent.GetProperty("hash").GetString(), opened.Hash.ToString());
        Assert.Equal(new Nnrp.Core.Sealing.PaymentEvent(R, Tx, "42", "from js"), opened.Event);
    }

    [Fact]
    public async Task A_notification_sent_by_the_CSharp_client_is_opened_by_js_from_the_spec()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(1);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);
        SendResult sent = await client.SendAsync(Recipient.Parse(Samples.SeedNanoNym), new Nnrp.Core.Sealing.PaymentEvent(R, Tx, null, "from C#"),
            Clients.EasySend with { Replicas = 1 }).WaitAsync(LoopbackNodes.Limit);
        Assert.True(sent.MetTarget);

        JsonElement opened = Assert.Single(await RunJsAsync("fetch", new { private_key = Hex.Encode(Samples.SeedKey.PrivateKey), node = nodes.Address(0) }));

        Assert.Equal(sent.Hash.ToString(), opened.GetProperty("hash").GetString());
        JsonElement ev = opened.GetProperty("event");
        Assert.Equal(2, ev.GetProperty("version").GetInt32());
        Assert.Equal("nanonym", ev.GetProperty("protocol").GetString());
        Assert.Equal(R, ev.GetProperty("R").GetString());
        Assert.Equal(Tx, ev.GetProperty("tx_hash").GetString());
        Assert.Equal("from C#", ev.GetProperty("memo").GetString());
        Assert.True(Convert.ToUInt64(opened.GetProperty("work_value").GetString(), 16) >= Samples.EasyThreshold);
    }

    private static async Task<List<JsonElement>> RunJsAsync(string command, object argument)
    {
        string interop = InteropDirectory();
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "@noble", "hashes")))
        {
            throw new InvalidOperationException($"the js packages are not installed in {interop}; run `make npm` (make test does it)");
        }
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = interop,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["--import", "./js/polyfill.mjs", "js/nnrp-notify.mjs", command, JsonSerializer.Serialize(argument)])
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(LoopbackNodes.Limit);
        string output = await stdout;
        Assert.True(process.ExitCode == 0, $"js exit {process.ExitCode}:\n{output}\n{await stderr}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    private static string InteropDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Interop");
            if (File.Exists(Path.Combine(candidate, "js", "nnrp-notify.mjs")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("tests/Interop/js/nnrp-notify.mjs not found above " + AppContext.BaseDirectory);
    }
}
