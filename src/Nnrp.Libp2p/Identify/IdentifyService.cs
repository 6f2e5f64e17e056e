using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Identify;

/// <summary>
/// identify <c>/ipfs/id/1.0.0</c> and identify push <c>/ipfs/id/push/1.0.0</c> (libp2p/specs
/// identify/README.md). Every new connection is identified once from our side; what the peer
/// says lands in the peer store. When our protocol list or addresses change we push the new
/// answer to every connected peer, as go-libp2p and js-libp2p do.
/// </summary>
public sealed class IdentifyService
{
    public const string ProtocolId = "/ipfs/id/1.0.0";

    public const string PushProtocolId = "/ipfs/id/push/1.0.0";

    /// <summary>How long one identify exchange may take before the stream is dropped.</summary>
    public static readonly TimeSpan ExchangeTimeout = TimeSpan.FromSeconds(15);

    private readonly Libp2pHost _host;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<PeerId, IdentifyResult> _latest = new();
    private readonly ConcurrentDictionary<PeerId, TaskCompletionSource<IdentifyResult>> _waiters = new();
    private readonly ConcurrentDictionary<string, Multiaddr> _observed = new(StringComparer.Ordinal);
    private int _started;

    public IdentifyService(Libp2pHost host, ILoggerFactory? loggerFactory = null)
    {
        _host = host;
        _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<IdentifyService>();
    }

    /// <summary>A peer answered identify or pushed an update.</summary>
    public event EventHandler<PeerIdentifiedEventArgs>? PeerIdentified;

    /// <summary>Addresses other peers report seeing us on (a hint for NAT detection).</summary>
    public IReadOnlyCollection<Multiaddr> ObservedAddresses => (IReadOnlyCollection<Multiaddr>)_observed.Values;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }
        _host.SetStreamHandler(ProtocolId, AnswerAsync);
        _host.SetStreamHandler(PushProtocolId, ReceivePushAsync);
        _host.ConnectionOpened += (_, e) => _ = IdentifyInBackgroundAsync(e.Connection);
        _host.ConnectionClosed += (_, e) => Forget(e.Connection.RemotePeer);
        _host.ProtocolsChanged += (_, _) => _ = PushToAllAsync();
        _host.AddressesChanged += (_, _) => _ = PushToAllAsync();
    }

    public IdentifyResult? GetLatest(PeerId peer) => _latest.TryGetValue(peer, out IdentifyResult? r) ? r : null;

    /// <summary>Returns what the peer said once identify on its connection has finished.</summary>
    public Task<IdentifyResult> WaitForIdentifyAsync(PeerId peer, CancellationToken cancellationToken)
    {
        if (_latest.TryGetValue(peer, out IdentifyResult? known))
        {
            return Task.FromResult(known);
        }
        TaskCompletionSource<IdentifyResult> waiter = _waiters.GetOrAdd(peer, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_latest.TryGetValue(peer, out known))
        {
            waiter.TrySetResult(known);
        }
        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Asks the peer on <paramref name="connection"/> who it is.</summary>
    public async Task<IdentifyResult> IdentifyAsync(Connection connection, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ExchangeTimeout);
        await using Libp2pStream stream = await connection.NewStreamAsync([ProtocolId], timeout.Token);
        stream.CloseWrite();
        Protobuf.Identify message = await ReadMergedAsync(stream, timeout.Token);
        IdentifyResult result = IdentifyCodec.Validate(message, connection.RemotePeer);
        Record(result);
        return result;
    }

    private async Task IdentifyInBackgroundAsync(Connection connection)
    {
        try
        {
            await IdentifyAsync(connection, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _logger.IdentifyFailed(connection.RemotePeer.ToString(), ex.Message);
        }
    }

    private async Task AnswerAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        await WriteOwnAsync(stream, cancellationToken);
    }

    private async Task ReceivePushAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ExchangeTimeout);
        Protobuf.Identify message = await ReadMergedAsync(stream, timeout.Token);
        IdentifyResult pushed = IdentifyCodec.Validate(message, stream.RemotePeer);
        // A push may carry only what changed (spec: "partial updates"); keep the rest.
        IdentifyResult? before = GetLatest(stream.RemotePeer);
        if (before is not null)
        {
            pushed = new IdentifyResult(
                pushed.Peer,
                message.HasAgentVersion ? pushed.AgentVersion : before.AgentVersion,
                message.HasProtocolVersion ? pushed.ProtocolVersion : before.ProtocolVersion,
                message.Protocols.Count > 0 ? pushed.Protocols : before.Protocols,
                message.ListenAddrs.Count > 0 ? pushed.ListenAddresses : before.ListenAddresses,
                pushed.ObservedAddress ?? before.ObservedAddress);
        }
        Record(pushed);
        _logger.PushReceived(stream.RemotePeer.ToString(), pushed.Protocols.Count);
    }

    private async Task PushToAllAsync()
    {
        foreach (Connection connection in _host.Connections)
        {
            // Only peers that told us they take pushes get them (go-libp2p does the same).
            if (GetLatest(connection.RemotePeer) is { } known && !known.Protocols.Contains(PushProtocolId))
            {
                continue;
            }
            try
            {
                using var timeout = new CancellationTokenSource(ExchangeTimeout);
                await using Libp2pStream stream = await connection.NewStreamAsync([PushProtocolId], timeout.Token);
                await WriteOwnAsync(stream, timeout.Token);
            }
            catch (Exception ex)
            {
                _logger.PushFailed(connection.RemotePeer.ToString(), ex.Message);
            }
        }
    }

    private async Task WriteOwnAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        Protobuf.Identify own = IdentifyCodec.Build(
            _host.Identity.PublicKey,
            _host.Protocols,
            _host.GetAdvertisedAddresses(),
            stream.Connection.RemoteAddress,
            _host.Options.AgentVersion,
            _host.Options.ProtocolVersion);
        await LengthPrefixed.WriteAsync(stream.Output, own.ToByteArray(), cancellationToken);
        stream.CloseWrite();
    }

    private static async Task<Protobuf.Identify> ReadMergedAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var merged = new Protobuf.Identify();
        int total = 0;
        for (int i = 0; i < IdentifyCodec.MaxMessagesPerStream; i++)
        {
            var (part, completed) = await LengthPrefixed.ReadAsync(stream.Input, IdentifyCodec.MaxMessageSize, IdentifyCodec.Parse, cancellationToken);
            if (completed || part is null)
            {
                if (i == 0)
                {
                    throw new IdentifyException("the peer closed the identify stream without an answer");
                }
                return merged;
            }
            total += part.CalculateSize();
            if (total > IdentifyCodec.MaxMessageSize)
            {
                throw new IdentifyException($"identify answer exceeds {IdentifyCodec.MaxMessageSize} bytes in all");
            }
            merged.MergeFrom(part);
        }
        throw new IdentifyException($"identify answer split into more than {IdentifyCodec.MaxMessagesPerStream} messages");
    }

    private void Record(IdentifyResult result)
    {
        _latest[result.Peer] = result;
        _host.PeerStore.SetIdentified(result.Peer, result.Protocols, result.AgentVersion, result.ProtocolVersion);
        _host.PeerStore.AddAddresses(result.Peer, result.ListenAddresses);
        if (result.ObservedAddress is { } observed && _observed.Count < PeerStore.MaxAddressesPerPeer)
        {
            _observed.TryAdd(observed.ToString(), observed);
        }
        if (_waiters.TryRemove(result.Peer, out TaskCompletionSource<IdentifyResult>? waiter))
        {
            waiter.TrySetResult(result);
        }
        _logger.Identified(result.Peer.ToString(), result.AgentVersion ?? "?", result.Protocols.Count);
        try
        {
            PeerIdentified?.Invoke(this, new PeerIdentifiedEventArgs(result));
        }
        catch (Exception ex)
        {
            _logger.SubscriberFailed(ex);
        }
    }

    private void Forget(PeerId peer)
    {
        if (_host.FindConnection(peer) is null)
        {
            _latest.TryRemove(peer, out _);
        }
    }
}
