using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Relay.Protobuf;
using Nnrp.Libp2p.Transport;

namespace Nnrp.Libp2p.Relay;

/// <summary>
/// Dials <c>…/p2p/&lt;relay&gt;/p2p-circuit/p2p/&lt;peer&gt;</c> (circuit-v2.md "Connection
/// Initiation"): reaches the relay through the host, sends hop CONNECT and, on OK, hands the
/// hop stream to the host as a raw connection to upgrade. Every host has it: dialing through a
/// relay needs no relay service and no reservation. Never listens — a peer is reached through
/// a relay by reserving there (<see cref="RelayClient"/>).
/// </summary>
internal sealed class CircuitTransport(Libp2pHost host, ILoggerFactory loggerFactory) : ITransport
{
    /// <summary>The relay must answer CONNECT within this (it waits up to its stop timeout for the destination).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger = loggerFactory.CreateLogger<CircuitTransport>();

    /// <summary>Any circuit address; one without <c>/p2p/&lt;peer&gt;</c> at the end is completed by the host when it dials a peer by id.</summary>
    public bool CanDial(Multiaddr address) => CircuitAddress.TryParse(address, out _);

    public bool CanListen(Multiaddr address) => false;

    public Task<ITransportListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken) =>
        throw new ArgumentException($"nothing listens on {address}: reserve a slot on the relay instead");

    public async Task<ITransportConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        if (!CircuitAddress.TryParse(address, out CircuitAddress? circuit) || circuit.Destination is not { } destination)
        {
            throw new ArgumentException($"not a circuit address: {address}", nameof(address));
        }
        Connection relay;
        try
        {
            relay = circuit.Relay.Components.Count > 1
                ? await host.DialAsync(circuit.Relay, cancellationToken)
                : await host.DialAsync(circuit.RelayPeer, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or ProtocolViolationException)
        {
            throw new TransportDialException(address, "relay unreachable: " + ex.Message, ex);
        }
        if (relay.IsLimited)
        {
            // circuit-v2.md: a relay does not accept connection initiations over relayed connections.
            throw new TransportDialException(address, "the only connection to the relay is itself relayed");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        Libp2pStream stream;
        try
        {
            stream = await relay.NewStreamAsync([RelayCodec.HopProtocolId], timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or ProtocolViolationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new TransportDialException(address, "the relay does not serve " + RelayCodec.HopProtocolId + ": " + ex.Message, ex);
        }
        try
        {
            var connect = new HopMessage
            {
                Type = HopMessage.Types.Type.Connect,
                Peer = new Protobuf.Peer { Id = ByteString.CopyFrom(destination.Bytes.Span) },
            };
            await RelayCodec.WriteAsync(stream.Output, connect, timeout.Token);
            HopMessage? answer = await RelayCodec.ReadHopAsync(stream.Input, timeout.Token);
            if (answer is null || answer.Type != HopMessage.Types.Type.Status)
            {
                throw new RelayProtocolException("the relay answered CONNECT without a status");
            }
            if (answer.Status != Status.Ok)
            {
                throw new RelayRefusedException(answer.Status, $"circuit to {destination}");
            }
            CircuitLimit limit = RelayCodec.FromLimit(answer.Limit);
            _logger.CircuitOpened(destination.ToString(), circuit.RelayPeer.ToString(), limit.Duration?.TotalSeconds ?? 0, limit.Data ?? 0);
            return new RelayedTransportConnection(stream, relay.LocalAddress, circuit.ToRelayedAddress(), limit);
        }
        catch (Exception ex)
        {
            stream.Reset();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            throw new TransportDialException(address, ex is OperationCanceledException ? $"the relay did not answer within {ConnectTimeout.TotalSeconds:0} s" : ex.Message, ex);
        }
    }
}
