using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise;
using Nnrp.Libp2p.Tests.Testing;

namespace Nnrp.Libp2p.Tests.Noise;

/// <summary>Shared set-up for the Noise tests: handshaken channel pairs and raw frame I/O.</summary>
internal static class NoiseTestKit
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    public static async Task<(SecureChannel Initiator, SecureChannel Responder)> ConnectAsync(
        DuplexPipePair pair, KeyPair initiator, KeyPair responder)
    {
        var accept = NoiseHandshake.RunAsync(pair.B, responder, initiator: false, null, NullLogger.Instance, CancellationToken.None);
        var dial = NoiseHandshake.RunAsync(pair.A, initiator, initiator: true, responder.PeerId, NullLogger.Instance, CancellationToken.None);
        return (await dial.WaitAsync(WaitLimit), await accept.WaitAsync(WaitLimit));
    }

    /// <summary>
    /// A channel on <paramref name="pair"/>.A whose keys the test knows, so the test can play
    /// the peer on pair.B with raw frames: returns the peer's (send, receive) cipher states.
    /// </summary>
    public static (SecureChannel Channel, CipherState PeerSend, CipherState PeerReceive) ChannelWithKnownKeys(
        DuplexPipePair pair, KeyPair remote)
    {
        byte[] toPeer = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        byte[] fromPeer = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();
        var channel = new SecureChannel(pair.A, Cipher(toPeer), Cipher(fromPeer), remote.PeerId, remote.PublicKey, NullLogger.Instance);
        return (channel, Cipher(fromPeer), Cipher(toPeer));
    }

    public static CipherState Cipher(byte[] key)
    {
        var cipher = new CipherState();
        cipher.InitializeKey(key);
        return cipher;
    }

    /// <summary>Reads one raw frame (header + message) from the transport; null at the end of the stream.</summary>
    public static async Task<byte[]?> ReadFrameAsync(PipeReader input)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync().AsTask().WaitAsync(WaitLimit);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= 2)
            {
                int length = (buffer.Slice(0, 2).ToArray()[0] << 8) | buffer.Slice(0, 2).ToArray()[1];
                if (buffer.Length >= 2 + length)
                {
                    byte[] frame = buffer.Slice(0, 2 + length).ToArray();
                    input.AdvanceTo(buffer.GetPosition(2 + length));
                    return frame;
                }
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    public static byte[] SealFrame(CipherState send, ReadOnlySpan<byte> plaintext)
    {
        var frame = new byte[2 + plaintext.Length + CipherState.TagLength];
        NoiseFrame.WriteHeader(frame, plaintext.Length + CipherState.TagLength);
        send.Encrypt([], plaintext, frame.AsSpan(2));
        return frame;
    }

    public static byte[] OpenFrame(CipherState receive, byte[] frame)
    {
        var plaintext = new byte[frame.Length - 2 - CipherState.TagLength];
        Assert.True(receive.Decrypt([], frame.AsSpan(2), plaintext));
        return plaintext;
    }

    /// <summary>Reads until the end of the stream (or <paramref name="limit"/> bytes).</summary>
    public static async Task<byte[]> ReadToEndAsync(PipeReader input, long limit = long.MaxValue)
    {
        var received = new ArrayBufferWriter<byte>();
        while (received.WrittenCount < limit)
        {
            ReadResult result = await input.ReadAsync().AsTask().WaitAsync(WaitLimit);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                received.Write(segment.Span);
            }
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }
        return received.WrittenSpan.ToArray();
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
