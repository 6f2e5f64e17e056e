using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.Identity;

/// <summary>KeyPair.LoadOrCreate: owner-only, atomic, stable identity across restarts.</summary>
public sealed class KeyFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nnrp-keyfile-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void A_missing_key_is_created_with_owner_only_permissions_and_reloaded_unchanged()
    {
        string path = Path.Combine(_directory, "nested", "identity.key");
        PeerId first;
        using (var created = KeyPair.LoadOrCreate(path))
        {
            first = created.PeerId;
        }
        Assert.True(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        using var loaded = KeyPair.LoadOrCreate(path);
        Assert.Equal(first, loaded.PeerId);
        Assert.Equal(loaded.ToPrivateKeyProtobuf(), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_key_file_readable_by_group_or_others_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        string path = Path.Combine(_directory, "identity.key");
        KeyPair.LoadOrCreate(path).Dispose();
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var error = Assert.Throws<InsecureKeyFileException>(() => KeyPair.LoadOrCreate(path));
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_written_by_another_libp2p_implementation_loads()
    {
        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, "go.key");
        File.WriteAllBytes(path, SpecVectors.Ed25519PrivateKey);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        using var pair = KeyPair.LoadOrCreate(path);
        Assert.Equal(SpecVectors.Ed25519VectorPeerId, pair.PeerId.ToString());
    }

    [Fact]
    public void A_corrupt_key_file_is_an_error_not_a_new_identity()
    {
        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, "corrupt.key");
        File.WriteAllBytes(path, [0x08, 0x01, 0x12, 0x40, 1, 2, 3]);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        Assert.ThrowsAny<ProtocolViolationException>(() => KeyPair.LoadOrCreate(path));
        Assert.Equal(7, new FileInfo(path).Length);
    }
}
