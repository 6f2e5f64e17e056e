using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise;
using Nnrp.Libp2p.Transport;
using Nnrp.Libp2p.Yamux;
using Mss = Nnrp.Libp2p.MultistreamSelect.MultistreamSelect;

namespace Nnrp.Libp2p.Host;

/// <summary>
/// Turns a raw transport connection into a <see cref="Connection"/> (libp2p/specs
/// connections/README.md): multistream-select <c>/noise</c>, the Noise XX handshake,
/// multistream-select <c>/yamux/1.0.0</c> over the secured channel. One path for both roles;
/// the dialer is the multistream initiator, the Noise initiator and the Yamux client.
/// </summary>
internal sealed class ConnectionUpgrader(KeyPair identity, HostOptions options, ILoggerFactory loggerFactory)
{
    private static readonly string[] s_security = [NoiseHandshake.ProtocolId];
    private static readonly string[] s_muxers = [YamuxOptions.ProtocolId];

    private readonly ILogger _noiseLogger = loggerFactory.CreateLogger("Nnrp.Libp2p.Noise");
    private readonly ILogger _yamuxLogger = loggerFactory.CreateLogger("Nnrp.Libp2p.Yamux");

    /// <summary>
    /// Runs the whole upgrade under <see cref="ConnectionLimits.HandshakeTimeout"/>. On
    /// failure the transport connection is aborted and the error rethrown; on success the
    /// connection owns it.
    /// </summary>
    public async Task<Connection> UpgradeAsync(
        ITransportConnection transport,
        ConnectionDirection direction,
        PeerId? expectedPeer,
        CancellationToken cancellationToken)
    {
        bool dialer = direction == ConnectionDirection.Outbound;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Limits.HandshakeTimeout);
        SecureChannel? secure = null;
        try
        {
            if (dialer)
            {
                await Mss.SelectAsync(transport, s_security, timeout.Token);
            }
            else
            {
                await Mss.AcceptAsync(transport, static p => p == NoiseHandshake.ProtocolId, timeout.Token);
            }

            secure = await NoiseHandshake.RunAsync(transport, identity, dialer, expectedPeer, _noiseLogger, timeout.Token);

            if (dialer)
            {
                await Mss.SelectAsync(secure, s_muxers, timeout.Token);
            }
            else
            {
                await Mss.AcceptAsync(secure, static p => p == YamuxOptions.ProtocolId, timeout.Token);
            }

            var session = new YamuxSession(secure, dialer ? YamuxRole.Client : YamuxRole.Server, options.Yamux, _yamuxLogger);
            var connection = new Connection(transport, secure, session, direction, options.Limits.StreamNegotiationTimeout);
            session.Start();
            return connection;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            secure?.Abort();
            transport.Abort();
            throw new HandshakeTimeoutException(options.Limits.HandshakeTimeout, transport.RemoteAddress.ToString());
        }
        catch
        {
            secure?.Abort();
            transport.Abort();
            throw;
        }
    }
}

/// <summary>The security and muxer handshake did not finish in time.</summary>
public sealed class HandshakeTimeoutException(TimeSpan limit, string remote)
    : TimeoutException($"connection handshake with {remote} did not finish within {limit.TotalSeconds:0.#} s");
