using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Protobuf;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>Random, truncated and oversized input: a typed error or a valid message, never a crash or hang.</summary>
public class KadFuzzTests
{
    private static readonly Func<Multiaddr, bool> Any = static _ => true;

    private static void ParseOrViolation(byte[] bytes)
    {
        try
        {
            Message m = KadCodec.Parse(new ReadOnlySequence<byte>(bytes));
            KadCodec.ReadPeers(m.CloserPeers, Any);
            KadCodec.ReadPeers(m.ProviderPeers, Any);
        }
        catch (ProtocolViolationException)
        {
        }
    }

    [Fact]
    public void Random_bytes_parse_or_raise_a_protocol_violation()
    {
        var random = new Random(3);
        for (int i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            ParseOrViolation(bytes);
        }
    }

    [Fact]
    public void Every_truncation_and_bit_flip_of_a_valid_message_is_handled()
    {
        var m = new Message { Type = Message.Types.MessageType.GetProviders, Key = ByteString.CopyFrom(KadTestKeys.Key(3, 5)) };
        m.CloserPeers.Add(KadCodec.ToWire(KadTestPeers.Random("/ip4/203.0.113.5/tcp/4001")));
        m.ProviderPeers.Add(KadCodec.ToWire(KadTestPeers.Random("/dns4/a.example/tcp/1")));
        byte[] valid = m.ToByteArray();
        for (int n = 0; n < valid.Length; n++)
        {
            ParseOrViolation(valid[..n]);
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] flipped = (byte[])valid.Clone();
                flipped[n] ^= (byte)(1 << bit);
                ParseOrViolation(flipped);
            }
        }
    }

    [Fact]
    public async Task Stream_ending_inside_a_message_is_a_truncation_error()
    {
        var pipe = new Pipe();
        var m = new Message { Type = Message.Types.MessageType.Ping };
        m.Key = ByteString.CopyFrom(new byte[40]);
        byte[] bytes = m.ToByteArray();
        Varint.Write(pipe.Writer, (ulong)bytes.Length);
        pipe.Writer.Write(bytes.AsSpan(0, 10));
        await pipe.Writer.CompleteAsync();
        await Assert.ThrowsAsync<TruncatedMessageException>(() =>
            KadCodec.ReadAsync(pipe.Reader, KadCodec.MaxMessageSize, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Oversized_length_prefix_is_rejected_without_waiting_for_the_body()
    {
        var pipe = new Pipe();
        Varint.Write(pipe.Writer, ulong.MaxValue >> 2);
        await pipe.Writer.FlushAsync();
        await Assert.ThrowsAnyAsync<ProtocolViolationException>(() =>
            KadCodec.ReadAsync(pipe.Reader, KadCodec.MaxMessageSize, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
