using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad.Protobuf;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Kad.Query;
using MessageType = Nnrp.Libp2p.Kad.Protobuf.Message.Types.MessageType;

namespace Nnrp.Libp2p.Kad;

public sealed partial class KadService
{
    /// <summary>The k peers closest to <paramref name="key"/> that answered an iterative FIND_NODE walk.</summary>
    public Task<IReadOnlyList<KadPeer>> GetClosestPeersAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken) =>
        LookupClosestAsync(key, MessageType.FindNode, [], null, cancellationToken);

    /// <summary>
    /// Finds <paramref name="peer"/>'s addresses: from the routing table if it is there,
    /// else by a FIND_NODE walk that stops as soon as some peer names it. Null if not found.
    /// </summary>
    public async Task<KadPeer?> FindPeerAsync(PeerId peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        KadKey target = KadKey.Hash(peer.Bytes.Span);
        if (RoutingTable.Find(target) is { Addresses.Count: > 0 } known)
        {
            return known;
        }
        KadPeer? found = null;
        await LookupClosestAsync(peer.Bytes, MessageType.FindNode, [], (_, response) =>
        {
            foreach (Message.Types.Peer entry in response.CloserPeers)
            {
                if (entry.Id.Span.SequenceEqual(peer.Bytes.Span))
                {
                    found = KadCodec.ReadPeer(entry, IsUsable, out int _);
                    return found.Addresses.Count > 0;
                }
            }
            return false;
        }, cancellationToken);
        return found;
    }

    /// <summary>
    /// Streams providers of <paramref name="key"/> (for a CID: its multihash, see
    /// <c>ShardKeys.WireKeyOfCid</c> in Nnrp.Protocol) as they are found — our own store first, then a
    /// GET_PROVIDERS walk — and stops after <paramref name="count"/> distinct providers or when
    /// the walk ends. Each provider's addresses are added to the host's peer store.
    /// </summary>
    public async IAsyncEnumerable<KadPeer> FindProvidersAsync(
        ReadOnlyMemory<byte> key, int count, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var seen = new HashSet<KadKey>();
        foreach (ProviderRecord record in _ranking.Order(_providers.Get(key.Span, _time.GetUtcNow(), _providers.MaxProvidersPerKey), count))
        {
            seen.Add(record.Provider.Key);
            yield return record.Provider;
        }
        if (seen.Count >= count)
        {
            yield break;
        }
        var found = Channel.CreateUnbounded<KadPeer>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var walk = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int wanted = count - seen.Count;
        Task lookup = Task.Run(async () =>
        {
            try
            {
                await LookupClosestAsync(key, MessageType.GetProviders, [], (_, response) =>
                {
                    foreach (Message.Types.Peer entry in response.ProviderPeers)
                    {
                        KadPeer provider;
                        try
                        {
                            provider = KadCodec.ReadPeer(entry, IsUsable, out int _);
                        }
                        catch (KadProtocolException)
                        {
                            continue;
                        }
                        if (wanted > 0 && seen.Add(provider.Key))
                        {
                            if (provider.Addresses.Count > 0)
                            {
                                _host.PeerStore.AddAddresses(ToPeerId(provider), provider.Addresses);
                            }
                            found.Writer.TryWrite(provider);
                            wanted--;
                        }
                    }
                    return wanted <= 0;
                }, walk.Token);
                found.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                found.Writer.TryComplete(ex is OperationCanceledException && walk.IsCancellationRequested && !cancellationToken.IsCancellationRequested ? null : ex);
            }
        }, CancellationToken.None);
        try
        {
            // The walk writes at most `wanted` providers and completes the channel when it ends.
            await foreach (KadPeer provider in found.Reader.ReadAllAsync(cancellationToken))
            {
                yield return provider;
            }
        }
        finally
        {
            await walk.CancelAsync();
            await lookup;
        }
    }

    /// <summary>
    /// Announces that this node provides <paramref name="key"/>: records it locally, finds the
    /// k closest peers and sends each ADD_PROVIDER with our id and addresses (kad-dht/README.md
    /// "Content routing"). The key is republished every <see cref="KadOptions.RepublishInterval"/>
    /// until <see cref="StopProviding"/>. Returns how many peers took the announcement.
    /// </summary>
    public async Task<int> ProvideAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        if (key.IsEmpty || key.Length > KadCodec.MaxKeyLength)
        {
            throw new ArgumentException($"a provider key is 1..{KadCodec.MaxKeyLength} bytes", nameof(key));
        }
        byte[] copy = key.ToArray();
        _provided[Convert.ToBase64String(copy)] = copy;
        KadPeer self = Self();
        DateTimeOffset now = _time.GetUtcNow();
        _providers.Add(copy, self, now + _options.ProviderTtl, now, new ProviderAdmission(null, _ranking.IsVerified));
        IReadOnlyList<KadPeer> closest = await GetClosestPeersAsync(copy, cancellationToken);
        var request = new Message { Type = MessageType.AddProvider, Key = ByteString.CopyFrom(copy) };
        request.ProviderPeers.Add(KadCodec.ToWire(self));
        bool[] sent = await Task.WhenAll(closest.Select(async peer =>
        {
            try
            {
                await _rpc.SendAsync(peer, request, expectResponse: false, cancellationToken);
                return true;
            }
            catch (KadRequestException)
            {
                return false;
            }
        }));
        return sent.Count(static ok => ok);
    }

    /// <summary>Stops republishing <paramref name="key"/>; records already out expire on their own.</summary>
    public bool StopProviding(ReadOnlySpan<byte> key) => _provided.TryRemove(Convert.ToBase64String(key), out _);

    /// <summary>Sends a Kad PING to <paramref name="peer"/> (known to the peer store) and waits for the echo.</summary>
    public async Task PingAsync(PeerId peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        await _rpc.SendAsync(new KadPeer(peer.Bytes.Span, []), new Message { Type = MessageType.Ping }, expectResponse: true, cancellationToken);
    }

    /// <summary>
    /// The one iterative walk behind every query: seeded with the k closest table entries
    /// (plus <paramref name="extraSeeds"/>), α requests in flight, k closest answers, bounded
    /// by <see cref="LookupOptions.MaxQueries"/> and <see cref="LookupOptions.LookupTimeout"/>.
    /// </summary>
    internal async Task<IReadOnlyList<KadPeer>> LookupClosestAsync(
        ReadOnlyMemory<byte> key,
        MessageType type,
        IReadOnlyList<KadPeer> extraSeeds,
        LookupDriver.OnResponse? onResponse,
        CancellationToken cancellationToken)
    {
        KadKey target = KadKey.Hash(key.Span);
        var seeds = RoutingTable.NearestPeers(target, _options.Lookup.ResultCount).Concat(extraSeeds);
        var lookup = new ClosestPeersLookup(target, seeds, _options.Lookup, RoutingTable.LocalKey);
        Message request = KadRpc.Request(type, key.Span);
        IReadOnlyList<KadPeer> closest = await LookupDriver.RunAsync(
            lookup,
            _options.Lookup,
            (peer, ct) => _rpc.SendAsync(peer, request, expectResponse: true, ct),
            response => KadCodec.ReadPeers(response.CloserPeers, IsUsable),
            onResponse,
            cancellationToken);
        RoutingTable.MarkRefreshed(target);
        Log.LookupFinished(_logger, target.ToString(), lookup.QueriesSent, closest.Count);
        return closest;
    }

    private bool IsUsable(Addressing.Multiaddr address) => KadAddresses.IsUsable(address, _options.AllowPrivateAddresses);
}
