using System.Reflection;
using System.Text.Json;
using Nnrp.Libp2p.Host;

namespace Nnrp.Client.Tests.Packaging;

/// <summary>
/// Issue 13: a wallet ships no store. The closures of Nnrp.Client and Nnrp.Libp2p — every
/// package and project their build lists in its deps.json, and every assembly their metadata
/// references — hold no RocksDB and no node.
/// </summary>
public class DependencyClosureTests
{
    private static readonly string[] Forbidden = ["RocksDB", "RocksDbSharp", "Nnrp.Node", "Nnrp.Http"];

    [Theory]
    [InlineData("Nnrp.Client")]
    [InlineData("Nnrp.Libp2p")]
    [InlineData("Nnrp.Protocol")]
    public void Build_closure_holds_no_store(string project)
    {
        string deps = DepsFileOf(project);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(deps));
        string[] libraries = document.RootElement.GetProperty("libraries").EnumerateObject()
            .Select(l => l.Name.Split('/')[0]).ToArray();
        Assert.Contains(project, libraries);
        Assert.DoesNotContain(libraries, l => Forbidden.Contains(l, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(typeof(WalletClient))]
    [InlineData(typeof(Libp2pHost))]
    public void Referenced_assemblies_hold_no_store(Type entry)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>([entry.Assembly.GetName()]);
        while (pending.TryPop(out AssemblyName? name))
        {
            if (!seen.Add(name.Name!) || name.Name!.StartsWith("System", StringComparison.Ordinal) || name.Name == "netstandard" || name.Name == "mscorlib")
            {
                continue;
            }
            Assert.DoesNotContain(name.Name, Forbidden);
            foreach (AssemblyName reference in Assembly.Load(name).GetReferencedAssemblies())
            {
                pending.Push(reference);
            }
        }
        // The walk reached the libraries both use, so it did follow references.
        Assert.Contains("Google.Protobuf", seen);
    }

    /// <summary>The project's own deps.json, built beside this test in the same configuration.</summary>
    private static string DepsFileOf(string project)
    {
        // …/tests/Nnrp.Client.Tests/bin/<configuration>/net10.0/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name;
        string configuration = output.Parent!.Name;
        DirectoryInfo root = output.Parent.Parent!.Parent!.Parent!.Parent!;
        string path = Path.Combine(root.FullName, "src", project, "bin", configuration, framework, project + ".deps.json");
        Assert.True(File.Exists(path), $"no {path}: build the solution first");
        return path;
    }
}
