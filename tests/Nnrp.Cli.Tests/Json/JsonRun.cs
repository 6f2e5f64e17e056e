using System.Text.Json;

namespace Nnrp.Cli.Tests.Json;

/// <summary>One finished `nnrp … --json` process: its exit code, its stdout and everything it printed.</summary>
internal sealed record JsonRun(int Code, string Stdout, string Output)
{
    public static async Task<JsonRun> RunAsync(params string[] args)
    {
        await using var process = NnrpProcess.Start(args);
        int code = await process.WaitForExitAsync();
        return new JsonRun(code, process.StandardOutput, process.Output);
    }

    /// <summary>Stdout as the one JSON document the contract promises (fails if it is anything else).</summary>
    public JsonElement Document()
    {
        string[] lines = Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one JSON line on stdout, got {lines.Length}:\n{Output}");
        using JsonDocument document = JsonDocument.Parse(lines[0]);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return document.RootElement.Clone();
    }

    /// <summary>The names of an object's properties, in order.</summary>
    public static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
}
