using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Noise;

/// <summary>
/// noise-libp2p (libp2p/specs noise/README.md r4): the XX handshake with libp2p identity
/// payloads over a raw transport, yielding a <see cref="SecureChannel"/>.
/// <code>
///   initiator                                   responder
///     -> e                              (empty payload)
///     &lt;- e, ee, s, es                   payload: responder identity key + sig
///     -> s, se                          payload: initiator identity key + sig
/// </code>
/// The static X25519 key is fresh for every handshake ("implementations MAY generate a new
/// static Noise keypair for each new session") and never stored. The prologue is empty.
/// </summary>
public static class NoiseHandshake
{
    public const string ProtocolId = "/noise";

    /// <summary>
    /// Runs the handshake. The initiator (dialer) must name <paramref name="expectedRemote"/>
    /// when it knows whom it dialled; a responder may pass one too. Every failure other than
    /// cancellation surfaces as <see cref="NoiseHandshakeException"/>; the caller owns the
    /// transport and closes it then. On success the channel owns the transport.
    /// </summary>
    public static async Task<SecureChannel> RunAsync(
        IDuplexPipe transport, KeyPair local, bool initiator, PeerId? expectedRemote, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(logger);
        string role = initiator ? "initiator" : "responder";
        long started = Stopwatch.GetTimestamp();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(2 * NoiseFrame.MaxMessageLength);
        try
        {
            using var handshake = HandshakeState.WithFreshStaticKey(initiator);
            byte[] localPayload = HandshakePayload.Create(local, handshake.LocalStaticPublicKey);
            PublicKey? remoteKey = null;
            while (!handshake.IsComplete)
            {
                if (handshake.IsWriteTurn)
                {
                    // Message 0 (-> e) precedes any secrecy, so it carries no payload ("the
                    // initiator MUST NOT send extensions in their first message").
                    byte[] payload = handshake.MessageIndex == 0 ? [] : localPayload;
                    await WriteMessageAsync(transport.Output, handshake, payload, buffer, ct);
                }
                else
                {
                    int length = await ReadMessageAsync(transport.Input, handshake, buffer, ct);
                    if (handshake.RemoteStaticPublicKey is not null)
                    {
                        // Messages 1 and 2 deliver rs together with the payload that must sign it.
                        remoteKey = HandshakePayload.Verify(buffer.AsSpan(NoiseFrame.MaxMessageLength, length), handshake.RemoteStaticPublicKey);
                        CheckExpected(remoteKey, expectedRemote);  // before message 3 reveals who we are
                    }
                }
            }
            PeerId remotePeer = PeerId.FromPublicKey(remoteKey!);
            var (send, receive) = handshake.Split();
            Log.HandshakeCompleted(logger, role, remotePeer, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new SecureChannel(transport, send, receive, remotePeer, remoteKey!, logger);
        }
        catch (NoiseHandshakeException e)
        {
            Log.HandshakeFailed(logger, role, e.Message);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.HandshakeFailed(logger, role, e.Message);
            throw new NoiseHandshakeException($"Noise handshake failed: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CheckExpected(PublicKey remoteKey, PeerId? expectedRemote)
    {
        if (expectedRemote is not null && !expectedRemote.Matches(remoteKey))
        {
            throw new NoiseHandshakeException($"the peer is {PeerId.FromPublicKey(remoteKey)}, not the expected {expectedRemote}");
        }
    }

    private static async ValueTask WriteMessageAsync(PipeWriter output, HandshakeState handshake, byte[] payload, byte[] buffer, CancellationToken ct)
    {
        WriteFrame(output, handshake, payload, buffer);
        FlushResult flushed = await output.FlushAsync(ct);
        if (flushed.IsCompleted)
        {
            throw new NoiseHandshakeException("the peer stopped reading during the Noise handshake");
        }
    }

    private static void WriteFrame(PipeWriter output, HandshakeState handshake, byte[] payload, byte[] buffer)
    {
        if (payload.Length + HandshakeState.MaxOverhead > NoiseFrame.MaxMessageLength)
        {
            throw new NoiseHandshakeException($"handshake payload of {payload.Length} bytes does not fit a Noise message");
        }
        int length = handshake.WriteMessage(payload, buffer);
        Span<byte> frame = output.GetSpan(NoiseFrame.HeaderLength + length);
        NoiseFrame.WriteHeader(frame, length);
        buffer.AsSpan(0, length).CopyTo(frame[NoiseFrame.HeaderLength..]);
        output.Advance(NoiseFrame.HeaderLength + length);
    }

    /// <summary>Reads one handshake message; its payload lands at <c>buffer[MaxMessageLength..]</c>.</summary>
    private static async ValueTask<int> ReadMessageAsync(PipeReader input, HandshakeState handshake, byte[] buffer, CancellationToken ct)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(ct);
            ReadOnlySequence<byte> unread = result.Buffer;
            if (NoiseFrame.TryRead(ref unread, out ReadOnlySequence<byte> message))
            {
                try
                {
                    message.CopyTo(buffer);
                    return handshake.ReadMessage(buffer.AsSpan(0, (int)message.Length), buffer.AsSpan(NoiseFrame.MaxMessageLength));
                }
                finally
                {
                    // Only this message is consumed: transport frames the peer pipelined behind
                    // its last handshake message stay in the pipe for the secure channel.
                    input.AdvanceTo(unread.Start);
                }
            }
            input.AdvanceTo(unread.Start, unread.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new NoiseHandshakeException("the peer closed the connection during the Noise handshake");
            }
        }
    }
}
