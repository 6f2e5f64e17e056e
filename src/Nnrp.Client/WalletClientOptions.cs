using Nnrp.Client.Work;

namespace Nnrp.Client;

/// <summary>Where a <see cref="WalletClient"/> finds nodes and work.</summary>
public sealed record WalletClientOptions
{
    /// <summary>
    /// Nodes to use (multiaddrs with <c>/p2p/</c>). When any are given, discovery is skipped
    /// and only these are asked.
    /// </summary>
    public IReadOnlyList<string> Nodes { get; init; } = [];

    /// <summary>Bootstrap peers (multiaddrs with <c>/p2p/</c>): candidates themselves, and the DHT's entry points.</summary>
    public IReadOnlyList<string> BootstrapPeers { get; init; } = [];

    /// <summary>Look up shard providers in the Kad-DHT (client mode) when the known nodes are too few.</summary>
    public bool UseDht { get; init; } = true;

    /// <summary>Longest wait for one request to one node.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where proof of work comes from; null = this machine (<see cref="LocalWorkSource"/>).</summary>
    public IWorkSource? WorkSource { get; init; }
}
