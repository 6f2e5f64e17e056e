using System.Net;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Service;

/// <summary>
/// Binding to <see cref="Libp2pHost"/>: a stream handler for every pubsub protocol id (the
/// peer's writes arrive on the stream it opened), and on every new connection one outbound
/// stream of ours, negotiated best-first (/meshsub/1.2.0, 1.1.0, 1.0.0, /floodsub/1.0.0).
/// </summary>
public sealed partial class GossipSubService
{
    /// <summary>The tag under which mesh peers are protected from trimming.</summary>
    public const string ProtectionTag = "gossipsub-mesh";

    private Libp2pHost? _host;
    private HashSet<PeerId> _protected = [];

    /// <summary>Creates the service for <paramref name="host"/> and attaches it (handlers, connection events, existing connections).</summary>
    public static GossipSubService Attach(Libp2pHost host, GossipSubOptions options, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        var service = new GossipSubService(options, host.Identity, loggerFactory);
        service._host = host;
        foreach (string protocol in GossipProtocolIds.Preference)
        {
            host.SetStreamHandler(protocol, service.OnInboundStreamAsync);
        }
        host.ConnectionOpened += service.OnConnectionOpened;
        host.ConnectionClosed += service.OnConnectionClosed;
        service.PeerDiscovered += service.OnPeerDiscovered;
        service.Start();
        foreach (Connection connection in host.Connections)
        {
            service.OnConnectionOpened(host, new ConnectionEventArgs(connection));
        }
        return service;
    }

    private Task OnInboundStreamAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        if (stream.Connection.IsLimited)
        {
            // NNRP.md §14.4: no gossip over a relayed circuit (js-libp2p does not run it on limited connections either).
            return Task.CompletedTask;
        }
        GossipProtocol protocol = GossipProtocolIds.Parse(stream.Protocol);
        Connection connection = stream.Connection;
        // The peer's stream can be served before our ConnectionOpened handler runs: our writer
        // starts here then, so nothing the router sends the peer meanwhile is dropped.
        AttachConnection(connection);
        return HandleInboundStreamAsync(stream.RemotePeer, protocol, stream, connection.Direction == ConnectionDirection.Outbound, AddressOf(connection), cancellationToken);
    }

    private void OnConnectionOpened(object? sender, ConnectionEventArgs e)
    {
        if (!e.Connection.IsLimited)
        {
            AttachConnection(e.Connection);
        }
    }

    /// <summary>
    /// Our writer to the connection's peer (once per peer): it opens our stream on the peer's
    /// oldest direct connection, and again on whichever is left when that one fails.
    /// </summary>
    private void AttachConnection(Connection connection)
    {
        if (_host is not { } host)
        {
            return;
        }
        PeerId peer = connection.RemotePeer;
        AddPeer(peer, connection.Direction == ConnectionDirection.Outbound, AddressOf(connection), async ct =>
        {
            // NNRP.md §14.4: never over a relayed circuit.
            Connection direct = host.FindConnection(peer) is { IsLimited: false } found ? found : throw new IOException("no direct connection to the peer");
            Libp2pStream stream = await direct.NewStreamAsync(GossipProtocolIds.Preference, ct);
            return (stream, GossipProtocolIds.Parse(stream.Protocol));
        }, () => host.FindConnection(peer) is { IsLimited: false });
    }

    private void OnConnectionClosed(object? sender, ConnectionEventArgs e)
    {
        PeerId peer = e.Connection.RemotePeer;
        if (_host?.FindConnection(peer) is { IsLimited: false })
        {
            // A duplicate connection closed; if our stream ran on it, the writer moves to another.
            ReopenStream(peer, stream => stream is Libp2pStream s && ReferenceEquals(s.Connection, e.Connection));
        }
        else
        {
            RemovePeer(peer);
        }
    }

    /// <summary>v1.1 "Peer Exchange": dial PX peers whose addresses the peer store knows (we do not parse signed records).</summary>
    private void OnPeerDiscovered(object? sender, PeerExchangeCandidate candidate)
    {
        if (_host is { } host && host.PeerStore.GetAddresses(candidate.Peer).Count > 0)
        {
            _ = DialQuietlyAsync(host, candidate.Peer);
        }
    }

    private async Task DialQuietlyAsync(Libp2pHost host, PeerId peer)
    {
        try
        {
            await host.DialAsync(peer, _stopping.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ProtocolViolationException)
        {
            // PX is a hint; an unreachable peer is simply not joined.
        }
    }

    /// <summary>
    /// After a heartbeat, under the lock: the host's trimmer never closes a mesh peer
    /// (NNRP.md §14.1), so protection follows the mesh of every topic.
    /// </summary>
    private void ProtectMesh()
    {
        if (_host is not { } host)
        {
            return;
        }
        var mesh = new HashSet<PeerId>(_router.Subscriptions.SelectMany(_router.MeshPeers));
        foreach (PeerId peer in mesh.Where(p => !_protected.Contains(p)))
        {
            host.Protect(peer, ProtectionTag);
        }
        foreach (PeerId peer in _protected.Where(p => !mesh.Contains(p)))
        {
            host.Unprotect(peer, ProtectionTag);
        }
        _protected = mesh;
    }

    private static IPAddress? AddressOf(Connection connection) =>
        connection.RemoteAddress.TryGetIPEndPoint(out IPEndPoint? endpoint) ? endpoint.Address : null;

    private void DetachFromHost()
    {
        if (_host is not { } host)
        {
            return;
        }
        host.ConnectionOpened -= OnConnectionOpened;
        host.ConnectionClosed -= OnConnectionClosed;
        foreach (string protocol in GossipProtocolIds.Preference)
        {
            host.RemoveStreamHandler(protocol);
        }
    }
}
