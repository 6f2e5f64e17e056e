using Nnrp.Libp2p.ConnectionManager;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.ConnectionManager;

/// <summary>Watermark trimming of NNRP.md §14.1 as a pure choice over snapshots.</summary>
public sealed class ConnectionTrimmerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Old = TimeSpan.FromMinutes(10);

    private static readonly ConnectionLimits Limits = new() { HighWater = 4, LowWater = 2, GracePeriod = TimeSpan.FromSeconds(30) };

    private static TrimCandidate<string> C(string name, ConnectionDirection direction = ConnectionDirection.Inbound, TimeSpan? age = null, int streams = 1, PeerId? peer = null) =>
        new(name, peer ?? KeyPair.Generate().PeerId, direction, Now - (age ?? Old), streams);

    [Fact]
    public void Nothing_is_trimmed_at_or_below_the_high_watermark()
    {
        var trimmer = new ConnectionTrimmer(Limits, new PeerProtection());
        Assert.Empty(trimmer.SelectForTrim([C("a"), C("b"), C("c"), C("d")], Now));
    }

    [Fact]
    public void Above_the_high_watermark_the_least_valuable_go_down_to_the_low_watermark()
    {
        var trimmer = new ConnectionTrimmer(Limits, new PeerProtection());
        TrimCandidate<string>[] all =
        [
            C("outbound", ConnectionDirection.Outbound),
            C("inbound-busy-old", age: TimeSpan.FromHours(1)),
            C("inbound-busy-young", age: TimeSpan.FromMinutes(1)),
            C("inbound-idle", streams: 0),
            C("inbound-busy-mid", age: TimeSpan.FromMinutes(5)),
        ];
        // Inbound before outbound, idle before busy, then youngest first.
        Assert.Equal(["inbound-idle", "inbound-busy-young", "inbound-busy-mid"], trimmer.SelectForTrim(all, Now));
    }

    [Fact]
    public void A_low_score_goes_first_whatever_else_holds()
    {
        PeerId bad = KeyPair.Generate().PeerId;
        var trimmer = new ConnectionTrimmer(Limits, new PeerProtection()) { Score = p => p.Equals(bad) ? -10 : 5 };
        TrimCandidate<string>[] all = [C("a", streams: 0), C("b", streams: 0), C("c"), C("d"), C("bad", ConnectionDirection.Outbound, peer: bad)];
        Assert.Equal("bad", trimmer.SelectForTrim(all, Now)[0]);
    }

    [Fact]
    public void Protected_peers_and_connections_in_their_grace_period_are_never_trimmed()
    {
        var protection = new PeerProtection();
        PeerId kad = KeyPair.Generate().PeerId;
        protection.Protect(kad, "kad");
        var trimmer = new ConnectionTrimmer(Limits, protection);
        TrimCandidate<string>[] all =
        [
            C("kad", streams: 0, peer: kad),
            C("new", age: TimeSpan.FromSeconds(5), streams: 0),
            C("x"), C("y"), C("z"),
        ];
        IReadOnlyList<string> trimmed = trimmer.SelectForTrim(all, Now);
        Assert.Equal(3, trimmed.Count);
        Assert.DoesNotContain("kad", trimmed);
        Assert.DoesNotContain("new", trimmed);
    }

    [Fact]
    public void A_dial_into_a_full_table_displaces_an_unprotected_inbound_connection_even_in_its_grace_period()
    {
        var protection = new PeerProtection();
        PeerId mesh = KeyPair.Generate().PeerId;
        protection.Protect(mesh, "gossipsub-mesh");
        var trimmer = new ConnectionTrimmer(Limits, protection);

        Assert.False(trimmer.TrySelectForOutbound([C("out", ConnectionDirection.Outbound), C("mesh", peer: mesh)], out _));
        Assert.True(trimmer.TrySelectForOutbound([C("out", ConnectionDirection.Outbound), C("mesh", peer: mesh), C("stranger", age: TimeSpan.FromSeconds(1))], out string victim));
        Assert.Equal("stranger", victim);
    }

    [Fact]
    public void Protection_lasts_while_any_tag_holds_it()
    {
        var protection = new PeerProtection();
        PeerId peer = KeyPair.Generate().PeerId;
        protection.Protect(peer, "kad");
        protection.Protect(peer, "gossipsub-mesh");
        Assert.True(protection.Unprotect(peer, "kad"));
        Assert.True(protection.IsProtected(peer));
        Assert.False(protection.Unprotect(peer, "gossipsub-mesh"));
        Assert.False(protection.IsProtected(peer));
        Assert.Equal(0, protection.Count);
    }

    [Fact]
    public void Default_watermarks_follow_the_connection_limit()
    {
        var limits = new ConnectionLimits();
        Assert.Equal((192, 160, 32, 224), (limits.EffectiveHighWater, limits.EffectiveLowWater, limits.OutboundReserve, limits.MaxInbound));
        var small = new ConnectionLimits { MaxConnections = 1 };
        Assert.Equal((1, 0, 1), (small.EffectiveHighWater, small.EffectiveLowWater, small.MaxInbound));
    }
}
