using Nnrp.Libp2p.Kad;
using Nnrp.Node;

namespace Nnrp.Cli.Tests;

/// <summary>NNRP.md §14.5: how <c>--dht-mode</c> and <c>--autonat-server-rpm</c> reach the node's options.</summary>
public sealed class AutoNatSettingsTests
{
    [Theory]
    [InlineData("auto", KadMode.Server, true)]
    [InlineData("server", KadMode.Server, false)]
    [InlineData("client", KadMode.Client, false)]
    public async Task Dht_mode_maps_to_a_fixed_mode_or_to_following_reachability(string setting, KadMode mode, bool follows)
    {
        NnrpNodeOptions options = await MapAsync(new NodeSettings { DhtMode = Enum.Parse<DhtModeSetting>(setting, ignoreCase: true) });

        Assert.Equal(mode, options.Dht.Mode);
        Assert.Equal(follows, options.Dht.FollowReachability);
    }

    [Fact]
    public async Task The_autonat_rate_limits_the_server_and_zero_turns_it_off()
    {
        NnrpNodeOptions serving = await MapAsync(new NodeSettings { AutoNatServerRpm = 30 });
        NnrpNodeOptions silent = await MapAsync(new NodeSettings { AutoNatServerRpm = 0 });

        Assert.True(serving.AutoNat.Serve);
        Assert.Equal(30, serving.AutoNat.Server.RequestsPerMinute);
        Assert.False(silent.AutoNat.Serve);
    }

    private static Task<NnrpNodeOptions> MapAsync(NodeSettings settings) =>
        NodeOptionsMapping.ToNodeOptionsAsync(settings with { BootstrapFile = Path.Combine(Path.GetTempPath(), "nnrp-no-such-bootstrap-file.txt") }, null, CancellationToken.None);
}
