using Nnrp.Core.Notifications;
using Nnrp.Protocol.Sync;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>sync.json (NNRP.md §11.8.2): range fingerprints and id lists.</summary>
public sealed class SyncVectorTests
{
    private static readonly IReadOnlyList<Vector> All = VectorFile.Load("sync").Vectors();

    [Fact]
    public void A_fingerprint_hashes_the_ids_in_timestamp_then_hash_order_and_their_count()
    {
        foreach (Vector v in All)
        {
            List<TimeKey> keys = Items(v);
            keys.Sort();
            Expect.Hex(v, "fingerprint", Fingerprint.Of(keys.Select(k => k.Hash)).ToArray());
        }
    }

    [Fact]
    public void The_order_of_the_items_changes_the_fingerprint()
    {
        foreach (Vector v in All.Where(v => Items(v).Count > 1))
        {
            List<TimeKey> keys = Items(v);
            keys.Sort();
            keys.Reverse();
            Assert.NotEqual(v.Text("fingerprint"), Fingerprint.Of(keys.Select(k => k.Hash)).ToString());
        }
    }

    [Fact]
    public void An_id_list_is_the_hashes_sorted_by_hash_bytes()
    {
        foreach (Vector v in All)
        {
            byte[] ids = Items(v).Select(k => k.Hash).Order().SelectMany(h => h.ToArray()).ToArray();
            Expect.Hex(v, "ids", ids);
        }
    }

    private static List<TimeKey> Items(Vector v) =>
        v.Element.GetProperty("items").EnumerateArray()
            .Select(i => new TimeKey(i.GetProperty("timestamp").GetUInt64(), NotificationHash.Parse(i.GetProperty("hash").GetString())))
            .ToList();
}
