using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Service;

/// <summary>
/// GossipSub on live streams: wraps the <see cref="GossipRouter"/> state machine (one lock, calls
/// are short and never wait on I/O), runs the heartbeat, the per-peer writer loops, the inbound
/// read loops and the bounded async validation pipeline, and hands accepted messages to
/// subscriptions. The host binding (stream handler, connection events) lives in
/// <c>GossipSubService.Host.cs</c>; everything here works on any <see cref="IDuplexPipe"/>.
/// </summary>
public sealed partial class GossipSubService : IAsyncDisposable
{
    private readonly GossipSubOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GossipRouter _router;
    private readonly Lock _gate = new();
    private readonly Dictionary<PeerId, PeerSender> _senders = [];
    private readonly Dictionary<string, List<GossipSubscription>> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TopicValidator> _validators = new(StringComparer.Ordinal);
    private readonly Channel<InboundMessage> _validation;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private long _validationDropped;
    private long _sendDropped;

    public GossipSubService(GossipSubOptions options, KeyPair? identity = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GossipSubService>();
        IMessageAuthenticator? authenticator = options.SignaturePolicy == SignaturePolicy.StrictSign
            ? new MessageAuthenticator(identity ?? throw new ArgumentException("StrictSign needs the host identity", nameof(identity)), _time)
            : null;
        _router = new GossipRouter(options, _time, random ?? new Random(), _logger, authenticator);
        _validation = Channel.CreateBounded<InboundMessage>(new BoundedChannelOptions(options.MaxPendingValidations)
        {
            FullMode = BoundedChannelFullMode.Wait, // never waited on: TryWrite fails and the message is dropped
        });
    }

    /// <summary>Peers named by PRUNE peer exchange (v1.1) that the host may dial.</summary>
    public event EventHandler<PeerExchangeCandidate>? PeerDiscovered;

    /// <summary>Starts the heartbeat and the validation workers.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_loops.Count > 0)
            {
                return;
            }
            _loops.Add(HeartbeatLoopAsync(_stopping.Token));
            for (int i = 0; i < _options.ValidationConcurrency; i++)
            {
                _loops.Add(ValidationLoopAsync(_stopping.Token));
            }
        }
    }

    /// <summary>Joins <paramref name="topic"/> and returns a stream of its accepted messages.</summary>
    public GossipSubscription Subscribe(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var subscription = new GossipSubscription(topic, RemoveSubscription);
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(topic, out var list))
            {
                _subscriptions[topic] = list = [];
            }
            list.Add(subscription);
            _router.Subscribe(topic);
            Dispatch();
        }
        return subscription;
    }

    /// <summary>Leaves <paramref name="topic"/>; every subscription to it completes.</summary>
    public void Unsubscribe(string topic)
    {
        List<GossipSubscription>? ended;
        lock (_gate)
        {
            _subscriptions.Remove(topic, out ended);
            _router.Unsubscribe(topic);
            Dispatch();
        }
        foreach (GossipSubscription s in ended ?? [])
        {
            s.Complete();
        }
    }

    private void RemoveSubscription(GossipSubscription subscription)
    {
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(subscription.Topic, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                _subscriptions.Remove(subscription.Topic);
                _router.Unsubscribe(subscription.Topic);
                Dispatch();
            }
        }
    }

    /// <summary>Sets the validator of <paramref name="topic"/> (NNRP: the ingress gate); without one every message is accepted.</summary>
    public void SetValidator(string topic, TopicValidator validator)
    {
        lock (_gate)
        {
            _validators[topic] = validator;
        }
    }

    /// <summary>
    /// Publishes our own message; it is not delivered to our own subscriptions. A caller that
    /// already knows the message's id (a content id it computed) passes it as
    /// <paramref name="id"/>, so the message id function does not run again (ignored under StrictSign).
    /// </summary>
    public PublishOutcome Publish(string topic, ReadOnlyMemory<byte> data, MessageId? id = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        lock (_gate)
        {
            PublishOutcome outcome = _router.Publish(topic, data, id);
            Dispatch();
            return outcome;
        }
    }

    public IReadOnlyCollection<PeerId> GetTopicPeers(string topic)
    {
        lock (_gate)
        {
            return _router.TopicPeers(topic);
        }
    }

    public IReadOnlyCollection<PeerId> GetMeshPeers(string topic)
    {
        lock (_gate)
        {
            return _router.MeshPeers(topic);
        }
    }

    public IReadOnlyCollection<PeerId> Peers
    {
        get
        {
            lock (_gate)
            {
                return _router.Peers.ToArray();
            }
        }
    }

    public double GetScore(PeerId peer)
    {
        lock (_gate)
        {
            return _router.Score(peer);
        }
    }

    public GossipSubMetrics Metrics
    {
        get
        {
            lock (_gate)
            {
                long sendDropped = _sendDropped + _senders.Values.Sum(s => s.Dropped);
                return _router.Metrics with { ValidationDropped = Interlocked.Read(ref _validationDropped), SendQueueDropped = sendDropped };
            }
        }
    }

    /// <summary>
    /// A connection to a pubsub-capable peer is up (or its stream came first). <paramref name="openStream"/>
    /// opens our outbound stream (the writer loop calls it) and reports the protocol agreed. When
    /// that stream fails and <paramref name="stillConnected"/> says the peer is still there, the
    /// stream is opened again after a growing delay and the peer stays in the router, its
    /// subscriptions kept (go-libp2p-pubsub respawns such a writer too); without it, or after
    /// <see cref="GossipSubOptions.MaxStreamReopens"/> short-lived streams in a row, the peer is removed.
    /// </summary>
    internal void AddPeer(PeerId peer, bool outbound, IPAddress? address, Func<CancellationToken, Task<(IDuplexPipe Stream, GossipProtocol Protocol)>> openStream, Func<bool>? stillConnected = null)
    {
        lock (_gate)
        {
            if (_senders.ContainsKey(peer) || _stopping.IsCancellationRequested)
            {
                return;
            }
            StartSender(peer, new PeerLink(openStream, stillConnected, outbound, address), TimeSpan.Zero);
        }
    }

    /// <summary>Under _gate: the writer loop of <paramref name="peer"/>, opening its stream after <paramref name="delay"/>.</summary>
    private void StartSender(PeerId peer, PeerLink link, TimeSpan delay)
    {
        var sender = new PeerSender(peer, _options.Limits.MaxRpcSize, _logger);
        _senders[peer] = sender;
        sender.Start(async ct =>
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, ct);
            }
            var (stream, protocol) = await link.OpenStream(ct);
            lock (_gate)
            {
                link.OpenedAt = _time.GetUtcNow();
                // The hello goes first on every stream of ours, a re-opened one too: the peer may
                // have dropped us with the old stream (pubsub/README.md "Stream management").
                if (!_router.AddPeer(peer, protocol, link.Outbound, link.Address))
                {
                    _router.Announce(peer);
                }
                Dispatch();
            }
            return stream;
        });
        _ = sender.Completion.ContinueWith(_ => OnSenderEnded(peer, sender, link), TaskScheduler.Default);
    }

    private void OnSenderEnded(PeerId peer, PeerSender sender, PeerLink link)
    {
        lock (_gate)
        {
            if (!_senders.TryGetValue(peer, out PeerSender? current) || !ReferenceEquals(current, sender))
            {
                return; // removed (connection gone, disposal) or already replaced
            }
            _sendDropped += sender.Dropped;
            if (!_stopping.IsCancellationRequested && link.StillConnected?.Invoke() == true)
            {
                if (link.OpenedAt is { } opened && _time.GetUtcNow() - opened >= _options.StableStreamAge)
                {
                    link.Reopens = 0;
                }
                if (link.Reopens < _options.MaxStreamReopens)
                {
                    TimeSpan delay = ReopenDelay(link.Reopens++);
                    link.OpenedAt = null;
                    Log.StreamReopening(_logger, peer, link.Reopens, delay);
                    StartSender(peer, link, delay);
                    return;
                }
                Log.StreamReopensExhausted(_logger, peer, link.Reopens);
            }
            _senders.Remove(peer);
            _router.RemovePeer(peer);
            Dispatch();
        }
    }

    private TimeSpan ReopenDelay(int reopens) =>
        CappedBackoff.Delay(_options.StreamReopenDelay, _options.MaxStreamReopenDelay, reopens);

    /// <summary>
    /// Ends our stream to <paramref name="peer"/> when <paramref name="onStream"/> says it is the
    /// one (a duplicate connection closed under it); the peer, still connected, gets a new one.
    /// </summary>
    internal void ReopenStream(PeerId peer, Func<IDuplexPipe, bool> onStream)
    {
        PeerSender? sender;
        lock (_gate)
        {
            if (!_senders.TryGetValue(peer, out sender) || sender.Stream is not { } stream || !onStream(stream))
            {
                return;
            }
        }
        sender.Stop();
    }

    /// <summary>The peer's connection is gone.</summary>
    internal void RemovePeer(PeerId peer)
    {
        PeerSender? sender;
        lock (_gate)
        {
            if (!_senders.Remove(peer, out sender))
            {
                return;
            }
            _sendDropped += sender.Dropped;
            _router.RemovePeer(peer);
            Dispatch();
        }
        sender.Stop();
    }

    /// <summary>How our stream to a peer is opened again; the counters are under _gate.</summary>
    private sealed class PeerLink(Func<CancellationToken, Task<(IDuplexPipe Stream, GossipProtocol Protocol)>> openStream, Func<bool>? stillConnected, bool outbound, IPAddress? address)
    {
        public Func<CancellationToken, Task<(IDuplexPipe Stream, GossipProtocol Protocol)>> OpenStream { get; } = openStream;

        public Func<bool>? StillConnected { get; } = stillConnected;

        public bool Outbound { get; } = outbound;

        public IPAddress? Address { get; } = address;

        public int Reopens { get; set; }

        public DateTimeOffset? OpenedAt { get; set; }
    }

    /// <summary>
    /// Reads the peer's inbound pubsub stream until it ends: each RPC goes through the router and
    /// its new messages into validation. A malformed or over-limit RPC ends the stream
    /// (<see cref="RpcFormatException"/>), as go-libp2p-pubsub does.
    /// </summary>
    internal async Task HandleInboundStreamAsync(PeerId peer, GossipProtocol protocol, IDuplexPipe stream, bool outbound, IPAddress? address, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        lock (_gate)
        {
            // Their stream can beat ours: know the peer now so its subscriptions are not lost. Our
            // hello waits for our stream (a sender not yet there would drop it).
            _router.AddPeer(peer, protocol, outbound, address, announce: false);
            Dispatch();
        }
        PipeReader input = stream.Input;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(linked.Token);
                var buffer = result.Buffer;
                try
                {
                    while (RpcCodec.TryRead(ref buffer, _options.Limits, out RPC? rpc))
                    {
                        HandleRpc(peer, rpc);
                    }
                    if (result.IsCompleted || result.IsCanceled)
                    {
                        if (!buffer.IsEmpty)
                        {
                            throw new Encoding.TruncatedMessageException(buffer.Length);
                        }
                        return;
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (ProtocolViolationException ex)
        {
            Log.InboundRpcInvalid(_logger, peer, ex.Message);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }
        catch (IOException ex)
        {
            Log.InboundStreamFailed(_logger, peer, ex);
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    private void HandleRpc(PeerId peer, RPC rpc)
    {
        lock (_gate)
        {
            foreach (InboundMessage message in _router.HandleRpc(peer, rpc))
            {
                if (!_validators.ContainsKey(message.Message.Topic))
                {
                    Complete(message, ValidationResult.Accept);
                }
                else if (!_validation.Writer.TryWrite(message))
                {
                    // Issue 4: overload drops work instead of queuing without limit; no penalty.
                    Interlocked.Increment(ref _validationDropped);
                    _router.ReportValidation(message, ValidationResult.Ignore);
                }
            }
            Dispatch();
        }
    }

    private async Task ValidationLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (InboundMessage message in _validation.Reader.ReadAllAsync(cancellationToken))
            {
                TopicValidator? validator;
                lock (_gate)
                {
                    _validators.TryGetValue(message.Message.Topic, out validator);
                }
                ValidationResult result;
                try
                {
                    result = validator is null ? ValidationResult.Accept : await validator(message.Message, message.From, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.ValidatorFailed(_logger, message.Message.Topic, ex);
                    result = ValidationResult.Ignore;
                }
                lock (_gate)
                {
                    Complete(message, result);
                    Dispatch();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Under the lock: report the verdict and deliver accepted messages to subscriptions.</summary>
    private void Complete(InboundMessage message, ValidationResult result)
    {
        if (_router.ReportValidation(message, result) && _subscriptions.TryGetValue(message.Message.Topic, out var list))
        {
            foreach (GossipSubscription subscription in list)
            {
                subscription.Deliver(message.Message);
            }
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                lock (_gate)
                {
                    _router.Heartbeat();
                    Dispatch();
                    ProtectMesh();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Under the lock: hand the router's commands to the writer loops (never blocks).</summary>
    private void Dispatch()
    {
        foreach (OutboundRpc command in _router.TakeOutbound())
        {
            if (_senders.TryGetValue(command.Peer, out PeerSender? sender))
            {
                sender.TryEnqueue(command.Rpc, command.Kind, command.Frame);
            }
        }
        foreach (PeerExchangeCandidate candidate in _router.TakePeerExchange())
        {
            PeerDiscovered?.Invoke(this, candidate);
        }
    }

    public async ValueTask DisposeAsync()
    {
        DetachFromHost();
        await _stopping.CancelAsync();
        List<PeerSender> senders;
        lock (_gate)
        {
            senders = [.. _senders.Values];
            _senders.Clear();
            foreach (List<GossipSubscription> list in _subscriptions.Values)
            {
                list.ForEach(s => s.Complete());
            }
        }
        foreach (PeerSender sender in senders)
        {
            sender.Stop();
        }
        await Task.WhenAll(_loops.Concat(senders.Select(s => s.Completion))).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
