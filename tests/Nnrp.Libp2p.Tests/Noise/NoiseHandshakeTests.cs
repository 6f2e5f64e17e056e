using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise;
using Nnrp.Libp2p.Tests.Testing;
using static Nnrp.Libp2p.Tests.Noise.NoiseTestKit;

namespace Nnrp.Libp2p.Tests.Noise;

/// <summary>noise/README.md "The Noise Handshake": XX with signed static keys, both roles.</summary>
public class NoiseHandshakeTests
{
    [Fact]
    public async Task Both_roles_complete_and_learn_each_others_peer_id_and_key()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var (a, b) = await ConnectAsync(new DuplexPipePair(), alice, bob);
        Assert.Equal(bob.PeerId, a.RemotePeer);
        Assert.Equal(alice.PeerId, b.RemotePeer);
        Assert.Equal(bob.PublicKey, a.RemotePublicKey);
        Assert.Equal(alice.PublicKey, b.RemotePublicKey);

        await a.Output.WriteAsync("ping"u8.ToArray());
        await b.Output.WriteAsync("pong"u8.ToArray());
        await a.Output.CompleteAsync();
        await b.Output.CompleteAsync();
        Assert.Equal("ping"u8.ToArray(), await ReadToEndAsync(b.Input));
        Assert.Equal("pong"u8.ToArray(), await ReadToEndAsync(a.Input));
        await a.Completion.WaitAsync(WaitLimit);
        await b.Completion.WaitAsync(WaitLimit);
        await a.DisposeAsync();
        await b.DisposeAsync();
    }

    [Fact]
    public async Task Initiator_rejects_a_responder_whose_peer_id_is_not_the_one_dialled()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        using var mallory = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var accept = NoiseHandshake.RunAsync(pair.B, mallory, false, null, NullLogger.Instance, CancellationToken.None);
        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() =>
            NoiseHandshake.RunAsync(pair.A, alice, true, bob.PeerId, NullLogger.Instance, CancellationToken.None).WaitAsync(WaitLimit));
        Assert.Contains(bob.PeerId.ToString(), error.Message, StringComparison.Ordinal);
        pair.A.Output.Complete();
        await Assert.ThrowsAsync<NoiseHandshakeException>(() => accept.WaitAsync(WaitLimit));
    }

    [Fact]
    public async Task A_signature_over_a_different_static_key_is_rejected()
    {
        using var alice = KeyPair.Generate();
        using var mallory = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var dial = NoiseHandshake.RunAsync(pair.A, alice, true, null, NullLogger.Instance, CancellationToken.None);

        // Mallory answers with a correct Noise message whose payload signs some other static key.
        await AnswerAsResponderAsync(pair, HandshakePayload.Create(mallory, new byte[32]));

        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => dial.WaitAsync(WaitLimit));
        Assert.Contains("identity_sig", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_without_identity_fields_is_rejected()
    {
        using var alice = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var dial = NoiseHandshake.RunAsync(pair.A, alice, true, null, NullLogger.Instance, CancellationToken.None);
        await AnswerAsResponderAsync(pair, payload: []);
        await Assert.ThrowsAsync<NoiseHandshakeException>(() => dial.WaitAsync(WaitLimit));
    }

    [Fact]
    public async Task A_tampered_handshake_message_fails_authentication()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var wire = new DuplexPipePair();
        var relay = new DuplexPipePair();
        var dial = NoiseHandshake.RunAsync(wire.A, alice, true, null, NullLogger.Instance, CancellationToken.None);
        var accept = NoiseHandshake.RunAsync(relay.B, bob, false, null, NullLogger.Instance, CancellationToken.None);

        // Man in the middle: forwards message 1 intact and flips one ciphertext bit of message 2.
        await relay.A.Output.WriteAsync((await ReadFrameAsync(wire.B.Input))!);
        byte[] msg2 = (await ReadFrameAsync(relay.A.Input))!;
        msg2[^5] ^= 0x01;
        await wire.B.Output.WriteAsync(msg2);

        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => dial.WaitAsync(WaitLimit));
        Assert.Contains("authentication", error.Message, StringComparison.Ordinal);
        relay.A.Output.Complete();
        await Assert.ThrowsAsync<NoiseHandshakeException>(() => accept.WaitAsync(WaitLimit));
    }

    [Fact]
    public async Task A_peer_that_closes_mid_handshake_ends_it_with_a_handshake_error()
    {
        using var bob = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var accept = NoiseHandshake.RunAsync(pair.B, bob, false, null, NullLogger.Instance, CancellationToken.None);
        await pair.A.Output.WriteAsync(new byte[] { 0x00, 0x20, 1, 2, 3 });
        pair.A.Output.Complete();
        await Assert.ThrowsAsync<NoiseHandshakeException>(() => accept.WaitAsync(WaitLimit));
    }

    [Fact]
    public async Task Cancellation_stops_a_handshake_waiting_on_a_silent_peer()
    {
        using var bob = KeyPair.Generate();
        using var cts = new CancellationTokenSource();
        var accept = NoiseHandshake.RunAsync(new DuplexPipePair().B, bob, false, null, NullLogger.Instance, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accept.WaitAsync(WaitLimit));
    }

    [Fact]
    public async Task Transport_data_pipelined_behind_the_last_handshake_message_reaches_the_responder()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var (a, b) = await ConnectAsync(new DuplexPipePair(), alice, bob);
        // The initiator writes right after message 3, often before the responder has read it.
        await a.Output.WriteAsync("early"u8.ToArray());
        await a.DisposeAsync();
        Assert.Equal("early"u8.ToArray(), await ReadToEndAsync(b.Input));
        await b.DisposeAsync();
    }

    [Fact]
    public async Task Fuzzed_handshake_messages_end_in_handshake_errors_never_hangs_or_crashes()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            bool attackResponder = i % 2 == 0;
            var pair = new DuplexPipePair();
            Task<SecureChannel> victim = attackResponder
                ? NoiseHandshake.RunAsync(pair.B, bob, false, null, NullLogger.Instance, CancellationToken.None)
                : NoiseHandshake.RunAsync(pair.A, alice, true, null, NullLogger.Instance, CancellationToken.None);
            IDuplexPipe attacker = attackResponder ? pair.A : pair.B;

            // Random frames (random lengths, random bytes, sometimes a lying length prefix), then close.
            for (int f = 0; f < 3; f++)
            {
                byte[] body = new byte[random.Next(0, 300)];
                random.NextBytes(body);
                int declared = random.Next(4) == 0 ? random.Next(0, 65536) : body.Length;
                await attacker.Output.WriteAsync(new byte[] { (byte)(declared >> 8), (byte)declared });
                await attacker.Output.WriteAsync(body);
            }
            attacker.Output.Complete();
            attacker.Input.Complete();
            await Assert.ThrowsAsync<NoiseHandshakeException>(() => victim.WaitAsync(WaitLimit));
        }
    }

    /// <summary>Plays a responder on pair.B that reads message 1 and answers message 2 with <paramref name="payload"/>.</summary>
    private static async Task AnswerAsResponderAsync(DuplexPipePair pair, byte[] payload)
    {
        using var responder = HandshakeState.WithFreshStaticKey(initiator: false);
        byte[] msg1 = (await ReadFrameAsync(pair.B.Input))!;
        responder.ReadMessage(msg1.AsSpan(2), new byte[100]);
        var message = new byte[payload.Length + HandshakeState.MaxOverhead];
        int length = responder.WriteMessage(payload, message);
        await pair.B.Output.WriteAsync(new byte[] { (byte)(length >> 8), (byte)length });
        await pair.B.Output.WriteAsync(message.AsMemory(0, length));
    }
}
