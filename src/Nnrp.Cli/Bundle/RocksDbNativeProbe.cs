using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nnrp.Cli.Bundle;

/// <summary>
/// Lets RocksDbSharp find its native library inside a self-contained single file.
/// </summary>
/// <remarks>
/// RocksDbSharp does not load <c>librocksdb</c> through <c>DllImport</c> (which the single-file host
/// resolves from the folder it extracted the bundle's native libraries to) but with its own
/// <c>dlopen</c>/<c>LoadLibrary</c> probe of <c>runtimes/&lt;rid&gt;/native</c>, <c>native</c> and the
/// bare folder under the working directory and the executable's folder. A bundle
/// (<c>make publish</c>, IncludeNativeLibrariesForSelfExtract) extracts the library to
/// <c>DOTNET_BUNDLE_EXTRACT_BASE_DIR</c> (by default <c>~/.net/nnrp/&lt;hash&gt;</c>), which that probe
/// never visits. So, once at startup and before any other thread runs, the probe is run with the
/// extraction folder as the working directory; its loaded library then serves the whole process.
/// RocksDbSharp offers no hook for the path, and its type initializer runs only once, so this is
/// the one place the path can be given. Outside a bundle nothing changes.
/// </remarks>
internal static class RocksDbNativeProbe
{
    /// <summary>The file names RocksDbSharp probes on this platform (NativeImport.Importers).</summary>
    internal static IReadOnlyList<string> LibraryFileNames() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ["rocksdb.dll"]
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? ["librocksdb.dylib"]
        : ["librocksdb-jemalloc.so", "librocksdb.so", "librocksdb-musl.so"];

    /// <summary>True when this process runs from a single-file bundle (its assemblies have no file).</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "The empty Location of a bundled assembly is what is tested.")]
    internal static bool InBundle => string.IsNullOrEmpty(typeof(RocksDbNativeProbe).Assembly.Location);

    /// <summary>
    /// Loads RocksDB's native library from the bundle's extraction folder when running from a
    /// single file; does nothing otherwise. A failure surfaces later, where the store opens,
    /// with RocksDbSharp's list of searched paths.
    /// </summary>
    public static void LoadFromBundle()
    {
        if (!InBundle)
            return;
        var folder = FindFolder(
            AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string, LibraryFileNames(), File.Exists);
        if (folder is null)
            return;
        var workingDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(folder);
        try
        {
            RuntimeHelpers.RunClassConstructor(typeof(RocksDbSharp.Native).TypeHandle);
        }
        catch (TypeInitializationException)
        {
            // Reported again, with the searched paths, when the store opens.
        }
        finally
        {
            Directory.SetCurrentDirectory(workingDirectory);
        }
    }

    /// <summary>
    /// The first folder of the host's native search list (<c>NATIVE_DLL_SEARCH_DIRECTORIES</c>,
    /// separated by <see cref="Path.PathSeparator"/>; for a bundle it names the extraction folder)
    /// that holds one of <paramref name="fileNames"/>, or null.
    /// </summary>
    internal static string? FindFolder(string? searchDirectories, IReadOnlyList<string> fileNames, Func<string, bool> fileExists)
    {
        if (string.IsNullOrEmpty(searchDirectories))
            return null;
        foreach (var folder in searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var name in fileNames)
            {
                if (fileExists(Path.Combine(folder, name)))
                    return folder;
            }
        }
        return null;
    }
}
