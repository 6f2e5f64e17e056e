using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.Dcutr;

/// <summary>NNRP.md §14.6 "Addresses": what a hole punch sends and what it dials.</summary>
public sealed class HolePunchAddressTests
{
    private static readonly PeerId Peer = KeyPair.Generate().PeerId;
    private static readonly PeerId Other = KeyPair.Generate().PeerId;

    private static Multiaddr A(string text) => Multiaddr.Parse(text);

    // A real host's transports: TCP and WebSocket (and circuit, which the filter leaves out first).
    private static readonly Libp2pHost Transports = new(KeyPair.Generate());

    private static bool AnyTransport(Multiaddr address) => Transports.CanDial(address);

    [Fact]
    public void Off_a_private_network_only_public_addresses_are_dialed()
    {
        Multiaddr[] offered = [A("/ip4/127.0.0.1/tcp/1"), A("/ip4/192.168.1.5/tcp/2"), A("/ip4/45.76.10.9/tcp/3"), A("/ip6/::1/tcp/4"), A("/ip6/2a01:4f8::9/tcp/5")];

        IReadOnlyList<Multiaddr> dialed = HolePunchAddresses.ToDial(offered, Peer, allowPrivate: false, AnyTransport);

        Assert.Equal([A("/ip4/45.76.10.9/tcp/3").WithPeerIdMultihash(Peer.Bytes.Span), A("/ip6/2a01:4f8::9/tcp/5").WithPeerIdMultihash(Peer.Bytes.Span)], dialed);
    }

    [Fact]
    public void On_a_private_network_loopback_and_private_addresses_are_dialed_too()
    {
        Multiaddr[] offered = [A("/ip4/127.0.0.1/tcp/1"), A("/ip4/192.168.1.5/tcp/2")];

        Assert.Equal(2, HolePunchAddresses.ToDial(offered, Peer, allowPrivate: true, AnyTransport).Count);
    }

    [Fact]
    public void Relayed_named_unspecified_foreign_and_undialable_addresses_are_never_dialed()
    {
        Multiaddr[] offered =
        [
            A("/ip4/45.76.10.9/tcp/3/p2p/" + Other + "/p2p-circuit"),
            A("/dns4/example.com/tcp/4001"),
            A("/ip4/0.0.0.0/tcp/4001"),
            A("/ip4/45.76.10.9/tcp/4001/p2p/" + Other),
            A("/ip4/45.76.10.9/udp/4001/quic-v1"),
            A("/ip4/45.76.10.9/tcp/4002/p2p/" + Peer),
        ];

        IReadOnlyList<Multiaddr> dialed = HolePunchAddresses.ToDial(offered, Peer, allowPrivate: true, AnyTransport);

        Assert.Equal([A("/ip4/45.76.10.9/tcp/4002/p2p/" + Peer)], dialed);
    }

    [Fact]
    public void At_most_16_offered_addresses_are_looked_at()
    {
        IEnumerable<Multiaddr> offered = Enumerable.Range(1, 100).Select(i => A($"/ip4/45.76.10.{i}/tcp/4001"));

        Assert.Equal(DcutrCodec.MaxAddresses, HolePunchAddresses.ToDial(offered, Peer, allowPrivate: false, AnyTransport).Count);
    }

    [Fact]
    public void Our_connect_carries_listen_then_observed_addresses_without_relayed_or_http_ones()
    {
        Multiaddr[] advertised =
        [
            A("/ip4/127.0.0.1/tcp/4001"),
            A("/dns4/node.example.com/tcp/4001"),
            A("/ip4/45.76.10.1/tcp/4001/p2p/" + Other + "/p2p-circuit/p2p/" + Peer),
            A("/ip4/45.76.10.2/tcp/8080/http"),
        ];
        Multiaddr[] observed = [A("/ip4/81.2.69.142/tcp/51000"), A("/ip4/127.0.0.1/tcp/4001")];

        IReadOnlyList<Multiaddr> offPrivate = HolePunchAddresses.ToSend(advertised, observed, allowPrivate: false, AnyTransport);
        IReadOnlyList<Multiaddr> onPrivate = HolePunchAddresses.ToSend(advertised, observed, allowPrivate: true, AnyTransport);

        Assert.Equal([A("/dns4/node.example.com/tcp/4001"), A("/ip4/81.2.69.142/tcp/51000")], offPrivate);
        Assert.Equal([A("/ip4/127.0.0.1/tcp/4001"), A("/dns4/node.example.com/tcp/4001"), A("/ip4/81.2.69.142/tcp/51000")], onPrivate);
    }
}
