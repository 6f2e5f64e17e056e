using Nnrp.Node.Storage;

namespace Nnrp.Node.Tests.Testing;

/// <summary>A RocksDB store in a temp directory, reopenable, deleted at the end.</summary>
public sealed class StoreFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public StoreFixture(StoreOptions? options = null)
    {
        Options = options ?? new StoreOptions();
        Store = RocksDbNotificationStore.Open(Path, Options);
    }

    public string Path => System.IO.Path.Combine(_dir.Path, "store");

    public StoreOptions Options { get; }

    public RocksDbNotificationStore Store { get; private set; }

    public void Reopen()
    {
        Store.Dispose();
        Store = RocksDbNotificationStore.Open(Path, Options);
    }

    public void AssertConsistent() => Assert.Empty(Store.CheckConsistency());

    public void Dispose()
    {
        Store.Dispose();
        _dir.Dispose();
    }
}
