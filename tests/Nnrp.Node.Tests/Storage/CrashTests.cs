using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Storage;

/// <summary>
/// Issue 6 item 1: an acknowledged notification survives kill -9 and nothing is half-written;
/// a full disk is a refusal, not corruption. Real child processes, real RocksDB files.
/// </summary>
public sealed class CrashTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private static HashSet<NotificationHash> Acked(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => NotificationHash.Parse(l.AsSpan(4))).ToHashSet();

    [Fact]
    public async Task Every_acknowledged_notification_survives_SIGKILL_and_nothing_is_half_written()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "store");
        var acked = new HashSet<NotificationHash>();
        for (int round = 0; round < 2; round++)
        {
            using ChildProcess child = ChildProcess.Start("load", path);
            int target = acked.Count + 2000;
            await child.WhenAsync(lines => lines.Count(l => l.StartsWith("ACK ", StringComparison.Ordinal)) >= 2000).WaitAsync(Limit);
            await child.KillAsync(); // mid-load: writers are still submitting
            acked.UnionWith(Acked(child.Lines));
            Assert.True(acked.Count >= target, $"round {round}: only {acked.Count} acknowledged");
        }
        using RocksDbNotificationStore store = RocksDbNotificationStore.Open(path);
        Assert.All(acked, hash => Assert.True(store.Contains(hash), $"acknowledged {hash} is missing"));
        Assert.Empty(store.CheckConsistency());
    }

    [Fact]
    public async Task Eviction_by_work_per_byte_survives_SIGKILL_with_its_index_consistent()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "store");
        for (int round = 0; round < 2; round++)
        {
            using ChildProcess child = ChildProcess.Start("evict", path);
            // ~960 notifications of ~270 bytes fill 256 KiB: past that every stored group evicts.
            await child.WhenAsync(lines => lines.Count(l => l.StartsWith("ACK ", StringComparison.Ordinal)) >= 1500).WaitAsync(Limit);
            await child.KillAsync();
        }
        var options = new StoreOptions { MaxBytes = 256 * 1024 };
        using RocksDbNotificationStore store = RocksDbNotificationStore.Open(path, options);
        Assert.Empty(store.CheckConsistency());
        Assert.InRange(store.Statistics.Bytes, options.MaxBytes - 2 * NotificationLimits.MaxEncodedSize, options.MaxBytes);
        Assert.NotEqual(UInt128.Zero, store.Floor!.Value.LeastWorthCost);
    }

    [Fact]
    public async Task Full_disk_is_a_refusal_and_leaves_the_store_intact()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "store");
        // RLIMIT_FSIZE stands in for a full disk: a write past 4 MiB fails with EFBIG (the
        // signal it would raise is ignored), so the WAL append fails like it does on ENOSPC.
        // W^X is off because the runtime's double-mapped code heap is a file the limit breaks.
        using ChildProcess child = ChildProcess.StartUnderShell(
            "ulimit -f 4096; trap '' XFSZ; export DOTNET_EnableWriteXorExecute=0", "fill", path);
        await child.WhenAsync(lines => lines.Any(l => l.StartsWith("REFUSED", StringComparison.Ordinal))).WaitAsync(Limit);
        string refusal = child.Lines.First(l => l.StartsWith("REFUSED", StringComparison.Ordinal));
        Assert.StartsWith("REFUSED Internal", refusal, StringComparison.Ordinal);
        await child.KillAsync();
        HashSet<NotificationHash> acked = Acked(child.Lines);
        Assert.NotEmpty(acked);
        using RocksDbNotificationStore store = RocksDbNotificationStore.Open(path);
        Assert.All(acked, hash => Assert.True(store.Contains(hash), $"acknowledged {hash} is missing"));
        Assert.Empty(store.CheckConsistency());
    }
}
