using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Buffers;
using Nnrp.Libp2p.Transport;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>
/// One WebSocket connection (RFC 6455) carrying libp2p's byte stream in binary frames
/// (libp2p/specs websockets/README.md), as a pair of pipes over a TCP connection:
/// <code>
///   TCP ─[TLS]─► receive loop: frames → unmask → Input  (Ping → Pong, Close → echo, end)
///   TCP ◄[TLS]── send loop:    Output → binary frames (masked if we dialed) + control frames
/// </code>
/// The send loop is the only writer of the raw side; the receive loop hands it control frames
/// through a queue. A server connection runs its TLS and HTTP upgrade inside the receive loop,
/// started when the host first uses the connection: the listener hands it out at once, the
/// host admits it (or resets it unanswered) and counts it as a pending handshake (NNRP.md
/// §14.1) until the libp2p upgrade on top finishes.
/// </summary>
public sealed class WebSocketConnection : ITransportConnection
{
    /// <summary>
    /// Largest data frame payload accepted (RFC 6455 §10.4 lets an endpoint cap frame size;
    /// the <c>ws</c> library under js-libp2p sends one frame per write, at most a few hundred
    /// KiB). Payloads are streamed, never buffered whole; a larger frame closes with 1009.
    /// </summary>
    public const long MaxFramePayloadLength = 4 * 1024 * 1024;

    /// <summary>Data frame payload this side sends at most: one Noise message's worth (65 535) rounded up.</summary>
    public const int MaxSendFramePayloadLength = 64 * 1024;

    /// <summary>
    /// Control frames waiting for the writer. A Ping beyond this is not answered: RFC 6455
    /// §5.5.3 only asks for a Pong to the most recent Ping, and a flood must not grow memory.
    /// </summary>
    private const int MaxQueuedControlFrames = 4;

    /// <summary>How long <see cref="DisposeAsync"/> waits for the Close frame to go out before aborting.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly TransportConnection _tcp;
    private readonly bool _client;
    private readonly X509Certificate2? _serverTls;
    private readonly TimeSpan _upgradeTimeout;
    private readonly ILogger _logger;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly ConcurrentQueue<ControlFrame> _control = new();
    private readonly TaskCompletionSource<bool> _upgraded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _loopsEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiving = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;
    private int _started;
    private IDuplexPipe _raw;
    private SslStream? _tls;
    private int _closeQueued;
    private int _aborted;
    private int _disposed;

    private WebSocketConnection(
        TransportConnection tcp,
        IDuplexPipe raw,
        SslStream? tls,
        bool client,
        X509Certificate2? serverTls,
        Multiaddr suffix,
        TimeSpan upgradeTimeout,
        long maxBufferedBytes,
        ILogger logger)
    {
        _tcp = tcp;
        _raw = raw;
        _tls = tls;
        _client = client;
        _serverTls = serverTls;
        _upgradeTimeout = upgradeTimeout;
        _logger = logger;
        LocalAddress = tcp.LocalAddress.Encapsulate(suffix);
        RemoteAddress = tcp.RemoteAddress.Encapsulate(suffix);
        _input = new Pipe(new PipeOptions(
            pool: SegmentPool.Instance,
            pauseWriterThreshold: maxBufferedBytes,
            resumeWriterThreshold: maxBufferedBytes / 2,
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(
            pool: SegmentPool.Instance,
            pauseWriterThreshold: maxBufferedBytes,
            resumeWriterThreshold: maxBufferedBytes / 2,
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.ThreadPool,
            useSynchronizationContext: false));
        Completion = Task.WhenAll(_loopsEnded.Task, tcp.Completion);
        if (client)
        {
            _upgraded.SetResult(true);
            Start();
        }
    }

    public Multiaddr LocalAddress { get; }

    public Multiaddr RemoteAddress { get; }

    /// <summary>Payload bytes of the peer's binary frames; completes on the peer's Close (or with an error on a violation, reset or failed upgrade).</summary>
    public PipeReader Input
    {
        get
        {
            Start();
            return _input.Reader;
        }
    }

    /// <summary>Bytes to send as binary frames; completing it sends Close 1000.</summary>
    public PipeWriter Output
    {
        get
        {
            Start();
            return _output.Writer;
        }
    }

    public Task Completion { get; }

    private bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Server side: TLS (if <paramref name="tls"/> is set) and the HTTP upgrade run once the connection is first used.</summary>
    internal static WebSocketConnection Accept(TransportConnection tcp, X509Certificate2? tls, TimeSpan upgradeTimeout, long maxBufferedBytes, ILogger logger) =>
        new(tcp, tcp, null, client: false, tls, WebSocketAddress.Suffix(tls is not null), upgradeTimeout, maxBufferedBytes, logger);

    /// <summary>Client side: TLS if the address asks for it, then the HTTP upgrade, all within <paramref name="upgradeTimeout"/>.</summary>
    internal static async Task<WebSocketConnection> ConnectAsync(
        TransportConnection tcp,
        WebSocketAddress address,
        RemoteCertificateValidationCallback? validation,
        TimeSpan upgradeTimeout,
        long maxBufferedBytes,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(upgradeTimeout);
        SslStream? tls = null;
        try
        {
            IDuplexPipe raw = tcp;
            if (address.Tls)
            {
                tls = new SslStream(new PipeStream(tcp), leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = address.TlsTargetHost,
                    RemoteCertificateValidationCallback = validation,
                }, timeout.Token);
                raw = PipesOver(tls);
            }
            string key = UpgradeHandshake.NewKey();
            await raw.Output.WriteAsync(UpgradeHandshake.Request(address.HostHeader, key), timeout.Token);
            UpgradeHandshake.Head response = await ReadHeadAsync(raw.Input, timeout.Token);
            UpgradeHandshake.ValidateResponse(response, key);
            return new WebSocketConnection(tcp, raw, tls, client: true, null, WebSocketAddress.Suffix(address.Tls), upgradeTimeout, maxBufferedBytes, logger);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            tcp.Abort();
            tls?.Dispose();
            throw new WebSocketUpgradeException(0, $"no WebSocket upgrade within {upgradeTimeout.TotalSeconds:0.#} s ({e.Message})");
        }
        catch
        {
            tcp.Abort();
            tls?.Dispose();
            throw;
        }
    }

    /// <summary>Closes at once with a TCP reset; nothing more is sent.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        NeverStart();
        _tcp.Abort();
        _output.Reader.CancelPendingRead();
    }

    /// <summary>
    /// Graceful close (RFC 6455 §7.1.2): sends what was written, then Close 1000, then FIN; a
    /// peer that does not take the bytes within a few seconds gets a reset instead.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await Completion;
            return;
        }
        if (NeverStart())
        {
            await _tcp.DisposeAsync();
            await Completion;
            return;
        }
        await _output.Writer.CompleteAsync();
        if (!await Within(_sending, DrainTimeout))
        {
            Log.CloseTimedOut(_logger, RemoteAddress, DrainTimeout);
            Abort();
        }
        await _input.Reader.CompleteAsync();
        // Stop a receive loop still waiting for the peer (its Close reply is not needed to finish).
        Volatile.Read(ref _raw).Input.CancelPendingRead();
        if (!await Within(_receiving, DrainTimeout))
        {
            Abort();
        }
        _tls?.Dispose();
        await _tcp.DisposeAsync();
        await Completion;
    }

    /// <summary>
    /// Runs the loops on first use. A server connection does nothing (not even its upgrade)
    /// until the host, having admitted it, reads or writes: a refused socket gets no answer.
    /// </summary>
    private void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }
        _receiving = ReceiveLoopAsync();
        _sending = SendLoopAsync();
        _ = Task.WhenAll(_receiving, _sending).ContinueWith(
            static (_, state) => ((TaskCompletionSource)state!).TrySetResult(),
            _loopsEnded,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Closing before first use: the loops will never run. Returns whether that was so.</summary>
    private bool NeverStart()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return false;
        }
        _loopsEnded.TrySetResult();
        return true;
    }

    private static async Task<bool> Within(Task task, TimeSpan limit)
    {
        try
        {
            await task.WaitAsync(limit);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static IDuplexPipe PipesOver(SslStream tls) => new StreamPipes(
        PipeReader.Create(tls, new StreamPipeReaderOptions(pool: SegmentPool.Instance, bufferSize: 16 * 1024, leaveOpen: true)),
        PipeWriter.Create(tls, new StreamPipeWriterOptions(pool: SegmentPool.Instance, leaveOpen: true)));

    private static async Task<UpgradeHandshake.Head> ReadHeadAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                throw new OperationCanceledException("upgrade cancelled");
            }
            UpgradeHandshake.Head? head;
            try
            {
                if (UpgradeHandshake.TryReadHead(ref buffer, out head))
                {
                    reader.AdvanceTo(buffer.Start); // frames right after the head stay buffered
                    return head;
                }
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start);
                throw;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new WebSocketUpgradeException(0, "the connection closed before the HTTP head was complete");
            }
        }
    }

    /// <summary>Server side: TLS, read and check the request, answer 101 — or a 400/426 and close.</summary>
    private async Task<bool> ServerUpgradeAsync()
    {
        using var timeout = new CancellationTokenSource(_upgradeTimeout);
        IDuplexPipe raw = _tcp;
        try
        {
            if (_serverTls is not null)
            {
                var tls = new SslStream(new PipeStream(_tcp), leaveInnerStreamOpen: false);
                _tls = tls;
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _serverTls,
                    ClientCertificateRequired = false,
                }, timeout.Token);
                raw = PipesOver(tls);
                Volatile.Write(ref _raw, raw);
            }
            string key;
            try
            {
                key = UpgradeHandshake.ValidateRequest(await ReadHeadAsync(raw.Input, timeout.Token));
            }
            catch (WebSocketUpgradeException e) when (e.HttpStatus != 0)
            {
                Log.UpgradeRefused(_logger, RemoteAddress, e.HttpStatus, e.Message);
                await raw.Output.WriteAsync(UpgradeHandshake.Refusal(e.HttpStatus, e.Message), CancellationToken.None);
                await raw.Output.CompleteAsync();
                throw;
            }
            await raw.Output.WriteAsync(UpgradeHandshake.SwitchingProtocols(key), timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new WebSocketUpgradeException(0, $"no WebSocket upgrade within {_upgradeTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException)
        {
            throw new WebSocketUpgradeException(0, "TLS handshake failed: " + e.Message);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        PipeWriter app = _input.Writer;
        try
        {
            if (!_client)
            {
                try
                {
                    await ServerUpgradeAsync();
                    _upgraded.TrySetResult(true);
                }
                catch (Exception e)
                {
                    _upgraded.TrySetResult(false);
                    Log.UpgradeFailed(_logger, RemoteAddress, e.Message);
                    // Let a refusal reach the peer before the socket closes (the host aborts us next).
                    if (!IsAborted)
                    {
                        await _tcp.DisposeAsync();
                    }
                    throw;
                }
            }
            await ReadFramesAsync(app);
        }
        catch (WebSocketProtocolException e)
        {
            Log.ProtocolViolation(_logger, RemoteAddress, e.Message);
            QueueClose(e.CloseStatus, e.Message);
            error = e;
        }
        catch (Exception e)
        {
            // Whatever ended the loop (reset, failed upgrade, TLS error), the reader learns it here.
            error = e as IOException ?? new IOException($"WebSocket connection to {RemoteAddress} failed: {e.Message}", e);
        }
        await app.CompleteAsync(error);
    }

    private async Task ReadFramesAsync(PipeWriter app)
    {
        PipeReader reader = _raw.Input;
        bool expectMasked = !_client;
        long remaining = 0;     // payload bytes of the current data frame not read yet
        uint key = 0;
        int keyOffset = 0;
        bool masked = false;
        bool inMessage = false; // a fragmented message awaits its continuation frames
        byte[] controlPayload = new byte[FrameCodec.MaxControlPayloadLength];
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                return; // DisposeAsync: no longer interested
            }
            bool closed = false;
            while (true)
            {
                if (remaining > 0)
                {
                    if (buffer.IsEmpty)
                    {
                        break;
                    }
                    long take = Math.Min(remaining, buffer.Length);
                    keyOffset = CopyPayload(buffer.Slice(0, take), app, masked, key, keyOffset);
                    buffer = buffer.Slice(take);
                    remaining -= take;
                    continue;
                }
                ReadOnlySequence<byte> probe = buffer;
                if (!FrameCodec.TryReadHeader(ref probe, expectMasked, MaxFramePayloadLength, out FrameHeader header))
                {
                    break;
                }
                if (header.IsControl)
                {
                    if (probe.Length < header.PayloadLength)
                    {
                        break; // control frames are handled whole (≤ 125 bytes)
                    }
                    Span<byte> payload = controlPayload.AsSpan(0, (int)header.PayloadLength);
                    probe.Slice(0, payload.Length).CopyTo(payload);
                    if (header.Masked)
                    {
                        FrameCodec.MaskCopy(payload, payload, header.MaskKey, 0);
                    }
                    buffer = probe.Slice(payload.Length);
                    if (OnControlFrame(header.Opcode, payload))
                    {
                        closed = true;
                        break;
                    }
                    continue;
                }
                switch (header.Opcode)
                {
                    case Opcode.Text:
                        throw new WebSocketProtocolException(CloseStatus.UnsupportedData, "text frame; libp2p data travels in binary frames");
                    case Opcode.Binary when inMessage:
                        throw new WebSocketProtocolException(CloseStatus.ProtocolError, "new message before the fragmented one ended");
                    case Opcode.Continuation when !inMessage:
                        throw new WebSocketProtocolException(CloseStatus.ProtocolError, "continuation frame without a message to continue");
                }
                // Message boundaries carry no meaning for libp2p: payloads join one byte stream.
                inMessage = !header.Fin;
                remaining = header.PayloadLength;
                masked = header.Masked;
                key = header.MaskKey;
                keyOffset = 0;
                buffer = probe;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            FlushResult flush = await app.FlushAsync();
            if (closed || flush.IsCompleted)
            {
                return;
            }
            if (result.IsCompleted)
            {
                if (remaining > 0 || !buffer.IsEmpty)
                {
                    throw new IOException($"WebSocket connection to {RemoteAddress} ended inside a frame");
                }
                return; // TCP closed without a Close frame (1006): the stream simply ends
            }
        }
    }

    private static int CopyPayload(ReadOnlySequence<byte> payload, PipeWriter app, bool masked, uint key, int keyOffset)
    {
        foreach (ReadOnlyMemory<byte> segment in payload)
        {
            ReadOnlySpan<byte> source = segment.Span;
            while (!source.IsEmpty)
            {
                Span<byte> destination = app.GetSpan();
                int n = Math.Min(source.Length, destination.Length);
                if (masked)
                {
                    keyOffset = FrameCodec.MaskCopy(source[..n], destination, key, keyOffset);
                }
                else
                {
                    source[..n].CopyTo(destination);
                }
                app.Advance(n);
                source = source[n..];
            }
        }
        return keyOffset;
    }

    /// <summary>Answers Ping, ignores Pong, echoes Close (RFC 6455 §5.5); returns true on Close.</summary>
    private bool OnControlFrame(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        switch (opcode)
        {
            case Opcode.Ping:
                if (Volatile.Read(ref _closeQueued) == 0 && _control.Count < MaxQueuedControlFrames)
                {
                    _control.Enqueue(new ControlFrame(Opcode.Pong, payload.ToArray()));
                    _output.Reader.CancelPendingRead(); // wake the writer
                }
                return false;
            case Opcode.Pong:
                return false;
            default:
                ushort status = CloseStatus.Normal;
                if (payload.Length == 1)
                {
                    throw new WebSocketProtocolException(CloseStatus.ProtocolError, "Close frame with a 1-byte payload");
                }
                if (payload.Length >= 2)
                {
                    status = BinaryPrimitives.ReadUInt16BigEndian(payload);
                    if (status < 1000 || status is 1004 or 1005 or 1006 or 1015 || (status > 1015 && status < 3000) || status >= 5000)
                    {
                        throw new WebSocketProtocolException(CloseStatus.ProtocolError, $"Close status {status} may not be sent");
                    }
                }
                Log.CloseReceived(_logger, RemoteAddress, status);
                QueueClose(status, null); // §5.5.1: echo the status code
                return true;
        }
    }

    private void QueueClose(ushort status, string? reason)
    {
        if (Interlocked.Exchange(ref _closeQueued, 1) != 0)
        {
            return;
        }
        byte[] text = reason is null ? [] : System.Text.Encoding.UTF8.GetBytes(reason.Length > 100 ? reason[..100] : reason);
        var payload = new byte[2 + text.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, status);
        text.CopyTo(payload, 2);
        _control.Enqueue(new ControlFrame(Opcode.Close, payload));
        _output.Reader.CancelPendingRead();
    }

    private async Task SendLoopAsync()
    {
        PipeReader app = _output.Reader;
        if (!await _upgraded.Task)
        {
            await app.CompleteAsync(new IOException($"WebSocket upgrade with {RemoteAddress} failed"));
            return;
        }
        PipeWriter raw = Volatile.Read(ref _raw).Output;
        Exception? error = null;
        bool closeSent = false;
        bool byUs = false;
        try
        {
            while (!closeSent)
            {
                ReadResult result = await app.ReadAsync();
                if (IsAborted)
                {
                    break;
                }
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    ReadOnlySequence<byte> chunk = buffer.Slice(0, Math.Min(buffer.Length, MaxSendFramePayloadLength));
                    WriteFrame(raw, Opcode.Binary, chunk);
                    buffer = buffer.Slice(chunk.End);
                }
                app.AdvanceTo(result.Buffer.End);
                while (_control.TryDequeue(out ControlFrame frame))
                {
                    WriteFrame(raw, frame.Opcode, new ReadOnlySequence<byte>(frame.Payload));
                    if (frame.Opcode == Opcode.Close)
                    {
                        closeSent = true;
                        break;
                    }
                }
                if (!closeSent && result.IsCompleted && Interlocked.Exchange(ref _closeQueued, 1) == 0)
                {
                    var payload = new byte[2];
                    BinaryPrimitives.WriteUInt16BigEndian(payload, CloseStatus.Normal);
                    WriteFrame(raw, Opcode.Close, new ReadOnlySequence<byte>(payload));
                    closeSent = byUs = true;
                }
                FlushResult flush = await raw.FlushAsync();
                if (flush.IsCompleted)
                {
                    break;
                }
            }
            if (!IsAborted)
            {
                await raw.CompleteAsync();
            }
        }
        catch (Exception e)
        {
            // Reset, abort or TLS failure: the writer's next flush reports it.
            error = e as IOException ?? new IOException($"sending to {RemoteAddress} failed: {e.Message}", e);
        }
        if (error is null && (!byUs || IsAborted))
        {
            error = new IOException($"WebSocket connection to {RemoteAddress} is closed");
        }
        await app.CompleteAsync(error);
    }

    /// <summary>One FIN frame; a client masks it with a fresh key from a strong source (RFC 6455 §5.3).</summary>
    private void WriteFrame(PipeWriter writer, Opcode opcode, ReadOnlySequence<byte> payload)
    {
        uint key = 0;
        if (_client)
        {
            Span<byte> k = stackalloc byte[4];
            RandomNumberGenerator.Fill(k);
            key = BinaryPrimitives.ReadUInt32LittleEndian(k);
        }
        Span<byte> header = writer.GetSpan(FrameCodec.MaxHeaderLength);
        writer.Advance(FrameCodec.WriteHeader(header, opcode, payload.Length, _client, key));
        CopyPayload(payload, writer, _client, key, 0);
    }

    private readonly record struct ControlFrame(Opcode Opcode, byte[] Payload);

    private sealed record StreamPipes(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
