using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Noise;

/// <summary>
/// The transport phase of noise-libp2p: a duplex pipe of plaintext over the raw transport.
/// Two pumps run for the channel's life:
/// <code>
///   Output (plaintext) ──encrypt pump──► transport.Output   frames of ≤ 65535 bytes, filled
///   Input  (plaintext) ◄──decrypt pump── transport.Input    one flush per batch of frames
/// </code>
/// The encrypt pump encrypts straight into the transport writer's span (gathering plaintext
/// that spans pipe segments there first and encrypting in place); the decrypt pump decrypts
/// straight into the Input pipe's span the same way. Neither allocates per frame. The decrypt pump stops reading the transport while Input holds
/// <see cref="InputPauseThreshold"/> unread bytes, so a slow reader pushes back on the peer.
/// </summary>
public sealed class SecureChannel : IDuplexPipe, IAsyncDisposable
{
    /// <summary>Unread plaintext at which the decrypt pump stops reading the transport.</summary>
    public const long InputPauseThreshold = 1024 * 1024;

    /// <summary>Unsent plaintext at which writes to <see cref="Output"/> wait for the encrypt pump.</summary>
    public const long OutputPauseThreshold = 1024 * 1024;

    /// <summary>Decrypted bytes after which the decrypt pump flushes even mid-batch, bounding overshoot.</summary>
    private const int InputFlushBatch = 256 * 1024;

    /// <summary>How long <see cref="DisposeAsync"/> lets pending frames drain before aborting.</summary>
    public static readonly TimeSpan GracefulCloseTimeout = TimeSpan.FromSeconds(10);

    private readonly IDuplexPipe _transport;
    private readonly CipherState _send;
    private readonly CipherState _receive;
    private readonly ILogger _logger;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _encryptPump;
    private readonly Task _decryptPump;
    private Exception? _failure;
    private Exception? _teardownReason;

    internal SecureChannel(IDuplexPipe transport, CipherState send, CipherState receive, PeerId remotePeer, PublicKey remoteKey, ILogger logger)
    {
        _transport = transport;
        _send = send;
        _receive = receive;
        _logger = logger;
        RemotePeer = remotePeer;
        RemotePublicKey = remoteKey;
        _input = new Pipe(new PipeOptions(
            pool: Buffers.SegmentPool.Instance,
            pauseWriterThreshold: InputPauseThreshold, resumeWriterThreshold: InputPauseThreshold / 2, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(
            pool: Buffers.SegmentPool.Instance,
            pauseWriterThreshold: OutputPauseThreshold, resumeWriterThreshold: OutputPauseThreshold / 2, useSynchronizationContext: false));
        _encryptPump = PumpAsync(EncryptLoopAsync, error =>
        {
            _output.Reader.Complete(error);
            _transport.Output.Complete(error);
            _send.Dispose();
        });
        _decryptPump = PumpAsync(DecryptLoopAsync, error =>
        {
            _transport.Input.Complete(error);
            _input.Writer.Complete(error);
            _receive.Dispose();
        });
        Completion = CompleteAsync();
    }

    public PeerId RemotePeer { get; }

    public PublicKey RemotePublicKey { get; }

    /// <summary>Decrypted bytes from the peer; completes at the peer's close, or with the error that ended the channel.</summary>
    public PipeReader Input => _input.Reader;

    /// <summary>Plaintext to the peer; completing it sends the remaining frames and half-closes the transport.</summary>
    public PipeWriter Output => _output.Writer;

    /// <summary>
    /// Completes when both directions have ended. Faults with the error that broke the channel
    /// (a bad frame, a transport failure, or the reason given to <see cref="Abort"/>).
    /// </summary>
    public Task Completion { get; }

    /// <summary>Tears down both directions and the transport now; pending data is dropped.</summary>
    public void Abort(Exception? reason = null)
    {
        if (reason is not null)
        {
            Interlocked.CompareExchange(ref _failure, reason, null);
        }
        Teardown(reason ?? new IOException("the secure channel was aborted"));
    }

    /// <summary>Completes <see cref="Output"/>, lets queued frames reach the transport, then tears down.</summary>
    public async ValueTask DisposeAsync()
    {
        _output.Writer.Complete();
        try
        {
            await _encryptPump.WaitAsync(GracefulCloseTimeout);
        }
        catch (TimeoutException)
        {
        }
        Teardown(null);  // a local close: the read side ends as at the peer's close, not with an error
        try
        {
            await Completion;
        }
#pragma warning disable CA1031 // the failure is reported through Completion; disposing must not throw it again
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Stops both pumps; each completes its own pipes with <paramref name="reason"/> (null: cleanly).</summary>
    private void Teardown(Exception? reason)
    {
        if (reason is not null)
        {
            Interlocked.CompareExchange(ref _teardownReason, reason, null);
        }
        _abort.Cancel();
    }

    private void Fail(Exception error)
    {
        if (Interlocked.CompareExchange(ref _failure, error, null) is null)
        {
            Log.ChannelFailed(_logger, RemotePeer, error.Message);
        }
        Teardown(error);
    }

    private async Task CompleteAsync()
    {
        await Task.WhenAll(_encryptPump, _decryptPump);
        Log.ChannelClosed(_logger, RemotePeer);
        if (_failure is not null)
        {
            ExceptionDispatchInfo.Throw(_failure);
        }
    }

    /// <summary>
    /// Runs one direction; never throws. Each pump completes the two pipes it drives, with
    /// the error that ended it (null for a clean end), so only one thread ever completes them.
    /// </summary>
    private async Task PumpAsync(Func<Task> loop, Action<Exception?> completePipes)
    {
        await Task.Yield();
        Exception? error = null;
        try
        {
            await loop();
        }
        catch (Exception) when (_abort.IsCancellationRequested)
        {
            // Torn down: whatever woke this pump (cancellation, or the transport failing because
            // the other pump already closed it) is a consequence, not the cause.
            error = _teardownReason;
        }
        catch (Exception e)
        {
            Fail(e);
            error = e;
        }
        finally
        {
            completePipes(error);
        }
    }

    private async Task EncryptLoopAsync()
    {
        while (true)
        {
            ReadResult result = await _output.Reader.ReadAsync(_abort.Token);
            ReadOnlySequence<byte> plaintext = result.Buffer;
            bool wrote = !plaintext.IsEmpty;
            EncryptFrames(plaintext);
            _output.Reader.AdvanceTo(plaintext.End);
            if (wrote)
            {
                FlushResult flushed = await _transport.Output.FlushAsync(_abort.Token);
                if (flushed.IsCompleted)
                {
                    break;  // the transport will take no more; Output writers see completion
                }
            }
            if (result.IsCompleted)
            {
                break;
            }
        }
    }

    /// <summary>Cuts the plaintext into maximal frames, each encrypted in place in the transport's buffer.</summary>
    private void EncryptFrames(ReadOnlySequence<byte> plaintext)
    {
        PipeWriter transport = _transport.Output;
        while (!plaintext.IsEmpty)
        {
            int length = (int)Math.Min(plaintext.Length, NoiseFrame.MaxPlaintextLength);
            int messageLength = length + CipherState.TagLength;
            Span<byte> frame = transport.GetSpan(NoiseFrame.HeaderLength + messageLength);
            NoiseFrame.WriteHeader(frame, messageLength);
            Span<byte> message = frame.Slice(NoiseFrame.HeaderLength, messageLength);
            if (plaintext.FirstSpan.Length >= length)
            {
                _send.Encrypt([], plaintext.FirstSpan[..length], message);
            }
            else
            {
                plaintext.Slice(0, length).CopyTo(message);  // spans segments: gather, then encrypt in place
                _send.Encrypt([], message[..length], message);
            }
            transport.Advance(NoiseFrame.HeaderLength + messageLength);
            plaintext = plaintext.Slice(length);
        }
    }

    private async Task DecryptLoopAsync()
    {
        PipeReader transport = _transport.Input;
        while (true)
        {
            ReadResult result = await transport.ReadAsync(_abort.Token);
            ReadOnlySequence<byte> unread = result.Buffer;
            bool drained = DecryptFrames(ref unread, out int decrypted);
            long partial = unread.Length;  // read before AdvanceTo hands the segments back
            if (drained)
            {
                transport.AdvanceTo(unread.Start, unread.End);
            }
            else
            {
                transport.AdvanceTo(unread.Start);  // complete frames remain: come straight back
            }
            if (decrypted > 0)
            {
                FlushResult flushed = await _input.Writer.FlushAsync(_abort.Token);
                if (flushed.IsCompleted)
                {
                    break;  // the application stopped reading
                }
            }
            if (drained && result.IsCompleted)
            {
                if (partial > 0)
                {
                    throw new NoiseFrameException($"the transport ended inside a Noise message ({partial} bytes of it received)");
                }
                break;
            }
        }
    }

    /// <summary>
    /// Decrypts whole frames into the Input pipe. Returns false when it stopped early to flush
    /// (complete frames remain), true when only a partial frame or nothing is left.
    /// </summary>
    private bool DecryptFrames(ref ReadOnlySequence<byte> unread, out int decrypted)
    {
        decrypted = 0;
        PipeWriter input = _input.Writer;
        while (NoiseFrame.TryRead(ref unread, out ReadOnlySequence<byte> message))
        {
            int length = (int)message.Length - CipherState.TagLength;
            if (length < 0)
            {
                throw new NoiseFrameException($"a Noise transport message of {message.Length} bytes is shorter than its tag");
            }
            Span<byte> span = input.GetSpan((int)message.Length)[..(int)message.Length];
            ReadOnlySpan<byte> ciphertext = message.FirstSpan;
            if (!message.IsSingleSegment)
            {
                message.CopyTo(span);  // spans segments: gather, then decrypt in place
                ciphertext = span;
            }
            if (!_receive.Decrypt([], ciphertext, span[..length]))
            {
                throw new NoiseFrameException("a Noise transport message failed authentication");
            }
            input.Advance(length);
            decrypted += length;
            if (decrypted >= InputFlushBatch)
            {
                return unread.IsEmpty;
            }
        }
        return true;
    }
}
