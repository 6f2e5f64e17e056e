using Nnrp.Simulation.Gossip;

namespace Nnrp.Simulation.Tests;

/// <summary>The sweep's gossip model (GossipNetwork) against the production GossipRouter state machine on the same network and publishes.</summary>
public sealed class GossipModelTests
{
    [Fact]
    public void The_gossip_model_counts_the_bytes_the_real_router_sends_within_a_tenth()
    {
        GossipComparison c = GossipCalibration.Run(nodes: 40, messages: 100, seed: 3);

        double ratio = c.ModelBytesPerNodePerMessage / c.RealBytesPerNodePerMessage;
        Assert.InRange(ratio, 0.9, 1.1);
        Assert.Equal(1.0, c.RealDelivered, 3);
        Assert.Equal(1.0, c.ModelDelivered, 3);
    }
}
