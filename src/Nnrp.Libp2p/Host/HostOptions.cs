using System.Reflection;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;
using Nnrp.Libp2p.WebSockets;
using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Host;

/// <summary>What a host listens on, says about itself, and how much it accepts.</summary>
public sealed record HostOptions
{
    /// <summary>Every interface on an OS-chosen port, IPv4 and IPv6.</summary>
    public IReadOnlyList<Multiaddr> ListenAddresses { get; init; } =
        [Multiaddr.Parse("/ip4/0.0.0.0/tcp/0"), Multiaddr.Parse("/ip6/::/tcp/0")];

    /// <summary>
    /// Addresses to tell peers instead of the listen addresses: the public address of a node
    /// behind NAT or a port mapping (go-libp2p's AddrsFactory / announce addresses). Empty:
    /// the listen addresses, wildcards expanded to the interface addresses.
    /// </summary>
    public IReadOnlyList<Multiaddr> AnnounceAddresses { get; init; } = [];

    /// <summary>identify's agentVersion: <c>nnrp/&lt;version&gt;</c>.</summary>
    public string AgentVersion { get; init; } = DefaultAgentVersion;

    /// <summary>identify's protocolVersion (libp2p/specs identify/README.md suggests "ipfs/0.1.0").</summary>
    public string ProtocolVersion { get; init; } = "ipfs/0.1.0";

    public ConnectionLimits Limits { get; init; } = new();

    public TcpTransportOptions Tcp { get; init; } = new();

    /// <summary>The WebSocket transport (<c>/ws</c>, <c>/tls/ws</c>): its TLS certificate and upgrade timeout.</summary>
    public WebSocketTransportOptions WebSocket { get; init; } = new();

    public YamuxOptions Yamux { get; init; } = new();

    public static string DefaultAgentVersion { get; } = "nnrp/" + ProductVersion();

    private static string ProductVersion()
    {
        string? informational = typeof(HostOptions).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational))
        {
            return typeof(HostOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        }
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
