using System.Diagnostics;
using System.Text.Json;

namespace Nnrp.Client.Tests.CrossLanguage;

/// <summary>
/// Runs the TypeScript SDK's cross-test script (src/nnrp-client/test-support/cross.ts, built to
/// dist/test-support/cross.js by <c>make npm</c>): one command, one JSON argument, one JSON line back.
/// </summary>
internal static class TypeScriptSdk
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    public static async Task<JsonElement> RunAsync(string command, object argument)
    {
        string package = PackageDirectory();
        string script = Path.Combine(package, "dist", "test-support", "cross.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} is missing: build the TypeScript SDK with `make npm` (make test does it)");
        }
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = package,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(JsonSerializer.Serialize(argument));
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        string output = await stdout;
        Assert.True(process.ExitCode == 0, $"node {command} exit {process.ExitCode}:\n{output}\n{await stderr}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string PackageDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "nnrp-client");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("src/nnrp-client not found above " + AppContext.BaseDirectory);
    }
}
