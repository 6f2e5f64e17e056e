using Nnrp.Libp2p.Kad;

namespace Nnrp.Libp2p.Tests.Kad;

public class BootstrapPeersTests
{
    private const string Peer = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    [Fact]
    public void File_lists_one_multiaddr_per_line_with_comments_and_blank_lines()
    {
        string text = $"""
            # NNRP bootstrap peers
            /ip4/203.0.113.1/tcp/4001/p2p/{Peer}

              /dns4/boot.example.org/tcp/4001/p2p/{Peer}   # trailing comment
            """;
        var peers = BootstrapPeers.Parse(text);
        Assert.Equal(2, peers.Count);
        Assert.Equal($"/ip4/203.0.113.1/tcp/4001/p2p/{Peer}", peers[0].ToString());
        Assert.Equal($"/dns4/boot.example.org/tcp/4001/p2p/{Peer}", peers[1].ToString());
    }

    [Fact]
    public void Entry_without_a_peer_id_is_refused_with_its_line_number()
    {
        var ex = Assert.Throws<FormatException>(() => BootstrapPeers.Parse("# x\n/ip4/203.0.113.1/tcp/4001\n"));
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/p2p/", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entry_that_is_no_multiaddr_is_refused()
    {
        var ex = Assert.Throws<FormatException>(() => BootstrapPeers.Parse("not an address"));
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Formatted_list_parses_back_to_the_same_peers()
    {
        var peers = BootstrapPeers.Parse($"/ip4/127.0.0.1/tcp/1/p2p/{Peer}\n/ip6/::1/tcp/2/p2p/{Peer}");
        Assert.Equal(peers, BootstrapPeers.Parse(BootstrapPeers.Format(peers, "saved routing table\nsecond line")));
    }

    [Fact]
    public async Task Missing_file_is_an_empty_list()
    {
        Assert.Empty(await BootstrapPeers.LoadAsync(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")), CancellationToken.None));
    }
}
