using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.AutoNat;

/// <summary>The per-address verdict: several distinct servers must agree before it flips.</summary>
public sealed class AddressConfidenceTests
{
    private static readonly Multiaddr Address = Multiaddr.Parse("/ip4/1.2.3.4/tcp/4001");

    private static PeerId NewServer()
    {
        using KeyPair key = KeyPair.Generate();
        return key.PeerId;
    }

    [Fact]
    public void Three_servers_agreeing_settle_an_address_and_a_repeat_from_one_server_counts_once()
    {
        var confidence = new AddressConfidence(new AutoNatClientOptions());
        PeerId a = NewServer(), b = NewServer(), c = NewServer();

        Assert.Equal(Reachability.Unknown, confidence.Record(Address, a, dialable: true));
        Assert.Equal(Reachability.Unknown, confidence.Record(Address, a, dialable: true));
        Assert.Equal(Reachability.Unknown, confidence.Record(Address, b, dialable: true));
        Assert.Equal(Reachability.Public, confidence.Record(Address, c, dialable: true));
        Assert.Equal(Reachability.Public, confidence.Overall);
    }

    [Fact]
    public void One_dissenting_server_does_not_flip_a_settled_address()
    {
        var confidence = new AddressConfidence(new AutoNatClientOptions());
        PeerId[] servers = [NewServer(), NewServer(), NewServer(), NewServer(), NewServer(), NewServer()];
        foreach (PeerId s in servers[..3])
        {
            confidence.Record(Address, s, dialable: true);
        }

        Assert.Equal(Reachability.Public, confidence.Record(Address, servers[3], dialable: false));
        Assert.Equal(Reachability.Public, confidence.Record(Address, servers[4], dialable: false));
        // Three against three: a tie keeps the verdict.
        Assert.Equal(Reachability.Public, confidence.Record(Address, servers[5], dialable: false));
        // A server changing its mind replaces its old result: four failures against two successes.
        Assert.Equal(Reachability.Private, confidence.Record(Address, servers[0], dialable: false));
        Assert.Equal(Reachability.Private, confidence.Overall);
    }

    [Fact]
    public void The_node_is_Public_if_any_address_is_and_Private_only_if_every_judged_address_is()
    {
        var confidence = new AddressConfidence(new AutoNatClientOptions { Confirmations = 1 });
        Multiaddr other = Multiaddr.Parse("/ip4/5.6.7.8/tcp/4001");
        PeerId s = NewServer();

        confidence.Record(Address, s, dialable: false);
        Assert.Equal(Reachability.Private, confidence.Overall);
        confidence.Record(other, s, dialable: true);
        Assert.Equal(Reachability.Public, confidence.Overall);
        confidence.RetainOnly([Address]);
        Assert.Equal(Reachability.Private, confidence.Overall);
    }
}
