using BenchmarkDotNet.Running;

namespace Nnrp.Benchmarks;

/// <summary>
/// <c>make bench</c> entry point. Micro-benchmarks are BenchmarkDotNet classes in this
/// assembly (one folder per layer: Core/, Libp2p/); whole-system comparisons that need
/// processes and sockets (C# vs js-libp2p side by side) are harness commands.
/// <code>
///   dotnet run -c Release -- micro [BenchmarkDotNet args]   all BDN suites (default filter *)
///   dotnet run -c Release -- &lt;harness&gt; [args]             one harness (see Harnesses)
///   dotnet run -c Release --                                 everything, in that order
/// </code>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "micro")
        {
            string[] rest = args.Length > 1 ? args[1..] : ["--filter", "*"];
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest);
            return 0;
        }
        if (args.Length > 0 && Harnesses.All.TryGetValue(args[0], out var one))
        {
            return await one(args[1..]);
        }
        if (args.Length > 0)
        {
            await Console.Error.WriteLineAsync(
                $"unknown benchmark '{args[0]}'; use: micro, {string.Join(", ", Harnesses.All.Keys)}");
            return 2;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(["--filter", "*"]);
        foreach (var (_, harness) in Harnesses.All)
        {
            int code = await harness([]);
            if (code != 0)
            {
                return code;
            }
        }
        return 0;
    }
}
