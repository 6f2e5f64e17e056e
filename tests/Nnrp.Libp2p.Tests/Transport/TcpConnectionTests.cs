using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Nnrp.Libp2p.Transport;
using static Nnrp.Libp2p.Tests.Transport.TcpTestSupport;

namespace Nnrp.Libp2p.Tests.Transport;

/// <summary>A connection's byte stream: bulk transfer, half-close, graceful close, abort.</summary>
public class TcpConnectionTests
{
    [Fact]
    public async Task Sixteen_MiB_arrive_intact_in_order()
    {
        var (client, server, listener) = await ConnectAsync(NewTransport());
        await using (listener)
        await using (client)
        await using (server)
        {
            byte[] data = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
            Task<byte[]> received = ReadToEndAsync(server.Input);
            for (int offset = 0; offset < data.Length; offset += 100_000)
            {
                await client.Output.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)));
            }
            await client.Output.CompleteAsync();
            byte[] result = await received.WaitAsync(Generous);
            Assert.Equal(data.Length, result.Length);
            Assert.True(data.AsSpan().SequenceEqual(result));
        }
    }

    [Fact]
    public async Task Slow_reader_stalls_the_writer_and_bounds_what_is_buffered()
    {
        const long limit = 256 * 1024;
        var (client, server, listener) = await ConnectAsync(NewTransport(new TcpTransportOptions { MaxBufferedBytes = limit }));
        await using (listener)
        await using (client)
        await using (server)
        {
            // Nobody reads the server: its pipe fills, its socket stops being read, the kernel
            // buffers fill, and finally the client's flushes stop completing.
            byte[] chunk = new byte[64 * 1024];
            long written = 0;
            Task stalled;
            while (true)
            {
                stalled = client.Output.WriteAsync(chunk).AsTask();
                written += chunk.Length;
                try
                {
                    await stalled.WaitAsync(TimeSpan.FromMilliseconds(500));
                }
                catch (TimeoutException)
                {
                    break;
                }
                Assert.True(written < 1024L * 1024 * 1024, "the writer was never held back");
            }
            // The receiver holds at most the threshold plus one receive; the rest waits in TCP.
            ReadResult buffered = await server.Input.ReadAsync().AsTask().WaitAsync(Generous);
            Assert.InRange(buffered.Buffer.Length, 1, 2 * limit);
            Assert.True(written > buffered.Buffer.Length);
            server.Input.AdvanceTo(buffered.Buffer.Start);

            Task<byte[]> drained = ReadToEndAsync(server.Input);
            await stalled.WaitAsync(Generous);
            await client.Output.CompleteAsync();
            Assert.Equal(written, (await drained.WaitAsync(Generous)).LongLength);
        }
    }

    [Fact]
    public async Task Half_close_ends_the_peer_input_but_the_other_direction_still_works()
    {
        var (client, server, listener) = await ConnectAsync(NewTransport());
        await using (listener)
        await using (client)
        await using (server)
        {
            await client.Output.WriteAsync("request"u8.ToArray());
            await client.Output.CompleteAsync();

            byte[] request = await ReadToEndAsync(server.Input).WaitAsync(Generous);
            Assert.Equal("request"u8.ToArray(), request);

            await server.Output.WriteAsync("response"u8.ToArray());
            await server.Output.CompleteAsync();
            byte[] response = await ReadToEndAsync(client.Input).WaitAsync(Generous);
            Assert.Equal("response"u8.ToArray(), response);
        }
    }

    [Fact]
    public async Task Dispose_sends_buffered_output_then_closes()
    {
        var (client, server, listener) = await ConnectAsync(NewTransport());
        await using (listener)
        await using (server)
        {
            byte[] data = RandomNumberGenerator.GetBytes(256 * 1024);
            client.Output.Write(data);
            Task flushing = client.Output.FlushAsync().AsTask();
            await client.DisposeAsync().AsTask().WaitAsync(Generous);
            byte[] received = await ReadToEndAsync(server.Input).WaitAsync(Generous);
            Assert.True(data.AsSpan().SequenceEqual(received));
            await client.Completion.WaitAsync(Generous);
            await flushing.WaitAsync(Generous);
        }
    }

    [Fact]
    public async Task Abort_resets_the_connection_and_the_peer_input_fails()
    {
        var (client, server, listener) = await ConnectAsync(NewTransport());
        await using (listener)
        await using (server)
        {
            client.Abort();
            await client.Completion.WaitAsync(Generous);
            var error = await Assert.ThrowsAnyAsync<IOException>(() => ReadToEndAsync(server.Input).WaitAsync(Generous));
            Assert.Contains("reset", error.Message, StringComparison.Ordinal);
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_abort_local_reads_and_writes_fail()
    {
        var (client, server, listener) = await ConnectAsync(NewTransport());
        await using (listener)
        await using (server)
        {
            client.Abort();
            await client.Completion.WaitAsync(Generous);
            await Assert.ThrowsAnyAsync<IOException>(() => ReadToEndAsync(client.Input).WaitAsync(Generous));
            await Assert.ThrowsAnyAsync<IOException>(async () => await client.Output.WriteAsync(new byte[1]));
        }
    }

    [Fact]
    public async Task Writes_to_a_reset_connection_fail_with_an_io_error()
    {
        var (client, server, listener) = await ConnectAsync(NewTransport());
        await using (listener)
        await using (client)
        {
            server.Abort();
            await Assert.ThrowsAnyAsync<IOException>(() => ReadToEndAsync(client.Input).WaitAsync(Generous));
            // The send loop learns of the reset on its next send; keep writing until it does.
            await Assert.ThrowsAnyAsync<IOException>(async () =>
            {
                for (int i = 0; i < 10_000; i++)
                {
                    FlushResult flush = await client.Output.WriteAsync(new byte[1024]).AsTask().WaitAsync(Generous);
                    if (flush.IsCompleted)
                    {
                        throw new IOException("output completed");
                    }
                }
            });
            await server.DisposeAsync();
        }
    }
}
