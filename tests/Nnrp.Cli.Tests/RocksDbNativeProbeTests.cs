using Nnrp.Cli.Bundle;

namespace Nnrp.Cli.Tests;

/// <summary>
/// How a single file finds RocksDB's native library: the folder of the host's native search
/// list that holds it (the bundle's extraction folder). The whole path is proved by
/// <see cref="SingleFileTests"/> (make publish-check).
/// </summary>
public sealed class RocksDbNativeProbeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-probe-").FullName;

    [Fact]
    public void The_folder_holding_the_library_is_found_among_the_search_directories()
    {
        string framework = Folder("framework");
        string extracted = Folder("extracted");
        File.WriteAllBytes(Path.Combine(extracted, RocksDbNativeProbe.LibraryFileNames()[^1]), []);

        string list = string.Join(Path.PathSeparator, framework, Path.Combine(_root, "missing"), extracted);

        Assert.Equal(extracted, RocksDbNativeProbe.FindFolder(list, RocksDbNativeProbe.LibraryFileNames(), File.Exists));
    }

    [Fact]
    public void The_first_folder_holding_the_library_wins()
    {
        string first = Folder("first");
        string second = Folder("second");
        foreach (string folder in (string[])[first, second])
        {
            File.WriteAllBytes(Path.Combine(folder, RocksDbNativeProbe.LibraryFileNames()[0]), []);
        }

        Assert.Equal(first, RocksDbNativeProbe.FindFolder($"{first}{Path.PathSeparator}{second}{Path.PathSeparator}", RocksDbNativeProbe.LibraryFileNames(), File.Exists));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_search_list_finds_nothing(string? list) =>
        Assert.Null(RocksDbNativeProbe.FindFolder(list, RocksDbNativeProbe.LibraryFileNames(), File.Exists));

    [Fact]
    public void A_list_without_the_library_finds_nothing()
    {
        File.WriteAllBytes(Path.Combine(Folder("other"), "libsodium.so"), []);

        Assert.Null(RocksDbNativeProbe.FindFolder(Folder("other"), RocksDbNativeProbe.LibraryFileNames(), File.Exists));
    }

    [Fact]
    public void The_names_are_those_rocksdbsharp_probes_on_this_platform()
    {
        IReadOnlyList<string> names = RocksDbNativeProbe.LibraryFileNames();
        string expected = OperatingSystem.IsWindows() ? "rocksdb.dll" : OperatingSystem.IsMacOS() ? "librocksdb.dylib" : "librocksdb.so";
        Assert.Contains(expected, names);
    }

    [Fact]
    public void Outside_a_bundle_nothing_changes()
    {
        string before = Directory.GetCurrentDirectory();

        Assert.False(RocksDbNativeProbe.InBundle);
        RocksDbNativeProbe.LoadFromBundle();

        Assert.Equal(before, Directory.GetCurrentDirectory());
    }

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
