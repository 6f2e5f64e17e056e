using Microsoft.Extensions.Logging;
using Nnrp.Core.Keys;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad;
using Nnrp.Protocol.Doors;
using Nnrp.Protocol.Shards;

namespace Nnrp.Client.Network;

/// <summary>
/// Finds nodes to talk to, in this order: nodes the caller named (then nothing else is
/// asked), the relay hints of the recipient's URI, the configured bootstrap peers, and the
/// DHT providers of the shard keys (NNRP.md §8: (0, 0) for nodes that store everything, then
/// the tag's 8-bit shard), those that answer a status request first (§14.2). Candidates are
/// distinct by peer id.
/// </summary>
internal sealed class NodeDiscovery(IReadOnlyList<NodeAddress> named, IReadOnlyList<NodeAddress> bootstrap, KadService? kad, INodeTransport transport, ILogger logger)
{
    /// <summary>Candidates beyond the number wanted, so that dead nodes can be replaced.</summary>
    public const int Spare = 3;

    /// <summary>Shard width whose provider key is looked up after (0, 0).</summary>
    public const int ShardBits = 8;

    public async Task<IReadOnlyList<NodeAddress>> FindAsync(RecipientTag tag, IReadOnlyList<string> hints, int wanted, CancellationToken cancellationToken)
    {
        if (named.Count > 0)
        {
            return named;
        }
        var found = new List<NodeAddress>();
        foreach (string hint in hints)
        {
            try
            {
                found.Add(NodeAddress.Parse(hint));
            }
            catch (FormatException e)
            {
                Log.BadHint(logger, hint, e.Message);
            }
        }
        found.AddRange(bootstrap);
        found = found.DistinctBy(n => n.Key).ToList();
        Log.Candidates(logger, found.Count, "relay hints and bootstrap peers");
        if (kad is null || found.Count >= wanted + Spare)
        {
            return found;
        }
        var providers = new List<NodeAddress>();
        try
        {
            foreach (byte[] key in (byte[][])[ShardKeys.WireKey(0, 0), ShardKeys.WireKey(ShardBits, tag.ShardIndex(ShardBits))])
            {
                // More than wanted: records are claims, and the status probe below sorts them.
                await foreach (KadPeer provider in kad.FindProvidersAsync(key, Math.Max(wanted + Spare, AnsweringNodesFirst.MaxProbed), cancellationToken))
                {
                    if (ToNode(provider) is { } node && found.All(f => f.Key != node.Key) && providers.All(p => p.Key != node.Key))
                    {
                        providers.Add(node);
                    }
                }
                if (found.Count + providers.Count >= wanted + Spare)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.DhtFailed(logger, e.Message);
        }
        found.AddRange(await new AnsweringNodesFirst(transport, logger).OrderAsync(providers, cancellationToken));
        Log.Candidates(logger, found.Count, "with DHT providers");
        return found;
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
