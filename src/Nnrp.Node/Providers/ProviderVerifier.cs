using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Providers;

/// <summary>
/// NNRP.md §14.2 "Verification": a DHT provider is <em>verified</em> while it answered a
/// /nnrp/1.0 status request (§11.7) from this node within <see cref="ProviderVerifierOptions.VerifiedFor"/>.
/// Verification reuses the connection the provider's ADD_PROVIDER came on when it is still open,
/// else dials the record's first address once; every request has a timeout, at most
/// <see cref="ProviderVerifierOptions.MaxConcurrent"/> run at once, a bounded queue feeds them,
/// and a failed provider is not asked again for <see cref="ProviderVerifierOptions.FailedFor"/>
/// — so provider records cannot make the node an amplifier. Results sit in a bounded cache.
/// </summary>
public sealed class ProviderVerifier : IAsyncDisposable
{
    /// <summary>
    /// §11.8.6 with §14.2: providers looked up when counting replicas — more than the 3 that
    /// make a notification safe, so unverified records among them cannot hide verified ones.
    /// </summary>
    public const int ReplicaCandidates = 20;

    private readonly ProviderVerifierOptions _options;
    private readonly Func<KadPeer, CancellationToken, Task> _probe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<KadKey, Result> _results = [];
    private readonly HashSet<KadKey> _queued = [];
    private readonly Dictionary<KadKey, Task<bool>> _inFlight = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _slots;
    private readonly Channel<KadPeer> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;

    /// <summary>Verifies with status requests over <paramref name="host"/>.</summary>
    public ProviderVerifier(Libp2pHost host, ProviderVerifierOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        _options = options ?? new ProviderVerifierOptions();
        var client = new NnrpClient(host, _options.Timeout);
        _probe = (provider, ct) => StatusAsync(host, client, provider, ct);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _slots = new SemaphoreSlim(_options.MaxConcurrent, _options.MaxConcurrent);
        _queue = Channel.CreateBounded<KadPeer>(new BoundedChannelOptions(_options.MaxQueued) { FullMode = BoundedChannelFullMode.DropWrite });
        _workers = Enumerable.Range(0, _options.MaxConcurrent).Select(_ => Task.Run(() => WorkAsync(_stop.Token))).ToArray();
    }

    private readonly record struct Result(bool Verified, DateTimeOffset At);

    private long _probes;

    /// <summary>Status requests made (answered or not), for figures and tests.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    /// <summary>True if the peer answered a status request within <see cref="ProviderVerifierOptions.VerifiedFor"/>. Never blocks.</summary>
    public bool IsVerified(ReadOnlySpan<byte> peerId)
    {
        KadKey key = KadKey.Hash(peerId);
        DateTimeOffset now = _time.GetUtcNow();
        lock (_lock)
        {
            return _results.TryGetValue(key, out Result r) && r.Verified && now - r.At < _options.VerifiedFor;
        }
    }

    /// <summary>Queues <paramref name="provider"/> for verification unless a fresh result exists or the queue is full. Never blocks.</summary>
    public void Schedule(KadPeer provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (_lock)
        {
            if (Fresh(provider.Key) is not null || !_queued.Add(provider.Key))
            {
                return;
            }
        }
        if (!_queue.Writer.TryWrite(provider))
        {
            lock (_lock)
            {
                _queued.Remove(provider.Key);
            }
        }
    }

    /// <summary>Whether <paramref name="provider"/> is verified: from the cache, else by asking it now (within the concurrency limit).</summary>
    public async Task<bool> VerifyAsync(KadPeer provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        bool? known;
        lock (_lock)
        {
            known = Fresh(provider.Key);
        }
        return known ?? await ProbeAsync(provider, cancellationToken);
    }

    /// <summary>
    /// NNRP.md §11.8.6 with §14.2: the replicas of a shard are the verified providers among
    /// <paramref name="providers"/>, plus this node (<paramref name="self"/>), which stores it.
    /// </summary>
    public async Task<int> CountVerifiedAsync(IAsyncEnumerable<KadPeer> providers, PeerId self, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(self);
        var checks = new List<Task<bool>>();
        await foreach (KadPeer provider in providers.WithCancellation(cancellationToken))
        {
            if (!provider.Id.Span.SequenceEqual(self.Bytes.Span))
            {
                checks.Add(VerifyAsync(provider, cancellationToken));
            }
        }
        bool[] verified = await Task.WhenAll(checks);
        return 1 + verified.Count(static v => v);
    }

    private bool? Fresh(KadKey peer)
    {
        if (!_results.TryGetValue(peer, out Result r))
        {
            return null;
        }
        TimeSpan age = _time.GetUtcNow() - r.At;
        return age < (r.Verified ? _options.VerifiedFor : _options.FailedFor) ? r.Verified : null;
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (KadPeer provider in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                bool? known;
                lock (_lock)
                {
                    known = Fresh(provider.Key);
                }
                if (known is null)
                {
                    await ProbeAsync(provider, cancellationToken);
                }
                lock (_lock)
                {
                    _queued.Remove(provider.Key);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One status request per provider at a time: a second caller waits for the first's answer.
    /// The request runs until its own timeout or disposal, whichever caller stops waiting.
    /// </summary>
    private Task<bool> ProbeAsync(KadPeer provider, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_inFlight.TryGetValue(provider.Key, out Task<bool>? probe))
            {
                _inFlight[provider.Key] = probe = RunProbeAsync(provider, _stop.Token);
            }
            return probe.WaitAsync(cancellationToken);
        }
    }

    private async Task<bool> RunProbeAsync(KadPeer provider, CancellationToken cancellationToken)
    {
        try
        {
            return await RequestStatusAsync(provider, cancellationToken);
        }
        finally
        {
            lock (_lock)
            {
                _inFlight.Remove(provider.Key);
            }
        }
    }

    private async Task<bool> RequestStatusAsync(KadPeer provider, CancellationToken cancellationToken)
    {
        await Task.Yield(); // started under _lock in ProbeAsync: leave it before doing anything
        await _slots.WaitAsync(cancellationToken);
        bool verified;
        try
        {
            Interlocked.Increment(ref _probes);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.Timeout);
            await _probe(provider, deadline.Token);
            verified = true;
            _logger.ProviderVerified(provider.ToString());
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Any failure — unreachable, no /nnrp/1.0, a refusal, a bad answer, the timeout — leaves it unverified.
            verified = false;
            _logger.ProviderNotVerified(provider.ToString(), ex.Message);
        }
        finally
        {
            _slots.Release();
        }
        Remember(provider.Key, verified);
        return verified;
    }

    private void Remember(KadKey peer, bool verified)
    {
        DateTimeOffset now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_results.Count >= _options.CacheCapacity && !_results.ContainsKey(peer))
            {
                foreach ((KadKey stale, Result r) in _results.ToArray())
                {
                    if (now - r.At >= (r.Verified ? _options.VerifiedFor : _options.FailedFor))
                    {
                        _results.Remove(stale);
                    }
                }
                if (_results.Count >= _options.CacheCapacity)
                {
                    _results.Remove(_results.MinBy(static e => e.Value.At).Key);
                }
            }
            _results[peer] = new Result(verified, now);
        }
    }

    /// <summary>The status request: over an open connection to the provider, else to its first recorded address.</summary>
    internal static Task<Nnrp.Core.Protocol.StatusResponse> StatusAsync(Libp2pHost host, NnrpClient client, KadPeer provider, CancellationToken cancellationToken)
    {
        var peer = PeerId.FromBytes(provider.Id.Span);
        if (host.FindConnection(peer) is not null || provider.Addresses.Count == 0)
        {
            return client.StatusAsync(peer, cancellationToken);
        }
        Libp2p.Addressing.Multiaddr address = provider.Addresses[0];
        return client.StatusAsync(address.PeerIdMultihash is null ? address.WithPeerIdMultihash(provider.Id.Span) : address, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
        _slots.Dispose();
    }
}
