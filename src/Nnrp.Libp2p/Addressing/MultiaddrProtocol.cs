namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// Multiaddr protocol codes, exactly as multiformats/multiaddr <c>protocols.csv</c> lists
/// them (the same numbers are the multicodec table's "multiaddr" tag). Only the protocols
/// this node can read and print are listed; any other code is refused with its number.
/// </summary>
public enum MultiaddrProtocol
{
    Ip4 = 4,
    Tcp = 6,
    Dccp = 33,
    Ip6 = 41,
    Ip6Zone = 42,
    IpCidr = 43,
    Dns = 53,
    Dns4 = 54,
    Dns6 = 55,
    Dnsaddr = 56,
    Sctp = 132,
    Udp = 273,
    WebRtcDirect = 280,
    WebRtc = 281,
    P2pCircuit = 290,
    Udt = 301,
    Utp = 302,
    Unix = 400,

    /// <summary><c>/p2p</c> (text alias <c>/ipfs</c>): the peer id as a multihash.</summary>
    P2p = 421,
    Https = 443,
    Tls = 448,
    Sni = 449,
    Noise = 454,
    Quic = 460,
    QuicV1 = 461,
    WebTransport = 465,
    Certhash = 466,
    Ws = 477,
    Wss = 478,
    Http = 480,
}
