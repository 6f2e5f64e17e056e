using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad.RoutingTable;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// Saves the routing table in the bootstrap-file format (one <c>/…/p2p/&lt;id&gt;</c> line per
/// address) so a restarted node dials its old neighbours instead of the bootstrap peers (issue 3
/// §2). Written to a temporary file and renamed, so a crash never leaves half a table.
/// </summary>
internal static class RoutingTablePersistence
{
    /// <summary>Addresses saved per peer; the first few are the freshest.</summary>
    public const int AddressesPerPeer = 4;

    public static async Task SaveAsync(KadRoutingTable table, string path, CancellationToken cancellationToken)
    {
        var lines = new List<Multiaddr>();
        foreach (KadPeer peer in table.AllPeers())
        {
            foreach (Multiaddr address in peer.Addresses.Take(AddressesPerPeer))
            {
                lines.Add(address.WithPeerIdMultihash(peer.Id.Span));
            }
        }
        string text = BootstrapPeers.Format(lines, $"Kad routing table of this node, saved {DateTimeOffset.UtcNow:O}.\nRead at start as extra bootstrap peers; safe to delete.");
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, text, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a saved table back as seed peers (addresses grouped per peer id).</summary>
    public static async Task<IReadOnlyList<KadPeer>> LoadAsync(string path, CancellationToken cancellationToken) =>
        ToPeers(await BootstrapPeers.LoadAsync(path, cancellationToken));

    /// <summary>Groups <c>/p2p/</c> multiaddrs by peer id into peers with their addresses.</summary>
    public static IReadOnlyList<KadPeer> ToPeers(IEnumerable<Multiaddr> addresses) =>
        addresses
            .Where(static a => a.PeerIdMultihash is not null)
            .GroupBy(static a => Convert.ToBase64String(a.PeerIdMultihash!.Value.Span))
            .Select(static g => new KadPeer(g.First().PeerIdMultihash!.Value.Span, g.Select(static a => a.WithoutPeerId()).Distinct().ToArray()))
            .ToArray();
}
