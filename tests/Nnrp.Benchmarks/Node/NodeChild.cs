using System.Diagnostics;
using System.Reflection;

namespace Nnrp.Benchmarks.Node;

/// <summary>
/// This benchmark executable started again as <c>node &lt;child command&gt; …</c> in a fresh
/// process, with the daemon's GC settings, so a node is measured alone (its RSS, its CPU) the
/// way <c>nnrp node</c> runs. It talks one line at a time: the child writes <c>name value</c>
/// lines on stdout; <see cref="AskAsync"/> writes a command line to its stdin and returns the
/// next line.
/// </summary>
internal sealed class NodeChild : IAsyncDisposable
{
    private readonly Process _process;

    private NodeChild(Process process) => _process = process;

    public static NodeChild Start(params string[] arguments)
    {
        string entry = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(entry) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(entry) == "dotnet")
        {
            // Started as `dotnet Nnrp.Benchmarks.dll`: the child needs the assembly path too.
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }
        start.ArgumentList.Add("node");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The daemon's GC (src/Nnrp.Cli/Nnrp.Cli.csproj): workstation, non-concurrent.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_gcConcurrent"] = "0";
        return new NodeChild(Process.Start(start) ?? throw new InvalidOperationException("could not start the child node"));
    }

    /// <summary>The child's process id (to attach dotnet-trace or dotnet-counters).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The next <c>name value</c> line; its value must be under <paramref name="name"/>.</summary>
    public async Task<string> ReadAsync(string name)
    {
        string line = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException($"the child node exited before '{name}'");
        string[] parts = line.Split(' ', 2);
        if (parts.Length != 2 || parts[0] != name)
        {
            throw new InvalidOperationException($"the child node answered '{line}' where '{name}' was expected");
        }
        return parts[1];
    }

    public async Task<string> AskAsync(string command, string name)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await ReadAsync(name);
    }

    /// <summary>Closes the child's stdin (its signal to stop) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
