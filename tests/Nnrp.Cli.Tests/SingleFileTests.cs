using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace Nnrp.Cli.Tests;

/// <summary>
/// The self-contained single file (<c>make publish</c>) starts a node: RocksDB's native library
/// is found in the bundle's extraction folder whatever the working directory. Publishing takes
/// minutes, so this runs in <c>make publish-check</c>, not in <c>make test</c>.
/// </summary>
public sealed class SingleFileTests : IDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-single-file-").FullName;

    [Fact]
    [Trait("Category", "Long")]
    public async Task The_single_file_starts_a_ready_node_from_another_working_directory()
    {
        string output = Path.Combine(_root, "publish");
        await PublishAsync(output);
        string executable = Path.Combine(output, OperatingSystem.IsWindows() ? "nnrp.exe" : "nnrp");
        Assert.False(File.Exists(Path.Combine(output, RocksDbNativeProbeFileName())), "the native library must be inside the single file, not beside it");
        string elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        var environment = new Dictionary<string, string> { ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Path.Combine(_root, "extract") };

        await using var node = NnrpProcess.Start(executable,
            ["node", "--http", "http://127.0.0.1:0", "--metrics", "off", "--data-dir", Path.Combine(_root, "data"),
             "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Path.Combine(_root, "none.txt")],
            elsewhere, environment);
        string url = (await node.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value;
        await node.WaitForLineAsync(NnrpProcess.DhtReady());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using HttpResponseMessage ready = await http.GetAsync(url + "/health/ready");
        Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync() + "\n" + node.Output);
        Assert.Equal(0, await node.StopAsync());
    }

    private static string RocksDbNativeProbeFileName() =>
        OperatingSystem.IsWindows() ? "rocksdb.dll" : OperatingSystem.IsMacOS() ? "librocksdb.dylib" : "librocksdb.so";

    /// <summary>The Makefile's publish line for this machine's RID, into <paramref name="output"/>.</summary>
    private static async Task PublishAsync(string output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryFiles.Find(),
        };
        foreach (string arg in (string[])["publish", "src/Nnrp.Cli", "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "--self-contained",
                     "-p:PublishSingleFile=true", "-p:IncludeNativeLibrariesForSelfExtract=true", "-o", output])
        {
            start.ArgumentList.Add(arg);
        }
        using Process publish = Process.Start(start)!;
        Task<string> stdout = publish.StandardOutput.ReadToEndAsync();
        Task<string> stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync().WaitAsync(PublishTimeout);
        Assert.True(publish.ExitCode == 0, await stdout + await stderr);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
