using Nnrp.Node.Sync;

namespace Nnrp.Node.Tests.Sync;

/// <summary>NNRP.md §11.8.7: a periodic round picks peers that share a shard, then peers not yet known, never ones known to share none.</summary>
public sealed class SyncPeerChoiceTests
{
    private static bool? Known(char peer) => peer switch
    {
        >= 'a' and <= 'e' => true,   // their last status overlaps ours
        >= 'p' and <= 'z' => false,  // shares none
        _ => null,                   // no fresh status
    };

    [Fact]
    public void Peers_that_share_a_shard_come_first_in_their_order()
    {
        List<char> picked = SyncPeerChoice.Pick(['x', 'F', 'b', 'G', 'a', 'c', 'd'], Known, 3);

        Assert.Equal(['b', 'a', 'c'], picked);
    }

    [Fact]
    public void Unknown_peers_fill_the_round_and_peers_known_to_share_none_never_do()
    {
        List<char> picked = SyncPeerChoice.Pick(['x', 'F', 'y', 'b', 'G', 'z', 'H'], Known, 3);

        Assert.Equal(['b', 'F', 'G'], picked);
        Assert.Empty(SyncPeerChoice.Pick(['x', 'y', 'z'], Known, 3));
    }
}
