using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;

namespace Nnrp.Node.Protocol;

/// <summary>Limits of the /nnrp/1.0 handler.</summary>
public sealed record NnrpServiceOptions
{
    /// <summary>How long a client may take to send its request after opening the stream.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long handling plus writing the response may take (the ingress wait included).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Average requests per second one peer may make.</summary>
    public double PeerRequestsPerSecond { get; init; } = Decisions.RateRules.DefaultPeer.PerSecond;

    /// <summary>Requests one peer may make at once after being idle.</summary>
    public int PeerBurst { get; init; } = Decisions.RateRules.DefaultPeer.Burst;

    /// <summary>
    /// Widest tag prefix served, on /nnrp/1.0 and HTTP alike (issue 6 item 3, issue 12 attack 3:
    /// prefix_bits ≥ 8). Wider prefixes are answered OVER_CAPACITY, as NNRP.md §11.5 allows.
    /// </summary>
    public int MinPrefixBits { get; init; } = FetchQuery.MinServedPrefixBits;

    /// <summary>
    /// NNRP.md §11.5 "Answer budget": how long one write of a fetch answer may wait for the
    /// reader to take bytes (the stream's send buffer and window being full) before the stream
    /// is reset and its budget freed. A reader taking ~128 KiB per 5 s never meets it.
    /// </summary>
    public TimeSpan WriteStallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>§11.7 agent string.</summary>
    public string Agent { get; init; } = "nnrp-dotnet/" + (typeof(NnrpServiceOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
}
