namespace Nnrp.Libp2p.Dcutr;

/// <summary>
/// How a host runs DCUtR (libp2p/specs relay/DCUtR.md; NNRP.md §14.6). Every wait has a
/// deadline and every punch costs dials, so punches are bounded in all and per peer.
/// </summary>
public sealed record DcutrOptions
{
    /// <summary>
    /// Send and dial loopback and private (RFC 1918, ULA, link-local) addresses too; off, only
    /// publicly routable ones count (a private address of a peer behind another NAT is not
    /// ours to reach). A private network or loopback testnet (<c>--private-network</c>) needs it.
    /// </summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>CONNECT/SYNC rounds on one stream (spec: "SHOULD retry twice (thus a total of 3 attempts)").</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Hole punches in progress at once, both roles together; one more relayed connection stays relayed.</summary>
    public int MaxConcurrentHolePunches { get; init; } = 8;

    /// <summary>Opening the stream, and each wait for the peer's CONNECT or SYNC.</summary>
    public TimeSpan StreamTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>One attempt's direct dials, handshake included (go-libp2p's direct dial timeout: 10 s).</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the initiator waits for identify on the relayed connection before it decides without it.</summary>
    public TimeSpan IdentifyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Once a direct connection exists, the relayed one is closed after this, so streams already
    /// running on it can finish (spec: "the relay connection should be closed after a grace period").
    /// </summary>
    public TimeSpan RelayedConnectionGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The one-line reason these options cannot run, or null.</summary>
    public string? Validate() =>
        MaxAttempts < 1 ? "DCUtR needs at least one attempt"
        : MaxConcurrentHolePunches < 1 ? "DCUtR needs at least one concurrent hole punch"
        : StreamTimeout <= TimeSpan.Zero || DialTimeout <= TimeSpan.Zero || IdentifyTimeout < TimeSpan.Zero || RelayedConnectionGrace < TimeSpan.Zero
            ? "DCUtR timeouts must be positive"
            : null;
}
