namespace Nnrp.Libp2p.AutoNat;

/// <summary>
/// What an AutoNAT v2 server gives strangers (libp2p/specs autonat/autonat-v2.md). Every door
/// faces the open internet: each request may cost us one dial, so requests are bounded per
/// peer, in all, and in flight, and each has a deadline (NNRP.md §14.5).
/// </summary>
public sealed record AutoNatServerOptions
{
    /// <summary>
    /// Dial loopback and private (RFC 1918, ULA, link-local) addresses. The spec says a server
    /// SHOULD NOT; a private network or loopback testnet (<c>--private-network</c>) needs it.
    /// </summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>Requests served a minute from all peers together (go-libp2p's server default: 60).</summary>
    public int RequestsPerMinute { get; init; } = 60;

    /// <summary>Requests served a minute from one peer (go-libp2p: 12).</summary>
    public int RequestsPerMinutePerPeer { get; init; } = 12;

    /// <summary>Requests being served at once, all peers together; one more is answered E_REQUEST_REJECTED.</summary>
    public int MaxConcurrentRequests { get; init; } = 8;

    /// <summary>Requests being served at once for one peer (js-libp2p: 2 inbound streams).</summary>
    public int MaxConcurrentRequestsPerPeer { get; init; } = 2;

    /// <summary>Spec "Amplification Attack Prevention": servers SHOULD ask for 30k to 100k bytes.</summary>
    public int MinDialDataBytes { get; init; } = 30_000;

    /// <inheritdoc cref="MinDialDataBytes"/>
    public int MaxDialDataBytes { get; init; } = 100_000;

    /// <summary>The whole request — reading it, dial data, the dial back, the answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The dial back: connect and handshake, send the nonce, read the client's OK.</summary>
    public TimeSpan DialBackTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>How an AutoNAT v2 client decides (NNRP.md §14.5).</summary>
public sealed record AutoNatClientOptions
{
    /// <summary>
    /// Test loopback and private addresses too (private network / loopback testnet); off, only
    /// publicly routable addresses are sent (spec: a client SHOULD NOT send private addresses).
    /// </summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>
    /// Results from this many distinct servers, all agreeing beyond the others, settle an address
    /// (the spec suggests "more than 3"; go-libp2p's target confidence is 3, js asks for 4 successes).
    /// </summary>
    public int Confirmations { get; init; } = 3;

    /// <summary>The latest result of at most this many servers is kept per address.</summary>
    public int ResultWindow { get; init; } = 8;

    /// <summary>Servers asked in one round (each about every address still unsettled).</summary>
    public int ServersPerRound { get; init; } = 3;

    /// <summary>
    /// Probe on each newly identified server and every <see cref="ProbeInterval"/>; off, the
    /// client only answers dial backs and probes when asked (<see cref="AutoNatClient.RunRoundAsync"/>).
    /// </summary>
    public bool BackgroundProbing { get; init; } = true;

    /// <summary>Rounds while some address is unsettled.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Spec "Implementation Suggestions": periodically recheck; a settled address is asked about again this often.</summary>
    public TimeSpan RecheckInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Dial data we send at most per request (js-libp2p refuses more than 200 000 bytes).</summary>
    public int MaxDialDataBytes { get; init; } = 200_000;

    /// <summary>One request to one server, dial data and dial back included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
