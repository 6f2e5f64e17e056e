using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

public class FlowControlTests
{
    private const int Window = YamuxOptions.SpecInitialWindow;

    [Fact]
    public void Data_beyond_the_window_is_refused()
    {
        var window = new ReceiveWindow(Window, Window);
        Assert.True(window.TryReceive(Window));
        Assert.False(window.TryReceive(1));
    }

    [Fact]
    public void Window_update_is_sent_once_half_the_window_is_consumed()
    {
        var window = new ReceiveWindow(Window, Window);
        Assert.True(window.TryReceive(Window));
        Assert.Equal(0u, window.Consume(Window / 2 - 1));
        Assert.Equal((uint)(Window / 2), window.Consume(1));
        Assert.Equal(Window / 2, window.Credit);
    }

    [Fact]
    public void Unconsumed_data_sends_no_update()
    {
        var window = new ReceiveWindow(Window, 16 * Window);
        Assert.True(window.TryReceive(Window));
        Assert.Equal(0, window.Credit);
        Assert.Equal(Window, window.Buffered);
    }

    [Fact]
    public void Window_grows_when_the_reader_has_drained_everything()
    {
        var window = new ReceiveWindow(Window, 4 * Window);
        Assert.True(window.TryReceive(Window / 2));
        uint delta = window.Consume(Window / 2); // reader caught up: the window is the bottleneck
        Assert.Equal((uint)(Window / 2 + Window), delta);
        Assert.Equal(2 * Window, window.Size);
        Assert.Equal(2 * Window, window.Credit);
    }

    [Fact]
    public void Window_does_not_grow_while_data_waits_for_the_reader()
    {
        var window = new ReceiveWindow(Window, 4 * Window);
        Assert.True(window.TryReceive(Window));
        Assert.Equal((uint)(Window / 2), window.Consume(Window / 2));
        Assert.Equal(Window, window.Size);
    }

    [Fact]
    public void Window_never_grows_beyond_the_maximum()
    {
        var window = new ReceiveWindow(Window, 3 * Window);
        for (int i = 0; i < 10; i++)
        {
            long credit = window.Credit;
            Assert.True(window.TryReceive((uint)credit));
            window.Consume(credit);
        }
        Assert.Equal(3 * Window, window.Size);
        Assert.Equal(3 * Window, window.Credit);
    }
}
