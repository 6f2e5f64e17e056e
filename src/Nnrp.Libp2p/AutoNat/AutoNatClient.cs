using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using ResponseStatus = Nnrp.Libp2p.AutoNat.Protobuf.DialResponse.Types.ResponseStatus;

namespace Nnrp.Libp2p.AutoNat;

/// <summary>
/// The AutoNAT v2 client (libp2p/specs autonat/autonat-v2.md): asks a few connected servers
/// (peers whose identify lists <c>/libp2p/autonat/2/dial-request</c>) to dial our advertised and
/// observed addresses, accepts a dial back only with the nonce it sent, and keeps a verdict per
/// address (<see cref="AddressConfidence"/>); <see cref="Reachability"/> is the node's summary.
/// </summary>
public sealed class AutoNatClient : IAsyncDisposable
{
    /// <summary>How long a server's dial back may take to deliver its nonce.</summary>
    public static readonly TimeSpan DialBackReadTimeout = TimeSpan.FromSeconds(10);

    private readonly Libp2pHost _host;
    private readonly IdentifyService? _identify;
    private readonly AutoNatClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<Multiaddr>> _nonces = new();
    private readonly ConcurrentDictionary<Multiaddr, DateTimeOffset> _settledAt = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _dialDataFrame;
    private Task _loop = Task.CompletedTask;
    private int _reachability;

    public AutoNatClient(Libp2pHost host, IdentifyService? identify, AutoNatClientOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        _host = host;
        _identify = identify;
        _options = options ?? new AutoNatClientOptions();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AutoNatClient>();
        _time = time ?? TimeProvider.System;
        Confidence = new AddressConfidence(_options);
        // One full-size DialDataResponse, serialized once and sent as often as asked (spec: lets
        // "clients serialize their DialDataResponse message once and reuse it").
        _dialDataFrame = new Message { DialDataResponse = new DialDataResponse { Data = ByteString.CopyFrom(new byte[AutoNatCodec.MaxDialDataChunk]) } }.ToByteArray();
    }

    public Reachability Reachability => (Reachability)Volatile.Read(ref _reachability);

    public AddressConfidence Confidence { get; }

    /// <summary>Raised when <see cref="Reachability"/> changes.</summary>
    public event EventHandler<ReachabilityChangedEventArgs>? ReachabilityChanged;

    /// <summary>Serves dial backs and probes in the background: on each new server and every <see cref="AutoNatClientOptions.ProbeInterval"/>.</summary>
    public void Start()
    {
        _host.SetStreamHandler(AutoNatProtocol.DialBack, HandleDialBackAsync);
        if (!_options.BackgroundProbing)
        {
            return;
        }
        if (_identify is not null)
        {
            _identify.PeerIdentified += OnPeerIdentified;
        }
        _loop = LoopAsync(_stopping.Token);
    }

    /// <summary>
    /// One round: the addresses due for a test (no verdict yet, or a verdict older than
    /// <see cref="AutoNatClientOptions.RecheckInterval"/>), each asked of servers that have not
    /// reported on it, up to <see cref="AutoNatClientOptions.ServersPerRound"/> requests.
    /// </summary>
    public async Task<IReadOnlyList<ProbeResult>> RunRoundAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Multiaddr> candidates = Candidates();
        Confidence.RetainOnly(candidates);
        foreach (Multiaddr gone in _settledAt.Keys.Where(a => !candidates.Contains(a)).ToArray())
        {
            _settledAt.TryRemove(gone, out _);
        }
        DateTimeOffset now = _time.GetUtcNow();
        Multiaddr[] due = candidates.Where(a => Confidence.VerdictOf(a) == Reachability.Unknown
            || !_settledAt.TryGetValue(a, out DateTimeOffset at) || now - at > _options.RecheckInterval).ToArray();
        var results = new List<ProbeResult>();
        if (due.Length == 0)
        {
            return results;
        }
        bool recheck = Confidence.VerdictOf(due[0]) != Reachability.Unknown;
        PeerId[] servers = _host.Connections
            .Select(static c => c.RemotePeer)
            .Distinct()
            .Where(p => _host.PeerStore.GetProtocols(p).Contains(AutoNatProtocol.DialRequest))
            .Where(p => recheck || !Confidence.HasResultFrom(due[0], p))
            .OrderBy(static _ => RandomNumberGenerator.GetInt32(int.MaxValue))
            .Take(_options.ServersPerRound)
            .ToArray();
        foreach (PeerId server in servers)
        {
            try
            {
                results.Add(await ProbeAsync(server, due, cancellationToken));
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                _logger.ProbeFailed(server.ToString(), ex.Message);
            }
        }
        return results;
    }

    /// <summary>
    /// Asks <paramref name="server"/> (over our existing connection) to dial one of
    /// <paramref name="addresses"/> (highest priority first) and records what it says.
    /// </summary>
    public async Task<ProbeResult> ProbeAsync(PeerId server, IReadOnlyList<Multiaddr> addresses, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(addresses.Count);
        Connection connection = _host.FindConnection(server) ?? throw new InvalidOperationException($"not connected to {server}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.RequestTimeout);
        CancellationToken ct = deadline.Token;
        ulong nonce = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        var dialedBack = new TaskCompletionSource<Multiaddr>(TaskCreationOptions.RunContinuationsAsynchronously);
        _nonces[nonce] = dialedBack;
        try
        {
            await using Libp2pStream stream = await connection.NewStreamAsync([AutoNatProtocol.DialRequest], ct);
            var request = new DialRequest { Nonce = nonce };
            request.Addrs.AddRange(addresses.Take(AutoNatCodec.MaxAddressesPerRequest).Select(static a => ByteString.CopyFrom(a.ToBytes())));
            await AutoNatCodec.WriteAsync(stream.Output, new Message { DialRequest = request }, ct);
            DialResponse? response = await ReadResponseAsync(stream, request.Addrs.Count, ct);
            if (response is null)
            {
                stream.Reset();
                return Report(new ProbeResult(server, ProbeOutcome.DialDataRefused, null));
            }
            stream.CloseWrite();
            return Report(Judge(server, response, addresses, dialedBack.Task));
        }
        finally
        {
            _nonces.TryRemove(nonce, out _);
        }
    }

    /// <summary>The DialResponse, paying for dial data on the way; null when we refuse to pay.</summary>
    private async Task<DialResponse?> ReadResponseAsync(Libp2pStream stream, int addressCount, CancellationToken ct)
    {
        while (true)
        {
            Message message = await AutoNatCodec.ReadAsync(stream.Input, Message.Parser, ct)
                ?? throw new AutoNatException("the server closed the stream without a DialResponse");
            switch (message.MsgCase)
            {
                case Message.MsgOneofCase.DialResponse:
                    return message.DialResponse;
                case Message.MsgOneofCase.DialDataRequest:
                    DialDataRequest ask = message.DialDataRequest;
                    if (ask.AddrIdx >= addressCount)
                    {
                        throw new AutoNatException($"dial data asked for address {ask.AddrIdx} of {addressCount}");
                    }
                    if (ask.NumBytes > (ulong)_options.MaxDialDataBytes)
                    {
                        // Spec: "If the client rejects the cost, the client resets the stream."
                        return null;
                    }
                    for (ulong sent = 0; sent < ask.NumBytes; sent += AutoNatCodec.MaxDialDataChunk)
                    {
                        LengthPrefixed.Write(stream.Output, _dialDataFrame);
                        FlushResult flush = await stream.Output.FlushAsync(ct);
                        if (flush.IsCompleted)
                        {
                            throw new IOException("the server stopped reading dial data");
                        }
                    }
                    break;
                default:
                    throw new AutoNatException($"unexpected {message.MsgCase} from the server");
            }
        }
    }

    /// <summary>
    /// Spec "Requirements for ResponseStatus/DialStatus": only an OK response with an OK dial
    /// whose dial back carried our nonce makes an address dialable ("If the nonce is different,
    /// it MUST discard this response"); statuses we do not know are discarded.
    /// </summary>
    private static ProbeResult Judge(PeerId server, DialResponse response, IReadOnlyList<Multiaddr> addresses, Task<Multiaddr> dialedBack)
    {
        ProbeOutcome refusal = response.Status switch
        {
            ResponseStatus.Ok => ProbeOutcome.Dialable,
            ResponseStatus.ERequestRejected => ProbeOutcome.Rejected,
            ResponseStatus.EDialRefused => ProbeOutcome.Refused,
            _ => ProbeOutcome.NoVerdict,
        };
        if (refusal != ProbeOutcome.Dialable)
        {
            return new ProbeResult(server, refusal, null);
        }
        if (response.AddrIdx >= addresses.Count)
        {
            throw new AutoNatException($"the server reports address {response.AddrIdx} of {addresses.Count}");
        }
        Multiaddr address = addresses[(int)response.AddrIdx];
        ProbeOutcome outcome = response.DialStatus switch
        {
            DialStatus.Ok when dialedBack.IsCompletedSuccessfully && SameTransport(dialedBack.Result, address) => ProbeOutcome.Dialable,
            DialStatus.EDialError => ProbeOutcome.NotDialable,
            _ => ProbeOutcome.NoVerdict,
        };
        return new ProbeResult(server, outcome, address);
    }

    /// <summary>Spec: the client checks the dial back came in on the tested address's transport (TCP vs WebSocket).</summary>
    private static bool SameTransport(Multiaddr local, Multiaddr tested) =>
        IsWebSocket(local) == IsWebSocket(tested);

    private static bool IsWebSocket(Multiaddr address) =>
        address.Components.Any(static c => c.Protocol is MultiaddrProtocol.Ws or MultiaddrProtocol.Wss);

    private ProbeResult Report(ProbeResult result)
    {
        _logger.ProbeResult(result.Server.ToString(), result.Address?.ToString() ?? "-", result.Outcome.ToString());
        if (result.Address is { } address && result.Outcome is ProbeOutcome.Dialable or ProbeOutcome.NotDialable)
        {
            Reachability before = Confidence.VerdictOf(address);
            if (Confidence.Record(address, result.Server, result.Outcome == ProbeOutcome.Dialable) is var after && after != Reachability.Unknown
                && (after != before || !_settledAt.ContainsKey(address)))
            {
                _settledAt[address] = _time.GetUtcNow();
            }
            Reachability overall = Confidence.Overall;
            if (Interlocked.Exchange(ref _reachability, (int)overall) != (int)overall)
            {
                _logger.ReachabilityChanged(overall);
                ReachabilityChanged?.Invoke(this, new ReachabilityChangedEventArgs(overall));
            }
        }
        return result;
    }

    /// <summary>
    /// Addresses worth testing, highest priority first: what we advertise, then each IP that
    /// peers observed us on with our listen ports (an observed TCP port is the ephemeral one of
    /// our dial). Only IP + TCP addresses we could be dialed on, public unless private ones are allowed.
    /// </summary>
    private IReadOnlyList<Multiaddr> Candidates()
    {
        var result = new List<Multiaddr>(_host.GetAdvertisedAddresses());
        int[] ports = _host.ListenAddresses
            .Where(static a => a.Components.Count == 2)
            .Select(static a => a.TryGetIPEndPoint(out IPEndPoint? ep) ? ep.Port : 0)
            .Where(static p => p > 0).Distinct().ToArray();
        foreach (Multiaddr observed in _identify?.ObservedAddresses ?? [])
        {
            if (observed.TryGetIPEndPoint(out IPEndPoint? seen))
            {
                result.AddRange(ports.Select(p => Multiaddr.FromIPEndPoint(new IPEndPoint(seen.Address, p))));
            }
        }
        return result
            .Select(static a => a.WithoutPeerId())
            .Where(a => a.TryGetIPEndPoint(out _) && _host.CanDial(a) && KadAddresses.IsUsable(a, _options.AllowPrivateAddresses))
            .Distinct()
            .Take(AutoNatCodec.MaxAddressesPerRequest)
            .ToArray();
    }

    /// <summary>Spec: read the DialBack, check its nonce is one we sent, answer OK, close.</summary>
    private async Task HandleDialBackAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(DialBackReadTimeout);
        DialBack? message = await AutoNatCodec.ReadAsync(stream.Input, DialBack.Parser, deadline.Token);
        if (message is null || !_nonces.TryGetValue(message.Nonce, out TaskCompletionSource<Multiaddr>? waiter))
        {
            _logger.DialBackRefused(stream.RemotePeer.ToString(), message is null ? "no DialBack" : "a nonce we did not send");
            stream.Reset();
            return;
        }
        waiter.TrySetResult(stream.Connection.LocalAddress);
        await AutoNatCodec.WriteAsync(stream.Output, new DialBackResponse { Status = DialBackResponse.Types.DialBackStatus.Ok }, deadline.Token);
        stream.CloseWrite();
    }

    private void OnPeerIdentified(object? sender, PeerIdentifiedEventArgs e)
    {
        if (e.Result.Protocols.Contains(AutoNatProtocol.DialRequest) && _wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another new server already woke the loop.
            }
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(_options.ProbeInterval, cancellationToken);
                await RunRoundAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.RoundFailed(ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync();
        await _loop;
        if (_identify is not null)
        {
            _identify.PeerIdentified -= OnPeerIdentified;
        }
        _host.RemoveStreamHandler(AutoNatProtocol.DialBack);
        _stopping.Dispose();
        _wake.Dispose();
    }
}
