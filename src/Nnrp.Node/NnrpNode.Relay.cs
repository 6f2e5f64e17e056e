using Nnrp.Libp2p.Relay;

namespace Nnrp.Node;

/// <summary>NNRP.md §14.4: the node's circuit relay parts, started with the host.</summary>
public sealed partial class NnrpNode
{
    /// <summary>The relay service, when <see cref="NodeRelayOptions.Service"/> turned it on.</summary>
    public RelayService? RelayService { get; private set; }

    /// <summary>The relay client, when the node reserves on relays (<see cref="NodeRelayOptions.Reserve"/>).</summary>
    public RelayClient? RelayClient { get; private set; }

    /// <summary>Before the host starts: serve hop if we relay, stop if we will reserve.</summary>
    private void AttachRelay()
    {
        NodeRelayOptions o = _options.Relay;
        if (o.Service is { } service)
        {
            RelayService = new RelayService(Host, service, _loggers, _time);
            RelayService.Start();
        }
        if (o.Reserve.Count > 0)
        {
            RelayClient = new RelayClient(Host, _loggers, _time);
            RelayClient.Start();
        }
    }

    /// <summary>Once the host runs: reserve (and keep refreshing) on every configured relay.</summary>
    private void StartReservations() => RelayClient?.KeepReservations(_options.Relay.Reserve);

    private async ValueTask StopRelayAsync()
    {
        if (RelayClient is not null)
        {
            await RelayClient.DisposeAsync();
        }
    }
}
