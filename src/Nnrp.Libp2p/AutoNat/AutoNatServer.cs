using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat.Protobuf;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Limits;
using ResponseStatus = Nnrp.Libp2p.AutoNat.Protobuf.DialResponse.Types.ResponseStatus;

namespace Nnrp.Libp2p.AutoNat;

/// <summary>
/// The AutoNAT v2 server (libp2p/specs autonat/autonat-v2.md): on
/// <c>/libp2p/autonat/2/dial-request</c> it picks the first requested address it is willing to
/// dial, asks for dial data first when that address's IP is not the one the request came from
/// (amplification prevention), dials it on a fresh connection, sends the nonce on
/// <c>/libp2p/autonat/2/dial-back</c> and answers with the outcome.
/// <code>
///   client                                   server
///     │ ── DialRequest{addrs, nonce} ───────────► │  (dial-request stream)
///     │ ◄── DialDataRequest{idx, n} ───────────── │  only if IP(addrs[idx]) ≠ observed IP
///     │ ── DialDataResponse{data ≤ 4096} × k ───► │  until Σ data ≥ n
///     │ ◄═══ new connection to addrs[idx] ═══════ │
///     │ ◄── DialBack{nonce} ──────────────────── │  (dial-back stream)
///     │ ── DialBackResponse{OK} ────────────────► │
///     │ ◄── DialResponse{status, idx, dialStatus} │  (dial-request stream), then close
/// </code>
/// </summary>
public sealed class AutoNatServer
{
    private readonly Libp2pHost _host;

    // Dial backs authenticate as this key, not the host's (as go-libp2p's separate dialer host):
    // to the client the dial back is a connection to a stranger, so it never takes a request
    // meant for this node — a relay's STOP, a hole punch's "direct connection", a sync — and
    // closes under it a moment later (NNRP.md §14.5).
    private readonly KeyPair _dialBackIdentity = KeyPair.Generate();
    private readonly AutoNatServerOptions _options;
    private readonly ILogger _logger;
    private readonly KeyedRateLimiter<int> _global;
    private readonly PeerRateLimiter _perPeer;
    private readonly ConcurrentDictionary<PeerId, int> _inFlightPerPeer = new();
    private int _inFlight;

    public AutoNatServer(Libp2pHost host, AutoNatServerOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        _host = host;
        _options = options ?? new AutoNatServerOptions();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AutoNatServer>();
        time ??= TimeProvider.System;
        // A minute's allowance, refilled evenly: bursts of at most a minute's worth.
        _global = new KeyedRateLimiter<int>(_options.RequestsPerMinute / 60.0, _options.RequestsPerMinute, time);
        _perPeer = new PeerRateLimiter(_options.RequestsPerMinutePerPeer / 60.0, _options.RequestsPerMinutePerPeer, time);
    }

    /// <summary>Requests answered with a dial (successful or not).</summary>
    public long DialsMade => Interlocked.Read(ref _dialsMade);

    /// <summary>Requests answered E_REQUEST_REJECTED (rate or concurrency limits).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    private long _dialsMade;
    private long _rejected;

    public void Start() => _host.SetStreamHandler(AutoNatProtocol.DialRequest, HandleAsync);

    public void Stop() => _host.RemoveStreamHandler(AutoNatProtocol.DialRequest);

    private async Task HandleAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.RequestTimeout);
        CancellationToken ct = deadline.Token;
        PeerId peer = stream.RemotePeer;
        Message? first;
        try
        {
            first = await AutoNatCodec.ReadAsync(stream.Input, Message.Parser, ct);
        }
        catch (ProtocolViolationException ex)
        {
            // Spec: E_INTERNAL_ERROR is what is left when no other status fits; a peer that sent
            // bytes we cannot read learns that much, then the stream ends.
            _logger.RequestFailed(peer.ToString(), ex.Message);
            await AnswerAsync(stream, ResponseStatus.EInternalError, 0, DialStatus.Unused, ct);
            return;
        }
        if (first is null)
        {
            return;
        }
        if (first.DialRequest is not { } request)
        {
            _logger.RequestFailed(peer.ToString(), $"first message is {first.MsgCase}, not a DialRequest");
            await AnswerAsync(stream, ResponseStatus.EInternalError, 0, DialStatus.Unused, ct);
            return;
        }
        if (!TryAdmit(peer, out string? refusal))
        {
            Interlocked.Increment(ref _rejected);
            _logger.RequestRejected(peer.ToString(), refusal);
            await AnswerAsync(stream, ResponseStatus.ERequestRejected, 0, DialStatus.Unused, ct);
            return;
        }
        try
        {
            await ServeAsync(stream, request, ct);
        }
        catch (ProtocolViolationException ex)
        {
            _logger.RequestFailed(peer.ToString(), ex.Message);
            await AnswerAsync(stream, ResponseStatus.EInternalError, 0, DialStatus.Unused, ct);
        }
        finally
        {
            Release(peer);
        }
    }

    private async Task ServeAsync(Libp2pStream stream, DialRequest request, CancellationToken ct)
    {
        PeerId peer = stream.RemotePeer;
        int index = DialBackTarget.Select(request.Addrs, peer, _options.AllowPrivateAddresses, CanReach, _host.CanDial, out Multiaddr? target);
        if (index < 0)
        {
            _logger.RequestRejected(peer.ToString(), $"none of {request.Addrs.Count} addresses is one this node dials");
            await AnswerAsync(stream, ResponseStatus.EDialRefused, 0, DialStatus.Unused, ct);
            return;
        }
        target!.TryGetIPEndPoint(out IPEndPoint? targetIp);
        if (!targetIp!.Address.Equals(ObservedIp(stream.Connection)) && !await ReceiveDialDataAsync(stream, (uint)index, ct))
        {
            return;
        }
        Interlocked.Increment(ref _dialsMade);
        DialStatus status = await DialBackAsync(target, peer, request.Nonce, ct);
        _logger.DialedBack(target.ToString(), peer.ToString(), status.ToString());
        await AnswerAsync(stream, ResponseStatus.Ok, (uint)index, status, ct);
    }

    /// <summary>
    /// Spec "Amplification Attack Prevention": before dialing an IP other than the requester's,
    /// ask for 30k–100k bytes of DialDataResponse data (each ≤ 4096 bytes; only data counts;
    /// the last may overshoot). False when the client gave up (closed the stream).
    /// </summary>
    private async Task<bool> ReceiveDialDataAsync(Libp2pStream stream, uint index, CancellationToken ct)
    {
        ulong wanted = (ulong)RandomNumberGenerator.GetInt32(_options.MinDialDataBytes, _options.MaxDialDataBytes + 1);
        await AutoNatCodec.WriteAsync(stream.Output, new Message { DialDataRequest = new DialDataRequest { AddrIdx = index, NumBytes = wanted } }, ct);
        ulong received = 0;
        while (received < wanted)
        {
            Message? next = await AutoNatCodec.ReadAsync(stream.Input, Message.Parser, ct);
            if (next is null)
            {
                _logger.RequestFailed(stream.RemotePeer.ToString(), $"closed after {received} of {wanted} bytes of dial data");
                return false;
            }
            if (next.DialDataResponse is not { } part)
            {
                throw new AutoNatException($"expected DialDataResponse, got {next.MsgCase}");
            }
            if (part.Data.Length > AutoNatCodec.MaxDialDataChunk)
            {
                throw new AutoNatException($"dial data chunk of {part.Data.Length} bytes (limit {AutoNatCodec.MaxDialDataChunk})");
            }
            received += (ulong)part.Data.Length;
        }
        return true;
    }

    /// <summary>
    /// Dials <paramref name="target"/> on a new connection (never an existing one: that would
    /// prove nothing about the address), expecting the requester's key there, sends the nonce
    /// and waits for the client's OK; the connection is closed either way.
    /// </summary>
    private async Task<DialStatus> DialBackAsync(Multiaddr target, PeerId requester, ulong nonce, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.DialBackTimeout);
        Connection connection;
        try
        {
            connection = await _host.DialNewConnectionAsync(target, requester, deadline.Token, _dialBackIdentity);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or OperationCanceledException or CryptographicException && !ct.IsCancellationRequested)
        {
            return DialStatus.EDialError;
        }
        try
        {
            await using Libp2pStream back = await connection.NewStreamAsync([AutoNatProtocol.DialBack], deadline.Token);
            await AutoNatCodec.WriteAsync(back.Output, new DialBack { Nonce = nonce }, deadline.Token);
            DialBackResponse? response = await AutoNatCodec.ReadAsync(back.Input, DialBackResponse.Parser, deadline.Token);
            return response is { Status: DialBackResponse.Types.DialBackStatus.Ok } ? DialStatus.Ok : DialStatus.EDialBackError;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return DialStatus.EDialBackError;
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    private static async Task AnswerAsync(Libp2pStream stream, ResponseStatus status, uint index, DialStatus dialStatus, CancellationToken ct)
    {
        try
        {
            await AutoNatCodec.WriteAsync(stream.Output, new Message { DialResponse = new DialResponse { Status = status, AddrIdx = index, DialStatus = dialStatus } }, ct);
            stream.CloseWrite();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client left; nothing is owed to it.
        }
    }

    private bool TryAdmit(PeerId peer, [NotNullWhen(false)] out string? refusal)
    {
        if (Interlocked.Increment(ref _inFlight) > _options.MaxConcurrentRequests)
        {
            Interlocked.Decrement(ref _inFlight);
            refusal = $"{_options.MaxConcurrentRequests} requests already in flight";
            return false;
        }
        if (_inFlightPerPeer.AddOrUpdate(peer, 1, static (_, n) => n + 1) > _options.MaxConcurrentRequestsPerPeer)
        {
            Release(peer);
            refusal = $"{_options.MaxConcurrentRequestsPerPeer} requests of this peer already in flight";
            return false;
        }
        if (!_perPeer.TryAcquire(peer))
        {
            Release(peer);
            refusal = $"over {_options.RequestsPerMinutePerPeer} requests a minute from this peer";
            return false;
        }
        if (!_global.TryAcquire(0))
        {
            Release(peer);
            refusal = $"over {_options.RequestsPerMinute} requests a minute in all";
            return false;
        }
        refusal = null;
        return true;
    }

    private void Release(PeerId peer)
    {
        Interlocked.Decrement(ref _inFlight);
        if (_inFlightPerPeer.AddOrUpdate(peer, 0, static (_, n) => n - 1) <= 0)
        {
            _inFlightPerPeer.TryRemove(new KeyValuePair<PeerId, int>(peer, 0));
        }
    }

    private bool CanReach(AddressFamily family) =>
        _host.ListenAddresses.Any(a => a.TryGetIPEndPoint(out IPEndPoint? ep) && ep.AddressFamily == family);

    private static IPAddress? ObservedIp(Connection connection) =>
        connection.RemoteAddress.TryGetIPEndPoint(out IPEndPoint? ep) ? ep.Address : null;
}
