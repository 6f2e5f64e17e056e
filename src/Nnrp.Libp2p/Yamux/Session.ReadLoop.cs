using System.Buffers;
using System.IO.Pipelines;

namespace Nnrp.Libp2p.Yamux;

public sealed partial class YamuxSession
{
    private async Task ReadLoopAsync()
    {
        PipeReader input = _transport.Input;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(_abort.Token);
                if (result.IsCanceled || _terminating)
                {
                    break;
                }
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    ReadFrames(ref buffer);
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new YamuxProtocolException("the connection closed in the middle of a yamux frame");
                    }
                    Terminate(null, goAway: null, abortNow: false);
                    break;
                }
            }
        }
        catch (YamuxProtocolException ex)
        {
            Terminate(ex, YamuxGoAwayCode.ProtocolError, abortNow: false);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
        }
        catch (YamuxSessionClosedException ex)
        {
            Terminate(ex, goAway: null, abortNow: true);
        }
#pragma warning disable CA1031 // whatever broke, the session must end and report it in Completion
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TransportFailed(_logger, ex);
            Terminate(ex, goAway: null, abortNow: true);
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    /// <summary>Handles every whole frame in <paramref name="buffer"/> and leaves the rest in it.</summary>
    private void ReadFrames(ref ReadOnlySequence<byte> buffer)
    {
        while (!_terminating && FrameCodec.TryReadHeader(buffer, out FrameHeader header))
        {
            long frameLength = FrameHeader.Size;
            switch (header.Type)
            {
                case FrameType.Data:
                    CheckStreamFrame(header);
                    CheckDataLength(header);
                    frameLength += header.Length;
                    if (buffer.Length < frameLength)
                    {
                        return;
                    }
                    OnStreamFrame(header, buffer.Slice(FrameHeader.Size, header.Length));
                    break;
                case FrameType.WindowUpdate:
                    CheckStreamFrame(header);
                    OnStreamFrame(header, ReadOnlySequence<byte>.Empty);
                    break;
                case FrameType.Ping:
                    OnPing(header);
                    break;
                default:
                    OnGoAway(header);
                    break;
            }
            buffer = buffer.Slice(frameLength);
        }
    }

    private static void CheckStreamFrame(in FrameHeader header)
    {
        // Spec "StreamID Field": "the 0 ID is reserved to represent the session".
        if (header.StreamId == 0)
        {
            throw new YamuxProtocolException($"{header.Type} frame on stream 0, which is reserved for the session");
        }
    }

    /// <summary>
    /// Spec "Flow Control": a sender may not exceed the window it was granted. Checked before
    /// the payload is buffered, so the frame length a peer claims cannot make us buffer more.
    /// </summary>
    private void CheckDataLength(in FrameHeader header)
    {
        uint limit;
        if ((header.Flags & FrameFlags.Syn) != 0)
        {
            limit = YamuxOptions.SpecInitialWindow; // a new stream starts with the spec's window
        }
        else if (_streams.TryGetValue(header.StreamId, out YamuxStream? stream))
        {
            if (!stream.FitsReceiveWindow(header.Length))
            {
                throw new YamuxProtocolException(
                    $"stream {header.StreamId}: a {header.Length}-byte data frame exceeds the receive window");
            }
            return;
        }
        else
        {
            limit = (uint)_options.MaxWindowSize; // a stream we closed; it had at most this much credit
        }
        if (header.Length > limit)
        {
            throw new YamuxProtocolException(
                $"stream {header.StreamId}: a {header.Length}-byte data frame exceeds any window we granted");
        }
    }

    private void OnStreamFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        YamuxStream? stream;
        if ((header.Flags & FrameFlags.Syn) != 0)
        {
            stream = OpenInbound(header.StreamId);
            if (stream is null)
            {
                return;
            }
        }
        else if (!_streams.TryGetValue(header.StreamId, out stream))
        {
            // Frames still in flight for a stream we closed or reset: drop them.
            Log.UnknownStreamFrame(_logger, header.StreamId);
            return;
        }

        if ((header.Flags & FrameFlags.Ack) != 0)
        {
            stream.OnAck();
        }
        if (header.Type == FrameType.WindowUpdate)
        {
            stream.OnWindowUpdate(header.Length);
        }
        else
        {
            stream.OnData(payload);
        }
        if ((header.Flags & FrameFlags.Fin) != 0)
        {
            stream.OnRemoteFin();
        }
        if ((header.Flags & FrameFlags.Rst) != 0)
        {
            stream.OnRemoteReset();
        }
    }

    private YamuxStream? OpenInbound(uint id)
    {
        bool peerIsClient = _role == YamuxRole.Server;
        if ((id % 2 == 1) != peerIsClient)
        {
            throw new YamuxProtocolException(
                $"SYN for stream {id}: a {(peerIsClient ? "client" : "server")} must use {(peerIsClient ? "odd" : "even")} ids");
        }
        if (_streams.ContainsKey(id))
        {
            throw new YamuxProtocolException($"SYN for stream {id}, which is already open");
        }
        string? refusal =
            _localGoAway ? "we sent go away" :
            _remoteGoAway ? "the peer sent go away" :
            Volatile.Read(ref _inboundCount) >= _options.MaxInboundStreams ? "too many inbound streams" :
            null;
        if (refusal is not null)
        {
            RefuseStream(id, refusal);
            return null;
        }
        var stream = new YamuxStream(this, id, inbound: true, _options);
        _streams[id] = stream;
        Interlocked.Increment(ref _inboundCount);
        if (!_acceptQueue.Writer.TryWrite(stream))
        {
            Forget(stream);
            RefuseStream(id, "accept backlog full");
            return null;
        }
        return stream;
    }

    private void RefuseStream(uint id, string reason)
    {
        Log.InboundStreamRefused(_logger, id, reason);
        EnqueuePeerTriggeredControl(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Rst, id, 0));
    }

    private void OnPing(in FrameHeader header)
    {
        // Spec "Ping": SYN asks, ACK answers with the same opaque value.
        if ((header.Flags & FrameFlags.Syn) != 0)
        {
            EnqueuePeerTriggeredControl(new FrameHeader(FrameType.Ping, FrameFlags.Ack, 0, header.Length));
        }
        else if ((header.Flags & FrameFlags.Ack) != 0 && _pings.TryRemove(header.Length, out PendingPing? ping))
        {
            ping.Answered();
        }
    }

    private void OnGoAway(in FrameHeader header)
    {
        var code = (YamuxGoAwayCode)header.Length;
        Log.GoAwayReceived(_logger, code);
        _remoteGoAway = true;
        _acceptQueue.Writer.TryComplete();
        if (code != YamuxGoAwayCode.Normal)
        {
            throw new YamuxSessionClosedException($"the peer ended the yamux session with go away {code}");
        }
    }
}
