using System.Globalization;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad;
using Nnrp.Node;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Doors;

namespace Nnrp.Http.Status;

/// <summary>Reads a <see cref="StatusBody"/> off the running node (the JSON status and the page at <c>/</c> show the same).</summary>
internal static class NodeStatus
{
    public static StatusBody Read(HttpApiContext api)
    {
        NnrpNode node = api.Node;
        StatusResponse status = node.Status();
        IReadOnlyList<Multiaddr> advertised = api.Host.GetAdvertisedAddresses();
        SyncMetrics sync = node.Sync.Metrics;
        return new StatusBody(
            api.Host.PeerId.ToString(),
            [.. advertised.Select(a => a.WithPeerIdMultihash(api.Host.PeerId.Bytes.Span).ToString())],
            [.. advertised.Where(BrowserDoors.IsBrowserDoor).Select(a => a.ToString())],
            status.Agent,
            status.ProtocolVersion,
            Hex16(status.BaseThreshold),
            Hex16(status.CurrentThreshold),
            status.Stored,
            node.Store.Statistics.Bytes,
            status.Now,
            status.MaxPayload,
            status.MinTtl,
            status.MaxTtl,
            status.MaxPage,
            api.Host.Connections.Count,
            api.Host.PeerStore.Count,
            [.. status.Shards.Select(s => new ShardBody(s.Bits, s.Index))],
            new DhtBody(node.IsDhtBootstrapped, node.Kad.RoutingTable.Count) { Mode = node.Kad.Mode == KadMode.Server ? "server" : "client" },
            new SyncBody(sync.Sessions, sync.SessionsFailed, sync.ItemsPulled, sync.ItemsOffered, sync.Offering))
        {
            Reachability = node.Reachability.ToString().ToLowerInvariant(),
        };
    }

    public static string Hex16(ulong value) => value.ToString("x16", CultureInfo.InvariantCulture);
}
