using System.Security.Cryptography;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise;
using Nnrp.Libp2p.Tests.Testing;
using static Nnrp.Libp2p.Tests.Noise.NoiseTestKit;

namespace Nnrp.Libp2p.Tests.Noise;

/// <summary>noise/README.md "Wire Format", "Encryption and I/O": framing, limits, flow.</summary>
public class SecureChannelTransferTests
{
    [Fact]
    public async Task Ten_MiB_cross_intact_in_both_directions_at_once_over_small_pipes()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var (a, b) = await ConnectAsync(new DuplexPipePair(pauseWriterThreshold: 16 * 1024), alice, bob);
        byte[] aToB = RandomBytes(10 * 1024 * 1024, 1);
        byte[] bToA = RandomBytes(10 * 1024 * 1024, 2);

        async Task SendAsync(SecureChannel channel, byte[] data)
        {
            var random = new Random(data[0]);
            for (int offset = 0; offset < data.Length;)
            {
                int chunk = Math.Min(random.Next(1, 200_000), data.Length - offset);
                await channel.Output.WriteAsync(data.AsMemory(offset, chunk));
                offset += chunk;
            }
            await channel.Output.CompleteAsync();
        }

        var sending = Task.WhenAll(SendAsync(a, aToB), SendAsync(b, bToA));
        var atB = ReadToEndAsync(b.Input);
        var atA = ReadToEndAsync(a.Input);
        Assert.Equal(SHA256.HashData(aToB), SHA256.HashData(await atB));
        Assert.Equal(SHA256.HashData(bToA), SHA256.HashData(await atA));
        await sending.WaitAsync(WaitLimit);
        await Task.WhenAll(a.Completion, b.Completion).WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task Writes_are_cut_into_maximal_frames_of_at_most_65535_bytes()
    {
        using var bob = KeyPair.Generate();
        var pair = new DuplexPipePair(pauseWriterThreshold: 1024 * 1024);
        var (channel, _, peerReceive) = ChannelWithKnownKeys(pair, bob);
        byte[] data = RandomBytes(3 * NoiseFrame.MaxPlaintextLength + 1000, 3);
        await channel.Output.WriteAsync(data);
        await channel.Output.CompleteAsync();

        var frames = new List<byte[]>();
        while (await ReadFrameAsync(pair.B.Input) is { } frame)
        {
            frames.Add(frame);
        }
        Assert.Equal([65537, 65537, 65537, 2 + 1000 + 16], frames.Select(f => f.Length));
        Assert.Equal(0xFF, frames[0][0]);
        Assert.Equal(0xFF, frames[0][1]);
        Assert.Equal(data, frames.SelectMany(f => OpenFrame(peerReceive, f)).ToArray());
        await pair.B.Output.CompleteAsync();
        await channel.Completion.WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task A_slow_reader_holds_back_the_sender_instead_of_buffering_everything()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var (a, b) = await ConnectAsync(new DuplexPipePair(pauseWriterThreshold: 64 * 1024), alice, bob);
        const int total = 10 * 1024 * 1024;
        var sending = Task.Run(async () =>
        {
            byte[] block = new byte[256 * 1024];
            for (int sent = 0; sent < total; sent += block.Length)
            {
                await a.Output.WriteAsync(block);
            }
            await a.Output.CompleteAsync();
        });

        // Unread plaintext may reach the pause threshold plus one flush batch and one frame, never more.
        const long bound = SecureChannel.InputPauseThreshold + 256 * 1024 + NoiseFrame.MaxMessageLength;
        long received = 0, largestBacklog = 0;
        while (true)
        {
            var result = await b.Input.ReadAsync().AsTask().WaitAsync(WaitLimit);
            largestBacklog = Math.Max(largestBacklog, result.Buffer.Length);
            long take = Math.Min(result.Buffer.Length, 8 * 1024);
            received += take;
            b.Input.AdvanceTo(result.Buffer.GetPosition(take));
            if (result.IsCompleted && take == result.Buffer.Length)
            {
                break;
            }
            await Task.Yield();
        }
        Assert.Equal(total, received);
        Assert.InRange(largestBacklog, 1, bound);
        await sending.WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task Half_close_lets_the_other_direction_keep_flowing()
    {
        using var alice = KeyPair.Generate();
        using var bob = KeyPair.Generate();
        var (a, b) = await ConnectAsync(new DuplexPipePair(), alice, bob);
        await a.Output.CompleteAsync();
        Assert.Empty(await ReadToEndAsync(b.Input));
        await b.Output.WriteAsync("still here"u8.ToArray());
        await b.Output.CompleteAsync();
        Assert.Equal("still here"u8.ToArray(), await ReadToEndAsync(a.Input));
        await Task.WhenAll(a.Completion, b.Completion).WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task Empty_transport_messages_are_accepted_and_carry_nothing()
    {
        using var bob = KeyPair.Generate();
        var pair = new DuplexPipePair();
        var (channel, peerSend, _) = ChannelWithKnownKeys(pair, bob);
        await pair.B.Output.WriteAsync(SealFrame(peerSend, []));
        await pair.B.Output.WriteAsync(SealFrame(peerSend, "x"u8));
        await pair.B.Output.CompleteAsync();
        Assert.Equal("x"u8.ToArray(), await ReadToEndAsync(channel.Input));
        await channel.DisposeAsync();
    }
}
