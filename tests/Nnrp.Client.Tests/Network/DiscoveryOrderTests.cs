using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Client.Network;
using Nnrp.Client.Tests.Testing;

namespace Nnrp.Client.Tests.Network;

/// <summary>
/// NNRP.md §14.2 on the wallet's side (issue 12 attack 6): DHT providers that answer a status
/// request are tried before those that do not, whatever order the DHT gave them in.
/// </summary>
public sealed class DiscoveryOrderTests
{
    [Fact]
    public async Task Providers_that_answer_status_come_before_squatters()
    {
        using var nodes = new FakeNodes();
        FakeNode[] squatters = [nodes.Add(), nodes.Add(), nodes.Add()];
        FakeNode[] real = [nodes.Add(), nodes.Add()];
        foreach (FakeNode s in squatters)
        {
            s.Down = true;
        }
        // The DHT handed the squatters out first, interleaved with the real nodes.
        NodeAddress[] fromDht = [squatters[0].Address, squatters[1].Address, real[0].Address, squatters[2].Address, real[1].Address];

        IReadOnlyList<NodeAddress> ordered = await new AnsweringNodesFirst(nodes, NullLogger.Instance).OrderAsync(fromDht, CancellationToken.None);

        Assert.Equal([real[0].Address, real[1].Address, squatters[0].Address, squatters[1].Address, squatters[2].Address], ordered);
    }

    [Fact]
    public async Task Providers_beyond_the_probe_limit_keep_their_place_at_the_end()
    {
        using var nodes = new FakeNodes();
        FakeNode[] all = Enumerable.Range(0, AnsweringNodesFirst.MaxProbed + 2).Select(_ => nodes.Add()).ToArray();
        all[0].Down = true;
        NodeAddress[] fromDht = all.Select(n => n.Address).ToArray();

        IReadOnlyList<NodeAddress> ordered = await new AnsweringNodesFirst(nodes, NullLogger.Instance).OrderAsync(fromDht, CancellationToken.None);

        Assert.Equal(fromDht.Length, ordered.Count);
        Assert.Equal(all[0].Address, ordered[AnsweringNodesFirst.MaxProbed - 1]);
        Assert.Equal(fromDht[^2..], ordered.Skip(AnsweringNodesFirst.MaxProbed));
    }
}
