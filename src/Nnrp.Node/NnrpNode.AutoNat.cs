using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Node;

public sealed partial class NnrpNode
{
    private AutoNatServer? _autoNatServer;

    /// <summary>NNRP.md §14.5: what AutoNAT found out about this node's addresses.</summary>
    public AutoNatClient AutoNat { get; private set; } = null!;

    /// <summary>Whether other nodes can dial this one (NNRP.md §14.5); Unknown until enough servers answered.</summary>
    public Reachability Reachability => AutoNat?.Reachability ?? Reachability.Unknown;

    /// <summary>§11.7: <see cref="Reachability"/> as <c>StatusResponse.reachability</c>.</summary>
    private Nnrp.Core.Protocol.NodeReachability WireReachability => Reachability switch
    {
        Reachability.Public => Nnrp.Core.Protocol.NodeReachability.Public,
        Reachability.Private => Nnrp.Core.Protocol.NodeReachability.Private,
        _ => Nnrp.Core.Protocol.NodeReachability.Unknown,
    };

    /// <summary>The AutoNAT server (if <see cref="NodeAutoNatOptions.Serve"/>) and client; before the host listens.</summary>
    private void StartAutoNat()
    {
        NodeAutoNatOptions o = _options.AutoNat;
        bool allowPrivate = _options.PrivateNetwork;
        if (o.Serve)
        {
            _autoNatServer = new AutoNatServer(Host, o.Server with { AllowPrivateAddresses = o.Server.AllowPrivateAddresses || allowPrivate }, _loggers, _time);
            _autoNatServer.Start();
        }
        AutoNat = new AutoNatClient(Host, Identify, o.Client with { AllowPrivateAddresses = o.Client.AllowPrivateAddresses || allowPrivate }, _loggers, _time);
        AutoNat.Start();
    }

    /// <summary>§14.5: the Kad mode at start — <see cref="NodeDhtOptions.Mode"/>, or, when it follows reachability off a private network, server only if already Public.</summary>
    private KadMode InitialKadMode() =>
        FollowsReachability ? ModeFor(Reachability) : _options.Dht.Mode;

    /// <summary>§14.5: from now on the DHT switches mode with each reachability change.</summary>
    private void FollowReachability()
    {
        if (!FollowsReachability)
        {
            return;
        }
        AutoNat.ReachabilityChanged += (_, e) => _kad?.SetMode(ModeFor(e.Reachability));
        // A change between the Kad start and the subscription is not lost.
        _kad?.SetMode(ModeFor(Reachability));
    }

    private bool FollowsReachability => _options.Dht.FollowReachability && !_options.PrivateNetwork;

    private static KadMode ModeFor(Reachability reachability) =>
        reachability == Reachability.Public ? KadMode.Server : KadMode.Client;

    private async ValueTask StopAutoNatAsync()
    {
        _autoNatServer?.Stop();
        if (AutoNat is not null)
        {
            await AutoNat.DisposeAsync();
        }
    }
}
