using Microsoft.Extensions.Logging;
using Nnrp.Core.Keys;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad;
using Nnrp.Protocol.Doors;

namespace Nnrp.Client.Network;

/// <summary>
/// NNRP.md §8.4 "Finding holders": nodes the caller named are used as given (nothing else is
/// asked). Otherwise the recipient's relay hints and the bootstrap peers are asked for their
/// status; then, with a DHT, <see cref="HolderSearch"/> walks the tag's shard keys from deep to
/// shallow until hints and providers make enough verified holders. Candidates are distinct by
/// node key; one <see cref="NodeDiscovery"/> per client keeps its <see cref="DepthEvidence"/>.
/// </summary>
internal sealed class NodeDiscovery(IReadOnlyList<NodeAddress> named, IReadOnlyList<NodeAddress> bootstrap, KadService? kad, INodeTransport transport, ILogger logger, TimeProvider? time = null)
{
    /// <summary>Verified holders sought beyond the number wanted, so that a refusing or failing holder can be replaced.</summary>
    public const int Spare = 2;

    private readonly StatusProbe _probe = new(transport, logger);

    /// <summary>What this client has seen of the network's shard depths.</summary>
    public DepthEvidence Evidence { get; } = new();

    /// <summary>Holders earlier walks verified, reused for the tags their statuses cover.</summary>
    public HolderCache Cache { get; } = new(time ?? TimeProvider.System);

    /// <summary>A node that failed a publish or fetch is not offered from the cache again.</summary>
    public void Forget(NodeAddress node) => Cache.Forget(node.Key);

    public async Task<HolderSearchResult> FindAsync(RecipientTag tag, IReadOnlyList<string> hints, int wanted, CancellationToken cancellationToken)
    {
        if (named.Count > 0)
        {
            return new HolderSearchResult([.. named.DistinctBy(n => n.Key).Select(n => new Holder(n, HolderSource.Named, null, Verified: false))], null, [], false);
        }
        NodeAddress[] hinted = ParseHints(hints).DistinctBy(n => n.Key).ToArray();
        NodeAddress[] configured = bootstrap.Where(b => hinted.All(h => h.Key != b.Key)).DistinctBy(n => n.Key).ToArray();
        var statuses = new Dictionary<string, StatusResponse?>();
        foreach ((NodeAddress node, StatusResponse? status) in await _probe.ProbeAsync([.. hinted, .. configured], cancellationToken))
        {
            statuses[node.Key] = status;
            if (status is not null)
            {
                Evidence.Observe(status);
            }
        }
        bool Covers(NodeAddress node) => statuses.GetValueOrDefault(node.Key) is { } status && ShardCoverage.Covers(status.Shards, tag);
        bool Silent(NodeAddress node) => statuses.GetValueOrDefault(node.Key) is null;

        var holders = hinted.Where(Covers).Select(n => new Holder(n, HolderSource.RelayHint, null, Verified: true)).ToList();
        int enough = wanted + Spare;
        int? start = null;
        IReadOnlyList<int> depths = [];
        bool timedOut = false;
        if (kad is not null && holders.Count < enough)
        {
            var exclude = hinted.Select(h => h.Key).ToHashSet();
            var providers = new List<Holder>();
            foreach ((Holder cached, StatusResponse status) in Cache.Covering(tag))
            {
                if (exclude.Add(cached.Node.Key))
                {
                    providers.Add(cached);
                    statuses.TryAdd(cached.Node.Key, status);
                }
            }
            if (holders.Count + providers.Count < enough)
            {
                var search = new HolderSearch(kad, _probe, Evidence, logger);
                await search.SampleAsync(statuses, cancellationToken);
                (List<Holder> found, start, depths, timedOut) = await search.WalkAsync(tag, holders.Count + providers.Count, enough, statuses, exclude, cancellationToken);
                foreach (Holder holder in found)
                {
                    if (statuses.GetValueOrDefault(holder.Node.Key) is { } status)
                    {
                        Cache.Add(holder, status);
                    }
                }
                providers.AddRange(found);
            }
            // Remembered and newly found providers together, deepest shard first (a stable sort).
            holders.AddRange(providers.OrderByDescending(static h => h.Depth ?? -1));
        }
        holders.AddRange(configured.Where(b => Covers(b) && holders.All(h => h.Node.Key != b.Key)).Select(b => new Holder(b, HolderSource.Bootstrap, null, Verified: true)));
        // A hint or bootstrap peer that did not answer in time may still be up (slow, relayed):
        // tried last. One that answered without covering the tag is not asked (§8.4).
        holders.AddRange(hinted.Where(Silent).Select(n => new Holder(n, HolderSource.RelayHint, null, Verified: false)));
        holders.AddRange(configured.Where(b => Silent(b) && holders.All(h => h.Node.Key != b.Key)).Select(b => new Holder(b, HolderSource.Bootstrap, null, Verified: false)));
        var result = new HolderSearchResult(holders, start, depths, timedOut);
        Log.HoldersFound(logger, result.VerifiedCount, holders.Count, start ?? -1, depths.Count);
        return result;
    }

    private IEnumerable<NodeAddress> ParseHints(IReadOnlyList<string> hints)
    {
        foreach (string hint in hints)
        {
            NodeAddress? node = null;
            try
            {
                node = NodeAddress.Parse(hint);
            }
            catch (FormatException e)
            {
                Log.BadHint(logger, hint, e.Message);
            }
            if (node is not null)
            {
                yield return node;
            }
        }
    }

    /// <summary>
    /// A provider's first libp2p address (this client's own transport, with the peer id the
    /// Noise handshake proves), else its HTTP(S) API (NNRP.md §12 "Browser doors").
    /// </summary>
    internal static NodeAddress? ToNode(KadPeer provider)
    {
        foreach (Multiaddr address in provider.Addresses.OrderBy(static a => BrowserDoors.KindOf(a) is DoorKind.Http or DoorKind.Https))
        {
            try
            {
                return NodeAddress.From(address.PeerIdMultihash is null ? address.WithPeerIdMultihash(provider.Id.Span) : address);
            }
            catch (FormatException)
            {
            }
        }
        return null;
    }
}
