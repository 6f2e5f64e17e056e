using Nnrp.Libp2p.Dcutr;

namespace Nnrp.Node;

/// <summary>NNRP.md §14.6: DCUtR turns relayed connections into direct ones, so sync and gossip can run.</summary>
public sealed partial class NnrpNode
{
    /// <summary>The hole punching service; null when <see cref="NnrpNodeOptions.HolePunch"/> turned it off.</summary>
    public DcutrService? HolePunching { get; private set; }

    /// <summary>Before the host starts: serve <c>/libp2p/dcutr</c> and upgrade every inbound relayed connection.</summary>
    private void AttachHolePunching()
    {
        if (_options.HolePunch is not { } options)
        {
            return;
        }
        HolePunching = new DcutrService(Host, options with { AllowPrivateAddresses = options.AllowPrivateAddresses || _options.PrivateNetwork }, Identify, _loggers, _time);
        HolePunching.Start();
    }

    private async ValueTask StopHolePunchingAsync()
    {
        if (HolePunching is not null)
        {
            await HolePunching.DisposeAsync();
        }
    }
}
