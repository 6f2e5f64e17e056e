using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr.Protobuf;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>The spec's A: we dialed through the relay, the peer opened <c>/libp2p/dcutr</c> to us.</summary>
public sealed partial class DcutrService
{
    private async Task RespondAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        PeerId peer = stream.RemotePeer;
        // Only a relayed connection has anything to upgrade; anywhere else the stream would only
        // make us dial addresses a stranger chose.
        if (!stream.Connection.IsLimited || DirectDial.FindDirect(_host, peer) is not null)
        {
            _logger.Declined(peer.ToString(), "the connection is direct already");
            stream.Reset();
            return;
        }
        if (!_slots.TryAcquire(peer))
        {
            _logger.Declined(peer.ToString(), $"{_options.MaxConcurrentHolePunches} hole punches running, or one with this peer");
            stream.Reset();
            return;
        }
        int round = 0;
        try
        {
            using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            // B retries on the same stream (spec step 6); we answer as many rounds as we would run.
            while (round < _options.MaxAttempts)
            {
                round++;
                if (await AnswerRoundAsync(stream, peer, lifetime.Token) is not { } outcome)
                {
                    return; // B closed the stream: it gave up, or its own dial won.
                }
                if (outcome.Direct is not null)
                {
                    Finish(outcome with { Attempts = round }, "hole punch");
                    return;
                }
            }
            Finish(new HolePunchOutcome(peer, false, null, round, $"{round} attempts found no direct connection"), string.Empty);
        }
        catch (DcutrProtocolException ex)
        {
            _logger.BadMessage(peer.ToString(), ex.Message);
            stream.Reset();
            Finish(new HolePunchOutcome(peer, false, null, round, ex.Message), string.Empty);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            stream.Reset();
            Finish(new HolePunchOutcome(peer, false, null, round, ex is OperationCanceledException ? "the peer went quiet" : ex.Message), string.Empty);
        }
        finally
        {
            _slots.Release(peer);
        }
    }

    /// <summary>
    /// Step 3 and 5: the peer's CONNECT, ours back, its SYNC, then our dial at once. Null when the
    /// peer closed the stream before a new round began.
    /// </summary>
    private async Task<HolePunchOutcome?> AnswerRoundAsync(Libp2pStream stream, PeerId peer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StreamTimeout);
        HolePunch? connect = await DcutrCodec.ReadAsync(stream.Input, timeout.Token);
        if (connect is null)
        {
            return null;
        }
        if (connect.Type != HolePunch.Types.Type.Connect)
        {
            throw new DcutrProtocolException($"expected CONNECT, got {connect.Type}");
        }
        IReadOnlyList<Multiaddr> theirs = Dialable(DcutrCodec.Addresses(connect), peer);
        await DcutrCodec.WriteAsync(stream.Output, DcutrCodec.Connect(OwnAddresses()), timeout.Token);
        HolePunch sync = await DcutrCodec.ReadAsync(stream.Input, timeout.Token)
            ?? throw new IOException("the peer closed the stream instead of sending SYNC");
        if (sync.Type != HolePunch.Types.Type.Sync)
        {
            throw new DcutrProtocolException($"expected SYNC, got {sync.Type}");
        }
        // "Upon receiving the Sync, A immediately starts a direct dial to B" — with no address
        // of B's to dial we still wait out the attempt: B's own dial may reach us.
        Connection? direct = await DialAsync(peer, theirs, cancellationToken);
        return new HolePunchOutcome(peer, false, direct, 0, null);
    }
}
