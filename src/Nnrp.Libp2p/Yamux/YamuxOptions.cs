namespace Nnrp.Libp2p.Yamux;

/// <summary>Which end of the connection this session is (spec, "StreamID Field").</summary>
public enum YamuxRole
{
    /// <summary>The dialer; opens streams with odd ids.</summary>
    Client,

    /// <summary>The listener; opens streams with even ids.</summary>
    Server,
}

public sealed class YamuxOptions
{
    public const string ProtocolId = "/yamux/1.0.0";

    /// <summary>
    /// Every stream starts with a 256 KiB window on both sides (spec, "Flow Control"); a larger
    /// <see cref="InitialWindowSize"/> is announced with a window update on SYN/ACK.
    /// </summary>
    public const int SpecInitialWindow = 256 * 1024;

    /// <summary>
    /// Outbound streams not yet acknowledged before <see cref="YamuxSession.OpenStreamAsync"/>
    /// waits (libp2p/specs yamux "ACK backlog": "SHOULD at most allow an ACK backlog of 256").
    /// </summary>
    public const int AckBacklog = 256;

    private readonly int _initialWindowSize = SpecInitialWindow;
    private readonly int _maxWindowSize = 16 * 1024 * 1024;
    private readonly int _maxFramePayload = 64 * 1024;

    public static YamuxOptions Default { get; } = new();

    /// <summary>Receive window each new stream gets; never below the spec's 256 KiB.</summary>
    public int InitialWindowSize
    {
        get => _initialWindowSize;
        init => _initialWindowSize = value >= SpecInitialWindow
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InitialWindowSize), "yamux windows start at 256 KiB at least");
    }

    /// <summary>
    /// The receive window grows (doubling) up to this while the reader keeps up and the window,
    /// not the reader, is what limits throughput (go-yamux auto-tuning, see README.md).
    /// </summary>
    public int MaxWindowSize
    {
        get => Math.Max(_maxWindowSize, _initialWindowSize);
        init => _maxWindowSize = value >= SpecInitialWindow
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxWindowSize), "yamux windows are 256 KiB at least");
    }

    /// <summary>Concurrent streams the peer may have open towards us; a SYN beyond it is answered with RST.</summary>
    public int MaxInboundStreams { get; init; } = 512;

    /// <summary>Inbound streams waiting for <see cref="YamuxSession.AcceptStreamAsync"/>; beyond it a SYN is answered with RST.</summary>
    public int MaxAcceptBacklog { get; init; } = 256;

    /// <summary>How often an idle-or-not session pings the peer; <see cref="TimeSpan.Zero"/> disables keep-alive.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A keep-alive ping not answered within this ends the session.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest data frame payload we send; larger writes are cut into frames of this size.</summary>
    public int MaxFramePayload
    {
        get => _maxFramePayload;
        init => _maxFramePayload = value is >= 1024 and <= SpecInitialWindow
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxFramePayload), "between 1 KiB and 256 KiB");
    }
}
