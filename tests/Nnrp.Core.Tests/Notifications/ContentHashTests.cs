using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;

namespace Nnrp.Core.Tests.Notifications;

public class ContentHashTests
{
    private static Notification Example(ulong work = 0) => new(1, RecipientTag.Parse(TestVectors.Key0Tag),
        TestVectors.ExampleTimestamp, TestVectors.ExampleTtl, TestVectors.ExamplePayload, work);

    [Fact]
    public void Hash_is_blake2b_256_of_the_documented_preimage()
    {
        Notification n = Example();
        Assert.Equal(TestVectors.ExampleHash, n.Hash.ToString());
        Assert.Equal(TestVectors.ExampleHash,
            Convert.ToHexStringLower(Core.Hashing.Blake2b.Hash(TestVectors.FromHex(TestVectors.ExamplePreimage), 32)));
    }

    [Fact]
    public void Relay_address_of_the_example()
    {
        Assert.Equal(TestVectors.ExampleRelayAddress, Example().Hash.ToRelayAddress());
        Assert.Equal(Example().Hash, RelayAddress.Decode(TestVectors.ExampleRelayAddress));
    }

    [Fact]
    public void Work_is_not_part_of_the_hash()
    {
        Assert.Equal(Example(0).Hash, Example(12345).Hash);
        Assert.Equal(Example(0).Hash, Example(0).WithWork(99).Hash);
    }

    [Fact]
    public void Every_hashed_field_changes_the_hash()
    {
        NotificationHash h = Example().Hash;
        var tag = RecipientTag.Parse(TestVectors.Key0Tag);
        Assert.NotEqual(h, new Notification(2, tag, TestVectors.ExampleTimestamp, TestVectors.ExampleTtl, TestVectors.ExamplePayload, 0).Hash);
        Assert.NotEqual(h, new Notification(1, RecipientTag.Parse(TestVectors.Key7Tag), TestVectors.ExampleTimestamp, TestVectors.ExampleTtl, TestVectors.ExamplePayload, 0).Hash);
        Assert.NotEqual(h, new Notification(1, tag, TestVectors.ExampleTimestamp + 1, TestVectors.ExampleTtl, TestVectors.ExamplePayload, 0).Hash);
        Assert.NotEqual(h, new Notification(1, tag, TestVectors.ExampleTimestamp, TestVectors.ExampleTtl - 1, TestVectors.ExamplePayload, 0).Hash);
        Assert.NotEqual(h, new Notification(1, tag, TestVectors.ExampleTimestamp, TestVectors.ExampleTtl, TestVectors.ExamplePayload.AsSpan(0, 63), 0).Hash);
    }

    [Fact]
    public void Documented_example_work_is_valid_at_the_base_threshold()
    {
        // NNRP.md §13 example work, found with the generator and checked with Python hashlib.
        Notification n = Example(ExampleWork);
        Assert.True(n.MeetsThreshold(Thresholds.Base));
        Assert.Equal(ProofOfWork.ValueReference(n.Hash.ToArray(), ExampleWork), n.WorkValue);
        Assert.False(Example(ExampleWork + 1).MeetsThreshold(n.WorkValue + 1));
    }

    internal const ulong ExampleWork = 0x000000000046d662; // value ffffff2707104cb4
}
