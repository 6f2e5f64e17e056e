using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr.Protobuf;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>The spec's B: we received the relayed connection and drive the upgrade (DCUtR.md "The Protocol").</summary>
public sealed partial class DcutrService
{
    private async Task InitiateAsync(Connection relayed)
    {
        PeerId peer = relayed.RemotePeer;
        if (DirectDial.FindDirect(_host, peer) is not null)
        {
            return;
        }
        if (!_slots.TryAcquire(peer))
        {
            _logger.Declined(peer.ToString(), $"{_options.MaxConcurrentHolePunches} hole punches running, or one with this peer");
            return;
        }
        try
        {
            _logger.Upgrading(peer.ToString());
            // The relayed connection ending ends the punch: nothing is left to upgrade.
            using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            _ = relayed.Closed.ContinueWith(static (_, s) => TryCancel((CancellationTokenSource)s!), lifetime, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            IdentifyResult? identified = await IdentifiedAsync(peer, lifetime.Token);

            // "If that set includes public addresses, then A may be reachable by a direct
            // connection, in which case B attempts a unilateral connection upgrade."
            IReadOnlyList<Multiaddr> published = Dialable(identified?.ListenAddresses ?? [], peer);
            if (published.Count > 0 && await DialAsync(peer, published, _stopping.Token) is { } unilateral)
            {
                Finish(new HolePunchOutcome(peer, true, unilateral, 0, null), "unilateral dial");
                return;
            }
            if (identified is not null && !identified.Protocols.Contains(DcutrCodec.ProtocolId))
            {
                Finish(new HolePunchOutcome(peer, true, null, 0, "the peer does not speak " + DcutrCodec.ProtocolId), string.Empty);
                return;
            }
            (Connection? direct, int attempts, string? reason) = await ExchangeAsync(relayed, lifetime.Token);
            Finish(new HolePunchOutcome(peer, true, direct, attempts, reason), "hole punch");
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested || relayed.IsClosed)
        {
            Finish(new HolePunchOutcome(peer, true, null, 0, "the relayed connection closed"), string.Empty);
        }
        finally
        {
            _slots.Release(peer);
        }
    }

    private static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>What the peer said over identify, or null without identify or when it is slow.</summary>
    private async Task<IdentifyResult?> IdentifiedAsync(PeerId peer, CancellationToken cancellationToken)
    {
        if (_identify is null)
        {
            return null;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.IdentifyTimeout);
        try
        {
            return await _identify.WaitForIdentifyAsync(peer, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Steps 1–6: one stream, up to <see cref="DcutrOptions.MaxAttempts"/> CONNECT/SYNC rounds, each followed by the dials.</summary>
    private async Task<(Connection? Direct, int Attempts, string? Reason)> ExchangeAsync(Connection relayed, CancellationToken cancellationToken)
    {
        PeerId peer = relayed.RemotePeer;
        Libp2pStream stream;
        using (var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            opening.CancelAfter(_options.StreamTimeout);
            try
            {
                stream = await relayed.NewStreamAsync([DcutrCodec.ProtocolId], opening.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return (null, 0, "no " + DcutrCodec.ProtocolId + " stream: " + ex.Message);
            }
        }
        await using (stream)
        {
            int attempt = 0;
            try
            {
                while (attempt < _options.MaxAttempts)
                {
                    attempt++;
                    if (await RoundAsync(stream, peer, cancellationToken) is { } direct)
                    {
                        return (direct, attempt, null);
                    }
                    _logger.AttemptFailed(attempt, peer.ToString());
                }
                return (null, attempt, $"{attempt} attempts found no direct connection");
            }
            catch (DcutrProtocolException ex)
            {
                _logger.BadMessage(peer.ToString(), ex.Message);
                stream.Reset();
                return (null, attempt, ex.Message);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                stream.Reset();
                return (null, attempt, ex is OperationCanceledException ? $"the peer did not answer within {_options.StreamTimeout.TotalSeconds:0} s" : ex.Message);
            }
        }
    }

    /// <summary>One round: CONNECT, the peer's CONNECT (the round trip measured), SYNC, wait half of it, dial.</summary>
    private async Task<Connection?> RoundAsync(Libp2pStream stream, PeerId peer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StreamTimeout);
        long sent = _time.GetTimestamp();
        await DcutrCodec.WriteAsync(stream.Output, DcutrCodec.Connect(OwnAddresses()), timeout.Token);
        HolePunch answer = await DcutrCodec.ReadAsync(stream.Input, timeout.Token)
            ?? throw new IOException("the peer closed the stream instead of answering CONNECT");
        if (answer.Type != HolePunch.Types.Type.Connect)
        {
            throw new DcutrProtocolException($"expected CONNECT, got {answer.Type}");
        }
        TimeSpan rtt = _time.GetElapsedTime(sent);
        IReadOnlyList<Multiaddr> theirs = Dialable(DcutrCodec.Addresses(answer), peer);
        await DcutrCodec.WriteAsync(stream.Output, DcutrCodec.Sync(), timeout.Token);
        // "starts a timer for half the RTT": A dials as SYNC arrives, half a round trip from now.
        await Task.Delay(rtt / 2, _time, cancellationToken);
        // The dials outlive the relayed connection: the peer may close it the moment its own dial
        // reached us, before our side of that connection is up.
        return await DialAsync(peer, theirs, _stopping.Token);
    }
}
