using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Transport;

/// <summary>
/// One TCP connection as a pair of pipes, shaped like Kestrel's SocketConnection:
/// <code>
///   socket ──ReceiveAsync──► input pipe  ──► Input  (application reads)
///   socket ◄──SendAsync───── output pipe ◄── Output (application writes)
/// </code>
/// The receive loop reads straight into the pipe's memory and stops reading the socket
/// while the application has <see cref="TcpTransportOptions.MaxBufferedBytes"/> unread, so a
/// slow reader throttles the peer through TCP flow control. The send loop writes each
/// flushed segment as it is. Neither loop allocates per read or write.
/// </summary>
public sealed class TransportConnection : ITransportConnection
{
    /// <summary>Smallest buffer handed to a receive; pipe segments are at least this large.</summary>
    private const int ReceiveSegmentSize = 16 * 1024;

    /// <summary>How long <see cref="DisposeAsync"/> waits for buffered output to reach the socket before aborting.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly Task _receiving;
    private readonly Task _sending;
    private int _aborted;
    private int _disposed;

    internal TransportConnection(Socket socket, long maxBufferedBytes, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        LocalAddress = Multiaddr.FromIPEndPoint((IPEndPoint)socket.LocalEndPoint!);
        RemoteAddress = Multiaddr.FromIPEndPoint((IPEndPoint)socket.RemoteEndPoint!);
        // The application side always resumes on the thread pool so protocol code never runs
        // on, or blocks, a socket loop; the loop side resumes inline (it only issues a syscall).
        _input = new Pipe(new PipeOptions(
            pool: Buffers.SegmentPool.Instance,
            pauseWriterThreshold: maxBufferedBytes,
            resumeWriterThreshold: maxBufferedBytes / 2,
            minimumSegmentSize: ReceiveSegmentSize,
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(
            pool: Buffers.SegmentPool.Instance,
            pauseWriterThreshold: maxBufferedBytes,
            resumeWriterThreshold: maxBufferedBytes / 2,
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.ThreadPool,
            useSynchronizationContext: false));
        _receiving = ReceiveLoopAsync();
        _sending = SendLoopAsync();
        Completion = Task.WhenAll(_receiving, _sending);
    }

    /// <summary>Our end, as <c>/ip4|ip6/…/tcp/port</c>.</summary>
    public Multiaddr LocalAddress { get; }

    /// <summary>The peer's end as the socket sees it, <c>/ip4|ip6/…/tcp/port</c> (never a DNS name or /p2p).</summary>
    public Multiaddr RemoteAddress { get; }

    /// <summary>
    /// Bytes from the peer. Completes when the peer closes its sending side (FIN); completes
    /// with an <see cref="IOException"/> when the connection is reset or aborted.
    /// </summary>
    public PipeReader Input => _input.Reader;

    /// <summary>
    /// Bytes to the peer. Completing it sends FIN after everything written (half-close); the
    /// input stays open. FlushAsync throws an <see cref="IOException"/> once sending failed.
    /// </summary>
    public PipeWriter Output => _output.Writer;

    /// <summary>Completes when both socket loops have ended; never faults.</summary>
    public Task Completion { get; }

    /// <summary>Closes at once with a TCP reset; unsent output is dropped.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        Log.Aborted(_logger, RemoteAddress);
        try
        {
            // SO_LINGER with a zero timeout: close sends RST instead of FIN.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing left to reset.
        }
        _socket.Dispose();
        _output.Reader.CancelPendingRead();
    }

    /// <summary>
    /// Graceful close: whatever was written is sent, then FIN, then the socket is closed.
    /// Aborts instead if the output cannot drain within a few seconds (the peer stopped
    /// reading). Bytes the peer sends after this are discarded.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await Completion;
            return;
        }
        await _output.Writer.CompleteAsync();
        try
        {
            await _sending.WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            Log.CloseTimedOut(_logger, RemoteAddress, DrainTimeout);
            Abort();
        }
        await _input.Reader.CompleteAsync();
        _socket.Dispose();
        await Completion;
    }

    private bool IsAborted => Volatile.Read(ref _aborted) != 0;

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        PipeWriter writer = _input.Writer;
        try
        {
            while (true)
            {
                Memory<byte> buffer = writer.GetMemory(ReceiveSegmentSize);
                int received = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                if (received == 0)
                {
                    break; // FIN: the peer will send nothing more.
                }
                writer.Advance(received);
                FlushResult flush = await writer.FlushAsync();
                if (flush.IsCompleted)
                {
                    break; // Nobody reads the input any more.
                }
            }
        }
        catch (SocketException e) when (!IsAborted && IsReset(e.SocketErrorCode))
        {
            Log.ConnectionReset(_logger, RemoteAddress);
            error = new IOException($"connection to {RemoteAddress} was reset by the peer", e);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            error = IsAborted || Volatile.Read(ref _disposed) != 0
                ? new IOException($"connection to {RemoteAddress} was aborted", e)
                : new IOException($"receiving from {RemoteAddress} failed: {e.Message}", e);
        }
        await writer.CompleteAsync(error);
    }

    private async Task SendLoopAsync()
    {
        Exception? error = null;
        PipeReader reader = _output.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync();
                if (result.IsCanceled)
                {
                    break; // Abort()
                }
                ReadOnlySequence<byte> buffer = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    // Stream sockets send the whole segment before the task completes.
                    await _socket.SendAsync(segment, SocketFlags.None);
                }
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
            if (!IsAborted)
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (SocketException e) when (!IsAborted)
        {
            Log.SendFailed(_logger, RemoteAddress, e.SocketErrorCode);
            error = IsReset(e.SocketErrorCode)
                ? new IOException($"connection to {RemoteAddress} was reset by the peer", e)
                : new IOException($"sending to {RemoteAddress} failed: {e.Message}", e);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            error = new IOException($"connection to {RemoteAddress} was aborted", e);
        }
        if (IsAborted)
        {
            error ??= new IOException($"connection to {RemoteAddress} was aborted");
        }
        await reader.CompleteAsync(error);
    }

    private static bool IsReset(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown;
}
