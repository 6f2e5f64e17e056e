using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>Spec "Closing a stream": RST hard-closes one stream and leaves the session alone.</summary>
public class ResetTests
{
    [Fact]
    public async Task Reset_fails_the_peer_reader_with_a_reset_error()
    {
        await using var pair = new SessionPair();
        var (client, server) = await pair.OpenAsync("x"u8.ToArray());
        client.Reset();
        var error = await Assert.ThrowsAsync<YamuxStreamResetException>(() => PipeData.ReadToEndAsync(server.Input).WaitAsync(SessionPair.Timeout));
        Assert.True(error.ByRemote);
    }

    [Fact]
    public async Task Writing_to_a_reset_stream_fails()
    {
        await using var pair = new SessionPair();
        var (client, server) = await pair.OpenAsync("x"u8.ToArray());
        server.Reset();
        await Assert.ThrowsAsync<YamuxStreamResetException>(() => PipeData.ReadToEndAsync(client.Input).WaitAsync(SessionPair.Timeout));
        await Assert.ThrowsAsync<YamuxStreamResetException>(async () =>
        {
            await client.Output.WriteAsync(new byte[10]);
            await client.Output.FlushAsync();
        });
    }

    [Fact]
    public async Task Local_reset_fails_the_local_reader()
    {
        await using var pair = new SessionPair();
        var (client, _) = await pair.OpenAsync();
        client.Reset();
        var error = await Assert.ThrowsAsync<YamuxStreamResetException>(() => PipeData.ReadToEndAsync(client.Input).WaitAsync(SessionPair.Timeout));
        Assert.False(error.ByRemote);
    }

    [Fact]
    public async Task Reset_keeps_the_session_and_other_streams()
    {
        await using var pair = new SessionPair();
        var (doomed, _) = await pair.OpenAsync("x"u8.ToArray());
        doomed.Reset();
        await StreamLifecycleTests.Eventually(() => pair.Client.ActiveStreamCount == 0 && pair.Server.ActiveStreamCount == 0);
        var (client, server) = await pair.OpenAsync();
        await PipeData.WriteAndCloseAsync(client.Output, [1, 2, 3]);
        Assert.Equal([1, 2, 3], await PipeData.ReadToEndAsync(server.Input).WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Completing_output_with_an_error_resets()
    {
        await using var pair = new SessionPair();
        var (client, server) = await pair.OpenAsync("x"u8.ToArray());
        await client.Output.CompleteAsync(new InvalidOperationException("application failed"));
        await Assert.ThrowsAsync<YamuxStreamResetException>(() => PipeData.ReadToEndAsync(server.Input).WaitAsync(SessionPair.Timeout));
    }
}
