using System.Buffers.Binary;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Perf;
using Nnrp.Libp2p.Tests.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Perf;

/// <summary>/perf/1.0.0: u64 BE size request, upload to EOF, then the requested bytes back.</summary>
public sealed class PerfTests : IAsyncLifetime
{
    private readonly Hosts _hosts = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(0, 1)]
    [InlineData(3 << 20, 5 << 20)]
    public async Task The_server_sends_exactly_the_requested_bytes_after_the_upload(long upload, long download)
    {
        PerfService? perf = null;
        Libp2pHost a = await _hosts.StartAsync(configure: h => (perf = new PerfService(h)).Start());
        Libp2pHost b = await _hosts.StartAsync(configure: h => new PerfService(h).Start());
        await Within(a.DialAsync(AddressOf(b), CancellationToken.None));

        PerfResult result = await Within(perf!.RunAsync(b.PeerId, upload, download, CancellationToken.None));

        Assert.Equal(upload, result.Uploaded);
        Assert.Equal(download, result.Downloaded);
    }

    [Fact]
    public async Task A_request_above_the_limit_is_refused_with_a_reset()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync(configure: h => new PerfService(h).Start());
        Connection c = await Within(a.DialAsync(AddressOf(b), CancellationToken.None));
        await using Libp2pStream stream = await Within(c.NewStreamAsync([PerfService.ProtocolId], CancellationToken.None));
        byte[] header = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(header, PerfService.MaxDownloadBytes + 1);
        await stream.Output.WriteAsync(header);
        stream.CloseWrite();

        long received = 0;
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (true)
            {
                var read = await stream.Input.ReadAsync().AsTask().WaitAsync(WaitLimit);
                received += read.Buffer.Length;
                stream.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        });
        Assert.Equal(0, received);
    }
}
