using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad.Protobuf;
using Nnrp.Libp2p.Kad.RoutingTable;
using MessageType = Nnrp.Libp2p.Kad.Protobuf.Message.Types.MessageType;

namespace Nnrp.Libp2p.Kad.Crawl;

/// <summary>
/// Walks a Kad-DHT from its bootstrap peers and visits every peer it can name: dial one of
/// its addresses directly, identify it, and — if it serves the DHT — empty its routing table
/// with FIND_NODE requests (its own id, then a random key per bucket, kad-dht/README.md
/// "Peer routing"), until no peer is left unvisited. A client only: it registers no Kad
/// handler (it never enters anyone's table, NNRP.md §14.2 "Client / server mode"), stores no
/// record, and every peer is disconnected when its visit ends, so connections stay at
/// <see cref="KadCrawlOptions.Concurrency"/>.
/// </summary>
public sealed class KadCrawler
{
    /// <summary>k (NNRP.md §14.2): a FIND_NODE answer holds up to k peers; fewer means the answering table is exhausted.</summary>
    private const int K = RoutingTableOptions.DefaultBucketSize;

    private readonly Libp2pHost _host;
    private readonly IdentifyService _identify;
    private readonly KadCrawlOptions _options;
    private readonly ILogger _logger;
    private readonly KadKey _localKey;

    /// <summary>A crawler on <paramref name="host"/>; <paramref name="identify"/> must be started on it (it answers who we are; the crawl asks each peer).</summary>
    public KadCrawler(Libp2pHost host, IdentifyService identify, KadCrawlOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(identify);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _host = host;
        _identify = identify;
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KadCrawler>();
        _localKey = KadKey.Hash(host.PeerId.Bytes.Span);
    }

    /// <summary>
    /// Crawls from <paramref name="bootstrap"/> (multiaddrs with <c>/p2p/</c>). For every peer
    /// reached, <paramref name="visit"/> runs while its connection is open, within the peer's
    /// timeout (the NNRP layer asks for its status there); its failure becomes the peer's
    /// <see cref="CrawledPeer.Error"/>. Ends when every named peer was visited, at the deadline,
    /// or when <paramref name="cancellationToken"/> fires (then it throws).
    /// </summary>
    public async Task<KadCrawlResult> CrawlAsync(IReadOnlyList<Multiaddr> bootstrap, Func<CrawledPeer, CancellationToken, Task>? visit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        long started = Stopwatch.GetTimestamp();
        var frontier = new CrawlFrontier(_options.MaxPeers);
        IReadOnlyList<KadPeer> seeds = RoutingTablePersistence.ToPeers(bootstrap);
        foreach (KadPeer seed in seeds.Where(s => s.Key != _localKey))
        {
            frontier.Offer(seed);
        }
        var seedKeys = seeds.Select(static s => s.Key).ToHashSet();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Deadline);
        var running = new List<Task<CrawledPeer?>>();
        var visited = new List<CrawledPeer>();
        int cutOff = 0;
        while (true)
        {
            while (running.Count < _options.Concurrency && !deadline.IsCancellationRequested && frontier.TryTake(out KadPeer next))
            {
                running.Add(VisitAsync(next, frontier, seedKeys.Contains(next.Key), visit, deadline.Token));
            }
            if (running.Count == 0)
            {
                break;
            }
            Task<CrawledPeer?> done = await Task.WhenAny(running);
            running.Remove(done);
            if (await done is { } peer)
            {
                visited.Add(peer);
            }
            else
            {
                cutOff++;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        var result = new KadCrawlResult(
            visited,
            frontier.Waiting + cutOff,
            deadline.IsCancellationRequested,
            frontier.CapReached,
            visited.Count(p => p.Reachable && seedKeys.Contains(KadKey.Hash(p.Peer.Bytes.Span))),
            Stopwatch.GetElapsedTime(started));
        Log.Ended(_logger, visited.Count, visited.Count(static p => p.Reachable), result.NotVisited, result.DeadlineReached, result.CapReached);
        return result;
    }

    /// <summary>
    /// The providers of <paramref name="key"/> as the DHT holds them: GET_PROVIDERS to the k
    /// reached DHT servers of <paramref name="crawled"/> closest to the key — after a complete
    /// crawl these are the k closest of the network, where ADD_PROVIDER put the records
    /// (kad-dht/README.md "Content routing"). Distinct by peer; at most k × 64.
    /// </summary>
    public async Task<IReadOnlyList<KadPeer>> GetProvidersAsync(ReadOnlyMemory<byte> key, IReadOnlyList<CrawledPeer> crawled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(crawled);
        KadKey target = KadKey.Hash(key.Span);
        CrawledPeer[] closest = crawled
            .Where(static p => p.ServesKad && p.DialedAddress is not null)
            .OrderBy(p => KadKey.Hash(p.Peer.Bytes.Span), Comparer<KadKey>.Create(target.CompareDistance))
            .Take(K)
            .ToArray();
        var providers = new Dictionary<KadKey, KadPeer>();
        using var slots = new SemaphoreSlim(_options.Concurrency);
        Message request = KadRpc.Request(MessageType.GetProviders, key.Span);
        await Task.WhenAll(closest.Select(async peer =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                foreach (KadPeer provider in await AskProvidersAsync(peer, request, cancellationToken))
                {
                    lock (providers)
                    {
                        providers.TryAdd(provider.Key, provider);
                    }
                }
            }
            finally
            {
                slots.Release();
            }
        }));
        return [.. providers.Values];
    }

    private async Task<IReadOnlyList<KadPeer>> AskProvidersAsync(CrawledPeer peer, Message request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PeerTimeout);
        try
        {
            Connection connection = await _host.DialAsync(peer.DialedAddress!.WithPeerIdMultihash(peer.Peer.Bytes.Span), timeout.Token);
            Message response = await AskAsync(connection, request, timeout.Token);
            return KadCodec.ReadPeers(response.ProviderPeers, IsUsable);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsPeerFailure(ex))
        {
            Log.ProvidersFailed(_logger, peer.Peer.ToString(), Reason(ex));
            return [];
        }
        finally
        {
            await _host.DisconnectAsync(peer.Peer);
        }
    }

    /// <summary>
    /// One visit, bounded by <see cref="KadCrawlOptions.PeerTimeout"/>. Null when the crawl's
    /// deadline cut it off (the peer is counted as not visited, not as unreachable).
    /// </summary>
    private async Task<CrawledPeer?> VisitAsync(KadPeer target, CrawlFrontier frontier, bool isSeed, Func<CrawledPeer, CancellationToken, Task>? visit, CancellationToken crawl)
    {
        PeerId id = PeerId.FromBytes(target.Id.Span);
        using var peerTimeout = CancellationTokenSource.CreateLinkedTokenSource(crawl);
        peerTimeout.CancelAfter(_options.PeerTimeout);
        CancellationToken cancellationToken = peerTimeout.Token;
        // Bootstrap addresses are the operator's word; DHT-named ones passed IsUsable already.
        IReadOnlyList<Multiaddr> addresses = isSeed ? target.Addresses : target.Addresses.Where(IsUsable).ToArray();
        Multiaddr? dialed = null;
        IdentifyResult? identity = null;
        int requests = 0;
        int named = 0;
        string? error = null;
        try
        {
            (Connection? connection, dialed, error) = await DialAsync(id, addresses, cancellationToken);
            if (connection is not null)
            {
                identity = _identify.GetLatest(id) ?? await _identify.IdentifyAsync(connection, cancellationToken);
                if (identity.Protocols.Contains(_options.ProtocolId, StringComparer.Ordinal))
                {
                    (requests, named) = await EmptyTableAsync(connection, target, frontier, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (IsPeerFailure(ex) || ex is OperationCanceledException)
        {
            if (crawl.IsCancellationRequested)
            {
                return null;
            }
            error = ex is OperationCanceledException ? $"no answer within {_options.PeerTimeout.TotalSeconds:0.#} s" : Reason(ex);
        }
        var peer = new CrawledPeer(
            id,
            [.. addresses.Concat(identity?.ListenAddresses.Take(KadCodec.MaxAddressesPerPeer) ?? []).Select(static a => a.WithoutPeerId()).Distinct()],
            dialed,
            error,
            identity?.AgentVersion,
            identity?.ProtocolVersion,
            identity?.Protocols.Take(PeerStore.MaxProtocolsPerPeer).ToArray() ?? [],
            identity?.Protocols.Contains(_options.ProtocolId, StringComparer.Ordinal) == true,
            requests,
            named);
        try
        {
            if (dialed is not null && visit is not null && error is null)
            {
                await visit(peer, cancellationToken);
            }
        }
        catch (Exception ex) when (IsPeerFailure(ex) || ex is OperationCanceledException)
        {
            if (crawl.IsCancellationRequested)
            {
                return null;
            }
            peer = peer with { Error = ex is OperationCanceledException ? $"no answer within {_options.PeerTimeout.TotalSeconds:0.#} s" : Reason(ex) };
        }
        finally
        {
            await _host.DisconnectAsync(id);
        }
        if (!peer.Reachable)
        {
            Log.Unreachable(_logger, id.ToString(), peer.Error ?? "no address");
        }
        return peer;
    }

    /// <summary>Dials the addresses in turn; the first that connects wins. Unreachable: why, per address.</summary>
    private async Task<(Connection? Connection, Multiaddr? Address, string? Error)> DialAsync(PeerId id, IReadOnlyList<Multiaddr> addresses, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        foreach (Multiaddr address in addresses)
        {
            if (!_host.CanDial(address))
            {
                errors.Add($"{address}: no transport");
                continue;
            }
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_options.DialTimeout);
            try
            {
                return (await _host.DialAsync(address.WithPeerIdMultihash(id.Bytes.Span), attempt.Token), address, null);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (IsPeerFailure(ex) || ex is OperationCanceledException))
            {
                // A dial error names the address already; a timeout does not.
                errors.Add(ex is OperationCanceledException ? $"{address}: dial timed out" : Reason(ex));
            }
        }
        return (null, null, errors.Count == 0 ? "no address" : string.Join("; ", errors));
    }

    /// <summary>
    /// FIND_NODE for the peer's own id, then for a random key in each of its buckets from the
    /// shallowest. Bucket d's answer ranks the peer's members of bucket d first, then every
    /// deeper one (XOR geometry), so an answer naming no peer at depth ≥ d means the deeper
    /// buckets are empty; an answer of fewer than k peers means the whole table was sent.
    /// Either ends the questions.
    /// </summary>
    private async Task<(int Requests, int Named)> EmptyTableAsync(Connection connection, KadPeer target, CrawlFrontier frontier, CancellationToken cancellationToken)
    {
        var named = new HashSet<KadKey>();
        int requests = 0;
        int fresh = 0;
        for (int depth = -1; depth < _options.MaxBucketDepth; depth++)
        {
            byte[] key = depth < 0 ? target.Id.ToArray() : KadRoutingTable.RandomKeyAt(target.Key, depth);
            Message response = await AskAsync(connection, KadRpc.Request(MessageType.FindNode, key), cancellationToken);
            requests++;
            List<KadPeer> peers = KadCodec.ReadPeers(response.CloserPeers, IsUsable);
            bool deeper = false;
            foreach (KadPeer peer in peers)
            {
                if (peer.Key == _localKey || peer.Key == target.Key)
                {
                    continue;
                }
                named.Add(peer.Key);
                fresh += frontier.Offer(peer) ? 1 : 0;
                deeper |= depth >= 0 && target.Key.CommonPrefixLength(peer.Key) >= depth;
            }
            if (peers.Count < K || (depth >= 0 && !deeper))
            {
                break;
            }
        }
        Log.Visited(_logger, target.ToString(), requests, named.Count, fresh);
        return (requests, named.Count);
    }

    private async Task<Message> AskAsync(Connection connection, Message request, CancellationToken cancellationToken)
    {
        Libp2pStream stream = await connection.NewStreamAsync([_options.ProtocolId], cancellationToken);
        return (await KadRpc.ExchangeAsync(stream, request, expectResponse: true, KadCodec.MaxMessageSize, cancellationToken))!;
    }

    private bool IsUsable(Multiaddr address) => KadAddresses.IsUsable(address, _options.AllowPrivateAddresses);

    /// <summary>What a hostile or broken peer can cause: network errors, protocol violations, bad keys, a refused stream.</summary>
    private static bool IsPeerFailure(Exception ex) =>
        ex is IOException or TimeoutException or ProtocolViolationException or System.Security.Cryptography.CryptographicException
            or FormatException or InvalidOperationException or Google.Protobuf.InvalidProtocolBufferException;

    private static string Reason(Exception ex) => ex is PeerUnreachableException { Attempts.Count: > 0 } u ? u.Attempts[0].Message : ex.Message;
}
