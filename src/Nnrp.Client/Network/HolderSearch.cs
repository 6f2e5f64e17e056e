using Microsoft.Extensions.Logging;
using Nnrp.Core.Keys;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Kad;
using Nnrp.Protocol.Shards;

namespace Nnrp.Client.Network;

/// <summary>
/// NNRP.md §8.4 "Finding holders": the DHT walk from deep to shallow. For each depth d from
/// <see cref="DepthEvidence.StartDepth"/> down to 0 it looks up the providers of shard
/// (d, top d bits of the tag), asks each new provider for its status and keeps those whose
/// shards cover the tag, until it has enough holders — within <see cref="MaxLookups"/> lookups
/// and <see cref="Timeout"/>.
/// </summary>
internal sealed class HolderSearch(KadService kad, StatusProbe probe, DepthEvidence evidence, ILogger logger)
{
    /// <summary>§8.4: publishes land on at least this many holders (the default of <see cref="Sending.SendOptions.Replicas"/>).</summary>
    public const int MinPublishHolders = 3;

    /// <summary>§8.4: fetches read at least this many holders to the end (the default of <see cref="Mailbox.FetchOptions.MinNodes"/>).</summary>
    public const int MinFetchHolders = 2;

    /// <summary>§8.4 / §14.2: no shard key deeper than 16 bits is provided, so none is looked up.</summary>
    public const int MaxDepth = 16;

    /// <summary>§8.4: depths looked up beyond the deepest one seen, so a network that deepened is followed.</summary>
    public const int DepthHeadroom = 2;

    /// <summary>§8.4: DHT lookups per operation at most; the last one is spent on (0, 0) when the walk would not reach it.</summary>
    public const int MaxLookups = 8;

    /// <summary>§8.4: the whole walk (lookups and status probes) per operation.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>§8.4: routing-table peers asked for their status once per client, as evidence of the depths in use.</summary>
    public const int EvidenceSample = 8;

    /// <summary>The depths a walk from <paramref name="start"/> looks up, deepest first, at most <see cref="MaxLookups"/>.</summary>
    public static IReadOnlyList<int> Depths(int start)
    {
        start = Math.Clamp(start, 0, MaxDepth);
        if (start + 1 <= MaxLookups)
        {
            return [.. Enumerable.Range(0, start + 1).Reverse()];
        }
        // Full nodes hold every tag: the last lookup goes to (0, 0) rather than one more depth.
        return [.. Enumerable.Range(start - MaxLookups + 2, MaxLookups - 1).Reverse(), 0];
    }

    /// <summary>
    /// Asks up to <see cref="EvidenceSample"/> routing-table peers not in <paramref name="statuses"/>
    /// for their status, once per client; the answers go into
    /// <paramref name="statuses"/> and the evidence.
    /// </summary>
    public async Task SampleAsync(Dictionary<string, StatusResponse?> statuses, CancellationToken cancellationToken)
    {
        NodeAddress[] sample = kad.RoutingTable.AllPeers()
            .Select(NodeDiscovery.ToNode).OfType<NodeAddress>()
            .Where(n => !statuses.ContainsKey(n.Key))
            .Take(EvidenceSample).ToArray();
        // An empty table (the DHT not reached yet) does not use up the client's one sample.
        if (sample.Length == 0 || !evidence.TryClaimSample())
        {
            return;
        }
        foreach ((NodeAddress node, StatusResponse? status) in await probe.ProbeAsync(sample, cancellationToken))
        {
            statuses[node.Key] = status;
            if (status is not null)
            {
                evidence.Observe(status);
            }
        }
    }

    /// <summary>
    /// Walks the depths until <paramref name="counted"/> plus the holders found reach
    /// <paramref name="enough"/>. Statuses already known (<paramref name="statuses"/>, by node
    /// key) are reused and new ones added; nodes in <paramref name="exclude"/> are not holders here.
    /// </summary>
    public async Task<(List<Holder> Holders, int Start, List<int> Depths, bool TimedOut)> WalkAsync(
        RecipientTag tag, int counted, int enough, Dictionary<string, StatusResponse?> statuses, ISet<string> exclude, CancellationToken cancellationToken)
    {
        int start = evidence.StartDepth;
        var holders = new List<Holder>();
        var looked = new List<int>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            foreach (int depth in Depths(start))
            {
                if (counted + holders.Count >= enough)
                {
                    break;
                }
                looked.Add(depth);
                List<NodeAddress> providers = (await ProvidersAsync(depth, tag.ShardIndex(depth), deadline.Token))
                    .Where(node => !exclude.Contains(node.Key) && holders.All(h => h.Node.Key != node.Key))
                    .ToList();
                NodeAddress[] unknown = providers.Where(p => !statuses.ContainsKey(p.Key)).ToArray();
                foreach ((NodeAddress node, StatusResponse? status) in await probe.ProbeAsync(unknown, deadline.Token))
                {
                    statuses[node.Key] = status;
                    if (status is not null)
                    {
                        evidence.Observe(status);
                    }
                }
                int before = holders.Count;
                foreach (NodeAddress node in providers)
                {
                    // §8.4: a provider record is a claim; the node's own status must cover the tag.
                    if (statuses.GetValueOrDefault(node.Key) is { } status && ShardCoverage.Covers(status.Shards, tag))
                    {
                        holders.Add(new Holder(node, HolderSource.Dht, depth, Verified: true));
                    }
                }
                Log.DepthLookedUp(logger, depth, providers.Count, holders.Count - before);
            }
            return (holders, start, looked, false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.SearchTimedOut(logger, Timeout.TotalSeconds, looked.Count, holders.Count);
            return (holders, start, looked, true);
        }
    }

    /// <summary>One DHT lookup: the distinct providers of shard (<paramref name="bits"/>, <paramref name="index"/>) with a usable address; none when the DHT fails.</summary>
    private async Task<List<NodeAddress>> ProvidersAsync(int bits, uint index, CancellationToken cancellationToken)
    {
        var providers = new List<NodeAddress>();
        try
        {
            await foreach (KadPeer provider in kad.FindProvidersAsync(ShardKeys.WireKey(bits, index), StatusProbe.MaxProbed, cancellationToken))
            {
                if (NodeDiscovery.ToNode(provider) is { } node && providers.All(p => p.Key != node.Key))
                {
                    providers.Add(node);
                }
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            // What arrived before the failure still counts; the next depth is another key and other peers.
            Log.DhtFailed(logger, e.Message);
        }
        return providers;
    }
}
