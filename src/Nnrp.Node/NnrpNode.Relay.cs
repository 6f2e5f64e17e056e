using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.Relay;

namespace Nnrp.Node;

/// <summary>NNRP.md §14.4: the node's circuit relay parts, started with the host and following reachability.</summary>
public sealed partial class NnrpNode
{
    /// <summary>
    /// The relay service, when <see cref="NodeRelayOptions.Service"/> or
    /// <see cref="NodeRelayOptions.ServeWhenPublic"/> asks for it; <see cref="RelayService.IsServing"/>
    /// says whether it serves hop now.
    /// </summary>
    public RelayService? RelayService { get; private set; }

    /// <summary>The relay client, when the node reserves on relays (<see cref="NodeRelayOptions.Reserve"/> or <see cref="NodeRelayOptions.AutoRelays"/>).</summary>
    public RelayClient? RelayClient { get; private set; }

    /// <summary>The relay chooser, when <see cref="NodeRelayOptions.AutoRelays"/> is above 0.</summary>
    public AutoRelay? AutoRelay { get; private set; }

    /// <summary>Before the host starts: serve hop if we always relay, stop if we may reserve.</summary>
    private void AttachRelay()
    {
        NodeRelayOptions o = _options.Relay;
        if (o.Service is { } service)
        {
            RelayService = new RelayService(Host, service, _loggers, _time);
            RelayService.Start();
        }
        else if (o.ServeWhenPublic)
        {
            RelayService = new RelayService(Host, NodeRelayOptions.WhenPublicDefaults, _loggers, _time);
        }
        if (o.Reserve.Count > 0 || o.AutoRelays > 0)
        {
            RelayClient = new RelayClient(Host, _loggers, _time);
            RelayClient.Start();
        }
        if (o.AutoRelays > 0)
        {
            AutoRelay = new AutoRelay(Host, RelayClient!, Identify, new AutoRelayOptions { Relays = o.AutoRelays }, _loggers, _time);
        }
    }

    /// <summary>
    /// Once the host runs: reserve (and keep refreshing) on every configured relay, and from
    /// now on follow reachability — serve hop while Public, seek relays while not dialable.
    /// </summary>
    private void StartReservations()
    {
        RelayClient?.KeepReservations(_options.Relay.Reserve);
        // Listen addresses are fixed once the host runs; only AutoNAT's verdict changes.
        AutoNat.ReachabilityChanged += (_, _) => FollowReachabilityWithRelay();
        AutoRelay?.Start();
        FollowReachabilityWithRelay();
    }

    /// <summary>NNRP.md §14.4 "Choosing relays": the relay parts for the reachability AutoNAT reports now.</summary>
    private void FollowReachabilityWithRelay()
    {
        Reachability reachability = Reachability;
        if (_options.Relay.Service is null && RelayService is { } service)
        {
            if (reachability == Reachability.Public)
            {
                service.Start();
            }
            else
            {
                service.Stop();
            }
        }
        // A node that listens on nothing cannot be dialled, whatever AutoNAT has (not) said.
        AutoRelay?.SetActive(reachability == Reachability.Private || Host.ListenAddresses.Count == 0);
    }

    private async ValueTask StopRelayAsync()
    {
        if (AutoRelay is not null)
        {
            await AutoRelay.DisposeAsync();
        }
        if (RelayClient is not null)
        {
            await RelayClient.DisposeAsync();
        }
        RelayService?.Stop();
    }
}
