using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise;
using Nnrp.Libp2p.Tests.Testing;
using static Nnrp.Libp2p.Tests.Noise.NoiseTestKit;

namespace Nnrp.Libp2p.Tests.Noise;

/// <summary>Bad transport messages, nonce exhaustion, Abort and Dispose.</summary>
public class SecureChannelFailureTests
{
    [Fact]
    public async Task A_tampered_transport_message_faults_the_channel_and_its_input()
    {
        using var bob = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var (channel, peerSend, _) = ChannelWithKnownKeys(pair, bob);
        byte[] good = SealFrame(peerSend, "first"u8);
        byte[] bad = SealFrame(peerSend, "second"u8);
        bad[5] ^= 0x40;
        await pair.B.Output.WriteAsync(good);
        await pair.B.Output.WriteAsync(bad);

        await Assert.ThrowsAsync<NoiseFrameException>(() => channel.Completion.WaitAsync(WaitLimit));
        // The authenticated first frame may or may not have been read; the input then ends in the error.
        var error = await Assert.ThrowsAsync<NoiseFrameException>(() => ReadToEndAsync(channel.Input));
        Assert.Contains("authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transport_that_ends_inside_a_frame_is_a_truncation_error()
    {
        using var bob = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var (channel, peerSend, _) = ChannelWithKnownKeys(pair, bob);
        byte[] frame = SealFrame(peerSend, "cut short"u8);
        await pair.B.Output.WriteAsync(frame.AsMemory(0, frame.Length - 3));
        await pair.B.Output.CompleteAsync();
        var error = await Assert.ThrowsAsync<NoiseFrameException>(() => channel.Completion.WaitAsync(WaitLimit));
        Assert.Contains("ended inside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_shorter_than_its_tag_is_rejected()
    {
        using var bob = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var (channel, _, _) = ChannelWithKnownKeys(pair, bob);
        await pair.B.Output.WriteAsync(new byte[] { 0x00, 0x05, 1, 2, 3, 4, 5 });
        var error = await Assert.ThrowsAsync<NoiseFrameException>(() => channel.Completion.WaitAsync(WaitLimit));
        Assert.Contains("shorter than its tag", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_bytes_on_the_wire_fault_the_channel_with_a_protocol_violation()
    {
        using var bob = KeyPair.Generate();
        var random = new Random(11);
        for (int i = 0; i < 100; i++)
        {
            var pair = new DuplexPipePair();
            var (channel, _, _) = ChannelWithKnownKeys(pair, bob);
            byte[] junk = new byte[random.Next(1, 5000)];
            random.NextBytes(junk);
            await pair.B.Output.WriteAsync(junk);
            await pair.B.Output.CompleteAsync();
            await Assert.ThrowsAnyAsync<ProtocolViolationException>(() => channel.Completion.WaitAsync(WaitLimit));
        }
    }

    [Fact]
    public void A_cipher_state_refuses_to_use_the_reserved_last_nonce()
    {
        using var cipher = Cipher(new byte[32]);
        cipher.Nonce = ulong.MaxValue - 1;
        cipher.Encrypt([], "ok"u8, new byte[18]);
        Assert.Throws<NoiseNonceExhaustedException>(() => cipher.Encrypt([], "no"u8, new byte[18]));
        Assert.Throws<NoiseNonceExhaustedException>(() => cipher.Decrypt([], new byte[18], new byte[2]));
    }

    [Fact]
    public async Task A_channel_whose_send_nonce_runs_out_is_torn_down()
    {
        using var bob = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var send = Cipher(new byte[32]);
        send.Nonce = ulong.MaxValue;
        var channel = new SecureChannel(pair.A, send, Cipher(new byte[32]), bob.PeerId, bob.PublicKey, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await channel.Output.WriteAsync(new byte[10]);
        await Assert.ThrowsAsync<NoiseNonceExhaustedException>(() => channel.Completion.WaitAsync(WaitLimit));
    }

    [Fact]
    public async Task Abort_tears_down_both_directions_and_the_transport_at_once()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var (a, b) = await ConnectAsync(new DuplexPipePair(), alice, bob);
        var pendingRead = a.Input.ReadAsync().AsTask();

        a.Abort();
        await a.Completion.WaitAsync(WaitLimit);  // a local abort without a reason is not a failure
        await Assert.ThrowsAsync<IOException>(() => pendingRead.WaitAsync(WaitLimit));
        await Assert.ThrowsAsync<IOException>(() => a.Output.WriteAsync(new byte[1]).AsTask());
        // The peer sees the transport break, not a clean end of stream.
        await Assert.ThrowsAsync<IOException>(() => ReadToEndAsync(b.Input));
    }

    [Fact]
    public async Task Abort_with_a_reason_faults_completion_with_that_reason()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var (a, _) = await ConnectAsync(new DuplexPipePair(), alice, bob);
        var reason = new TimeoutException("idle");
        a.Abort(reason);
        Assert.Same(reason, await Assert.ThrowsAsync<TimeoutException>(() => a.Completion.WaitAsync(WaitLimit)));
    }

    [Fact]
    public async Task Dispose_sends_everything_written_then_closes_cleanly()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var (a, b) = await ConnectAsync(new DuplexPipePair(pauseWriterThreshold: 8 * 1024), alice, bob);
        byte[] data = RandomBytes(300_000, 5);
        var reading = ReadToEndAsync(b.Input);
        await a.Output.WriteAsync(data);
        await a.DisposeAsync();
        Assert.Equal(data, await reading);
        await a.Completion.WaitAsync(WaitLimit);
        await b.DisposeAsync();
        await b.Completion.WaitAsync(WaitLimit);
    }
}
