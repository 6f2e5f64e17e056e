using System.Text;
using Nnrp.Client.Keys;
using Nnrp.Client.Mailbox;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core;
using Nnrp.Core.Notifications;

namespace Nnrp.Client.Tests.Mailbox;

/// <summary>Per-key checkpoints: the next fetch asks only for what is new.</summary>
public sealed class FetchCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nnrp-checkpoint-").FullName;
    private readonly Nnrp.Core.Keys.NotificationKeyPair _key = Samples.SeedKey;

    [Fact]
    public void After_a_fetch_the_next_starts_one_overlap_earlier_and_skips_what_was_delivered()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);
        Notification recent = Samples.Sealed(_key, Samples.Event(1), (ulong)now.ToUnixTimeSeconds() - 60);
        Notification old = Samples.Sealed(_key, Samples.Event(2), (ulong)now.ToUnixTimeSeconds() - 86_400);
        MailboxContents first = MailboxOpener.Open([new(recent, "n"), new(old, "n")], _key, Samples.EasyThreshold);

        FetchCheckpoint checkpoint = FetchCheckpoint.Start(_key.Tag).Advance(first, now);

        Assert.Equal((ulong)(now - FetchCheckpoint.DefaultOverlap).ToUnixTimeSeconds(), checkpoint.Since);
        Assert.Equal([recent.Hash], checkpoint.Seen); // the old one is before since: never asked for again
        MailboxContents second = MailboxOpener.Open([new(recent, "n")], _key, Samples.EasyThreshold, checkpoint.Seen);
        Assert.Empty(second.Opened);
        Assert.Equal(1, second.AlreadySeen);
    }

    [Fact]
    public void Since_never_moves_backwards()
    {
        var empty = new MailboxContents([], [], 0, 0);
        FetchCheckpoint later = FetchCheckpoint.Start(_key.Tag).Advance(empty, DateTimeOffset.FromUnixTimeSeconds(2_000_000_000));
        FetchCheckpoint earlier = later.Advance(empty, DateTimeOffset.FromUnixTimeSeconds(1_000_000_000));
        Assert.Equal(later.Since, earlier.Since);
    }

    [Fact]
    public async Task A_checkpoint_is_saved_and_loaded_per_key()
    {
        string path = Path.Combine(_dir, "cp.json");
        Assert.Equal(0UL, (await FetchCheckpoint.LoadAsync(path, _key.Tag)).Since);

        Notification n = Samples.Sealed(_key, Samples.Event(1), 1_767_225_000);
        FetchCheckpoint checkpoint = FetchCheckpoint.Start(_key.Tag)
            .Advance(MailboxOpener.Open([new(n, "x")], _key, Samples.EasyThreshold), DateTimeOffset.FromUnixTimeSeconds(1_767_225_600));
        await checkpoint.SaveAsync(path);

        FetchCheckpoint loaded = await FetchCheckpoint.LoadAsync(path, _key.Tag);
        Assert.Equal(checkpoint.Since, loaded.Since);
        Assert.Equal(checkpoint.Seen, loaded.Seen);
        await Assert.ThrowsAsync<NnrpFormatException>(() => FetchCheckpoint.LoadAsync(path, WalletKeys.Generate().Tag));
    }

    [Fact]
    public void Random_and_truncated_checkpoints_give_a_format_error_never_a_crash()
    {
        byte[] valid = FetchCheckpoint.Start(_key.Tag)
            .Advance(MailboxOpener.Open([new(Samples.Sealed(_key, Samples.Event(1), 1_767_225_000), "x")], _key, Samples.EasyThreshold), DateTimeOffset.FromUnixTimeSeconds(1_767_225_600))
            .ToJson();
        var random = new Random(9);
        for (int i = 0; i < 500; i++)
        {
            byte[] input = (i % 3) switch
            {
                0 => valid[..random.Next(valid.Length)],
                1 => Mutate(valid, random),
                _ => Encoding.UTF8.GetBytes("{\"version\":1,\"recipient_tag\":" + random.Next() + "}"),
            };
            try
            {
                FetchCheckpoint.Parse(input);
            }
            catch (NnrpFormatException)
            {
            }
        }
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] copy = (byte[])valid.Clone();
        copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
