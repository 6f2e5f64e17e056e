using Nnrp.Libp2p.Kad.Protobuf;

namespace Nnrp.Libp2p.Kad.Query;

/// <summary>
/// Runs a <see cref="ClosestPeersLookup"/> over the network: sends what it asks for, feeds
/// back answers and failures, and ends when it is finished, stopped by
/// <c>onResponse</c>, or out of time (<see cref="LookupOptions.LookupTimeout"/>).
/// </summary>
internal static class LookupDriver
{
    public delegate Task<Message?> Send(KadPeer peer, CancellationToken cancellationToken);

    /// <summary>Called with each answer; returns true when the caller has what it needs.</summary>
    public delegate bool OnResponse(KadPeer peer, Message response);

    public static async Task<IReadOnlyList<KadPeer>> RunAsync(
        ClosestPeersLookup lookup,
        LookupOptions options,
        Send send,
        Func<Message, List<KadPeer>> readCloser,
        OnResponse? onResponse,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.LookupTimeout);
        var inFlight = new Dictionary<Task<Message?>, KadPeer>();
        try
        {
            while (!lookup.IsFinished && !deadline.IsCancellationRequested)
            {
                foreach (KadPeer peer in lookup.NextQueries())
                {
                    inFlight[send(peer, deadline.Token)] = peer;
                }
                if (inFlight.Count == 0)
                {
                    break;
                }
                Task<Message?> done = await Task.WhenAny(inFlight.Keys);
                KadPeer answered = inFlight[done];
                inFlight.Remove(done);
                if (!done.IsCompletedSuccessfully || done.Result is not { } response)
                {
                    lookup.OnFailure(answered);
                    continue;
                }
                List<KadPeer> closer;
                try
                {
                    closer = readCloser(response);
                }
                catch (ProtocolViolationException)
                {
                    lookup.OnFailure(answered);
                    continue;
                }
                lookup.OnSuccess(answered, closer);
                if (onResponse is not null && onResponse(answered, response))
                {
                    lookup.Stop();
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            return lookup.ClosestPeers();
        }
        finally
        {
            await deadline.CancelAsync();
            foreach (Task<Message?> pending in inFlight.Keys)
            {
                // Requests still out end with the deadline; observe them so no exception goes unseen.
                _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }
}
