using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad.Protobuf;
using Nnrp.Libp2p.Kad.RoutingTable;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// The requesting side of kad-dht/README.md "RPC messages": open a new stream, send one
/// request, read one response (none for ADD_PROVIDER), close; reset on any error. A peer that
/// answers is a live DHT server and enters the routing table; one that fails counts a failure.
/// </summary>
internal sealed class KadRpc(Libp2pHost host, KadRoutingTable table, KadOptions options, ILogger logger)
{
    private long _requestsSent;

    /// <summary>Requests sent since start (every lookup step, probe and ADD_PROVIDER).</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    public async Task<Message?> SendAsync(KadPeer peer, Message request, bool expectResponse, CancellationToken cancellationToken)
    {
        PeerId id = PeerId.FromBytes(peer.Id.Span);
        if (peer.Addresses.Count > 0)
        {
            host.PeerStore.AddAddresses(id, peer.Addresses);
        }
        Interlocked.Increment(ref _requestsSent);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Lookup.RequestTimeout);
        Message? response = null;
        try
        {
            Libp2pStream stream = await host.NewStreamAsync(id, [options.ProtocolId], timeout.Token);
            response = await ExchangeAsync(stream, request, expectResponse, options.MaxMessageSize, timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not KadRequestException)
        {
            Failed(peer, ex.Message);
            throw new KadRequestException($"Kad {request.Type} to {peer} failed: {ex.Message}", ex);
        }
        catch (KadRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Failed(peer, ex.Message);
            throw;
        }
        Answered(peer);
        return response;
    }

    /// <summary>
    /// One request on an open stream: write it, read the answer of the same type (none for
    /// ADD_PROVIDER), close; any error resets the stream.
    /// </summary>
    public static async Task<Message?> ExchangeAsync(Libp2pStream stream, Message request, bool expectResponse, int maxMessageSize, CancellationToken cancellationToken)
    {
        Message? response = null;
        try
        {
            await KadCodec.WriteAsync(stream.Output, request, cancellationToken);
            if (expectResponse)
            {
                response = await KadCodec.ReadAsync(stream.Input, maxMessageSize, cancellationToken)
                    ?? throw new KadRequestException("stream closed without an answer");
                if (response.Type != request.Type)
                {
                    throw new KadRequestException($"answered {response.Type} to {request.Type}");
                }
            }
            stream.CloseWrite();
            await stream.DisposeAsync();
        }
        catch
        {
            stream.Reset();
            throw;
        }
        return response;
    }

    public static Message Request(Message.Types.MessageType type, ReadOnlySpan<byte> key) =>
        new() { Type = type, Key = ByteString.CopyFrom(key) };

    /// <summary>A peer took part in a successful exchange and serves the DHT: it may join the table.</summary>
    public void Answered(KadPeer peer)
    {
        if (peer.Addresses.Count == 0)
        {
            PeerId id = PeerId.FromBytes(peer.Id.Span);
            peer = peer.WithAddresses(host.PeerStore.GetAddresses(id).Where(a => KadAddresses.IsUsable(a, options.AllowPrivateAddresses)).ToArray());
        }
        RoutingTableUpdate update = table.TryAdd(peer);
        if (update.Kind == RoutingTableUpdateKind.Added)
        {
            Log.PeerAdded(logger, peer.ToString(), table.Count);
        }
        else if (update.Kind == RoutingTableUpdateKind.PendingProbe && update.Probe is { } stale)
        {
            _ = ProbeAsync(stale);
        }
    }

    /// <summary>Kademlia §2.2: a full bucket pings its least-recently-seen member; silence evicts it.</summary>
    private async Task ProbeAsync(KadPeer stale)
    {
        try
        {
            await SendAsync(stale, new Message { Type = Message.Types.MessageType.Ping }, expectResponse: true, CancellationToken.None);
        }
        catch (KadRequestException)
        {
            if (table.Remove(stale.Key))
            {
                Log.PeerEvicted(logger, stale.ToString());
            }
        }
    }

    private void Failed(KadPeer peer, string reason)
    {
        Log.RequestFailed(logger, peer.ToString(), reason);
        if (table.RecordFailure(peer.Key))
        {
            Log.PeerEvicted(logger, peer.ToString());
        }
    }
}
