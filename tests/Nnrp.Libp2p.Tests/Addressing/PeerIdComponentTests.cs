using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Tests.Addressing;

/// <summary>
/// <c>/p2p</c>: libp2p/specs peer-ids "String representation" — base58btc multihash or a
/// CIDv1 with the libp2p-key codec, both carried as the multihash and printed base58btc.
/// </summary>
public class PeerIdComponentTests
{
    private const string Ed25519PeerId = "12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV";

    [Theory]
    // Pairs from go-multiaddr's construct tests and the peer-ids spec example.
    [InlineData("bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4bm", "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC")]
    [InlineData("bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u", Ed25519PeerId)]
    [InlineData("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe", "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")]
    public void Cid_peer_id_is_normalised_to_the_base58_multihash(string cid, string base58)
    {
        var fromCid = Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/{cid}");
        var fromBase58 = Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/{base58}");
        Assert.Equal(fromBase58, fromCid);
        Assert.Equal($"/ip4/1.2.3.4/tcp/1/p2p/{base58}", fromCid.ToString());
        Assert.Equal(Base58.Decode(base58), fromCid.PeerIdMultihash!.Value.ToArray());
    }

    [Theory]
    [InlineData("/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7", "multibase prefix 'k'")]
    [InlineData("/p2p/?unknownmultibase", "multibase prefix '?'")]
    [InlineData("/p2p/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "codec 0x70")]
    [InlineData("/p2p/bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4b", "base32")]
    [InlineData("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNK0", "base58btc")]
    [InlineData("/p2p/Qm", "multihash")]
    public void Unreadable_peer_id_text_is_rejected(string text, string reason)
    {
        var error = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PeerIdMultihash_is_the_final_p2p_component()
    {
        Assert.Null(Multiaddr.Parse("/ip4/1.2.3.4/tcp/1").PeerIdMultihash);
        var direct = Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/{Ed25519PeerId}");
        Assert.Equal(Base58.Decode(Ed25519PeerId), direct.PeerIdMultihash!.Value.ToArray());
        var relayed = Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/p2p-circuit/p2p/{Ed25519PeerId}");
        Assert.Equal(Base58.Decode(Ed25519PeerId), relayed.PeerIdMultihash!.Value.ToArray());
        // A relay address names the relay, not the peer behind it.
        Assert.Null(Multiaddr.Parse("/ip4/1.2.3.4/tcp/1/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/p2p-circuit").PeerIdMultihash);
    }

    [Fact]
    public void WithoutPeerId_drops_only_the_final_p2p_component()
    {
        var bare = Multiaddr.Parse("/ip4/1.2.3.4/tcp/1");
        Assert.Same(bare, bare.WithoutPeerId());
        Assert.Equal(bare, Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/{Ed25519PeerId}").WithoutPeerId());
        Assert.Equal(
            "/ip4/1.2.3.4/tcp/1/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/p2p-circuit",
            Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/p2p-circuit/p2p/{Ed25519PeerId}").WithoutPeerId().ToString());
    }

    [Fact]
    public void WithoutPeerId_of_a_bare_peer_address_is_the_empty_address()
    {
        var empty = Multiaddr.Parse($"/p2p/{Ed25519PeerId}").WithoutPeerId();
        Assert.Empty(empty.Components);
        Assert.Equal(string.Empty, empty.ToString());
        Assert.Equal($"/p2p/{Ed25519PeerId}", empty.WithPeerIdMultihash(Base58.Decode(Ed25519PeerId)).ToString());
    }

    [Fact]
    public void WithPeerIdMultihash_appends_or_replaces_the_peer()
    {
        byte[] multihash = Base58.Decode(Ed25519PeerId);
        var bare = Multiaddr.Parse("/dns4/example.com/tcp/4001");
        Assert.Equal($"/dns4/example.com/tcp/4001/p2p/{Ed25519PeerId}", bare.WithPeerIdMultihash(multihash).ToString());
        var other = Multiaddr.Parse("/dns4/example.com/tcp/4001/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC");
        Assert.Equal($"/dns4/example.com/tcp/4001/p2p/{Ed25519PeerId}", other.WithPeerIdMultihash(multihash).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("122001")]
    [InlineData("1221" + "0000000000000000000000000000000000000000000000000000000000000000" + "00")]
    public void WithPeerIdMultihash_refuses_a_malformed_multihash(string hex) =>
        Assert.Throws<MultiaddrFormatException>(() =>
            Multiaddr.Parse("/ip4/1.2.3.4/tcp/1").WithPeerIdMultihash(Convert.FromHexString(hex)));
}
