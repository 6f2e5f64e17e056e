using System.Net;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Decisions;

namespace Nnrp.Node.Tests.Decisions;

/// <summary>
/// The node's per-origin rate rules, one place for every door: each kind of origin its own
/// rule and buckets, each key its own bucket, gossip and sync pulls and local calls unlimited,
/// a refusal RATE_LIMITED with a retry hint of at least a second.
/// </summary>
public sealed class RateRuleTests
{
    private static readonly PeerId Peer = KeyPair.Generate().PeerId;

    [Fact]
    public void Over_its_burst_an_origin_is_rate_limited_with_a_retry_hint_and_another_key_is_not()
    {
        var rules = new RateRules();
        rules.Set(OriginKind.Peer, new RateRule(0.001, 2));

        Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.Peer(Peer)).Status);
        Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.Peer(Peer)).Status);
        Decision refused = rules.Admit(Origin.Peer(Peer));

        Assert.Equal(DecisionStatus.RateLimited, refused.Status);
        Assert.True(refused.RetryAfterSeconds >= 1);
        Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.Peer(KeyPair.Generate().PeerId)).Status);
    }

    [Fact]
    public void Each_kind_of_origin_counts_in_its_own_buckets()
    {
        var rules = new RateRules();
        rules.Set(OriginKind.Peer, new RateRule(0.001, 1));
        rules.Set(OriginKind.SyncPeer, new RateRule(0.001, 1));
        rules.Set(OriginKind.HttpClient, new RateRule(0.001, 1));

        Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.Peer(Peer)).Status);
        // The same peer asking sync requests is under the sync rule, not the spent /nnrp/1.0 bucket.
        Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.SyncPeer(Peer)).Status);
        Assert.Equal(DecisionStatus.RateLimited, rules.Admit(Origin.SyncPeer(Peer)).Status);
        Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.HttpClient(IPAddress.Loopback)).Status);
        Assert.Equal(DecisionStatus.RateLimited, rules.Admit(Origin.HttpClient(IPAddress.Loopback)).Status);
        Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.HttpClient(IPAddress.IPv6Loopback)).Status);
    }

    [Fact]
    public void Gossip_sync_pulls_and_local_calls_have_no_rule()
    {
        var rules = new RateRules();
        Assert.Null(rules.RuleOf(OriginKind.GossipPeer));
        Assert.Null(rules.RuleOf(OriginKind.SyncPull));
        Assert.Null(rules.RuleOf(OriginKind.Local));
        for (int i = 0; i < 5_000; i++)
        {
            Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.GossipPeer(Peer)).Status);
            Assert.Equal(DecisionStatus.Accepted, rules.Admit(Origin.Local).Status);
        }
    }

    [Fact]
    public void The_defaults_are_the_documented_ones_and_a_rule_can_be_lifted()
    {
        var rules = new RateRules();
        Assert.Equal(RateRules.DefaultPeer, rules.RuleOf(OriginKind.Peer));
        Assert.Equal(RateRules.DefaultSyncPeer, rules.RuleOf(OriginKind.SyncPeer));
        Assert.Equal(RateRules.DefaultHttpClient, rules.RuleOf(OriginKind.HttpClient));
        rules.Set(OriginKind.Peer, null);
        Assert.Null(rules.RuleOf(OriginKind.Peer));
    }
}
