using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nnrp.Core;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Crawl;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Shards;
using CoreShards = Nnrp.Core.Keys.Shards;

namespace Nnrp.Node.Crawl;

/// <summary>
/// Maps an NNRP network (issue 15 item 3): the Kad walk of <see cref="KadCrawler"/> from a
/// host of its own (fresh identity, no listen address, no Kad handler: a client), a
/// <c>/nnrp/1.0</c> status request (NNRP.md §11.7) to every peer that lists the protocol,
/// then the DHT providers of every shard a status named, each checked against the replication
/// rule (§11.8.6). A provider record is a claim and outlives a move (§8.5: a node that went
/// deeper leaves its old record until it expires), so a provider counts as a holder only if
/// its status lists a shard containing the one checked (§8.4 "Verification"). Nothing is
/// stored; the host is gone when it returns.
/// </summary>
public static class NetworkCrawler
{
    public static async Task<NetworkMap> CrawlAsync(NetworkCrawlOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [] }, loggerFactory);
        await host.StartAsync(cancellationToken);
        var identify = new IdentifyService(host, loggerFactory);
        identify.Start();
        var crawler = new KadCrawler(host, identify, options.Kad, loggerFactory);
        var client = new NnrpClient(host, options.Kad.PeerTimeout);
        var statuses = new ConcurrentDictionary<PeerId, (StatusResponse? Status, string? Error)>();
        KadCrawlResult crawl = await crawler.CrawlAsync(options.BootstrapPeers, async (peer, ct) =>
        {
            if (!peer.Protocols.Contains(NnrpProtocol.Id, StringComparer.Ordinal))
            {
                return;
            }
            try
            {
                statuses[peer.Peer] = (await client.StatusAsync(peer.Peer, ct), null);
            }
            catch (Exception ex) when (ex is IOException or NnrpException or ProtocolViolationException or Google.Protobuf.InvalidProtocolBufferException)
            {
                statuses[peer.Peer] = (null, ex.Message);
            }
        }, cancellationToken);

        NodeReport[] nodes = [.. crawl.Peers.Select(p =>
        {
            (StatusResponse? status, string? error) = statuses.GetValueOrDefault(p.Peer);
            return new NodeReport(p, TransportNames.Of(p.Addresses), status, error);
        })];
        Dictionary<PeerId, StatusResponse> answered = nodes
            .Where(static n => n.Status is not null && n.Peer.Reachable)
            .ToDictionary(static n => n.Peer.Peer, static n => n.Status!);
        var shards = new List<ShardReport>();
        foreach ((int bits, uint index) in ShardsSeen(nodes))
        {
            IReadOnlyList<KadPeer> providers = await crawler.GetProvidersAsync(ShardKeys.WireKey(bits, index), crawl.Peers, cancellationToken);
            PeerId[] ids = [.. providers.Select(static p => PeerId.FromBytes(p.Id.Span))];
            int verified = ids.Count(id => answered.TryGetValue(id, out StatusResponse? status) && Holds(status, bits, index));
            shards.Add(new ShardReport(bits, index, ShardKeys.CidString(bits, index), ids, verified, verified < options.MinProviders));
        }
        return new NetworkMap(crawl, nodes, shards, options.MinProviders);
    }

    /// <summary>§8.1: some shard of <paramref name="status"/> contains (<paramref name="bits"/>, <paramref name="index"/>).</summary>
    private static bool Holds(StatusResponse status, int bits, uint index) =>
        status.Shards.Any(s => s.Bits <= (uint)bits && (bits - (int)s.Bits >= 32 ? 0 : index >> (bits - (int)s.Bits)) == s.Index);

    /// <summary>
    /// The valid shards statuses named, by depth then index, at most
    /// <see cref="NetworkCrawlOptions.MaxShards"/>; (0, 0) when none did (a network of nothing
    /// but silent nodes still shows where its full nodes would be). A shard no status names —
    /// the stale record of a shard every node has left — is not a shard of the network.
    /// </summary>
    private static IEnumerable<(int Bits, uint Index)> ShardsSeen(IEnumerable<NodeReport> nodes)
    {
        var seen = new SortedSet<(int Bits, uint Index)>();
        foreach (Shard shard in nodes.SelectMany(static n => n.Status?.Shards ?? []))
        {
            if (seen.Count >= NetworkCrawlOptions.MaxShards)
            {
                break;
            }
            if (shard.Bits <= CoreShards.MaxBits && (shard.Bits == CoreShards.MaxBits || shard.Index < 1u << (int)shard.Bits))
            {
                seen.Add(((int)shard.Bits, shard.Index));
            }
        }
        if (seen.Count == 0)
        {
            seen.Add((0, 0));
        }
        return seen;
    }
}
