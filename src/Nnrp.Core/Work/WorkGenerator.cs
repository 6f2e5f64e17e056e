using System.Diagnostics;
using System.Security.Cryptography;

namespace Nnrp.Core.Work;

/// <summary>Which BLAKE2b implementation the generator runs.</summary>
public enum WorkPath
{
    /// <summary>The widest the CPU runs in hardware: Vector512, else Vector256, else scalar.</summary>
    Auto,

    /// <summary>One nonce at a time (the specialised scalar compression).</summary>
    Scalar,

    /// <summary>Four nonces per AVX2 vector.</summary>
    Vector256,

    /// <summary>Eight nonces per AVX-512 vector.</summary>
    Vector512,
}

/// <summary>Progress of a running search.</summary>
/// <param name="Hashes">Nonces tried so far.</param>
/// <param name="Elapsed">Time since the search started.</param>
public readonly record struct WorkProgress(long Hashes, TimeSpan Elapsed)
{
    /// <summary>Hashes per second over the whole search so far.</summary>
    public double HashesPerSecond => Elapsed > TimeSpan.Zero ? Hashes / Elapsed.TotalSeconds : 0;
}

/// <summary>A found work value.</summary>
/// <param name="Work">The nonce (write it with <see cref="ProofOfWork.FormatWork"/>).</param>
/// <param name="Value">Its PoW value (≥ the requested threshold).</param>
/// <param name="Hashes">Nonces tried by all threads.</param>
/// <param name="Elapsed">Wall time of the search.</param>
/// <param name="Path">The implementation that ran.</param>
/// <param name="Threads">Threads that searched.</param>
public sealed record WorkResult(ulong Work, ulong Value, long Hashes, TimeSpan Elapsed, WorkPath Path, int Threads)
{
    /// <summary>Hashes per second over the search.</summary>
    public double HashesPerSecond => Elapsed > TimeSpan.Zero ? Hashes / Elapsed.TotalSeconds : 0;
}

/// <summary>Options of <see cref="WorkGenerator"/>.</summary>
public sealed record WorkGeneratorOptions
{
    /// <summary>Search threads; 0 means one per logical processor.</summary>
    public int Threads { get; init; }

    /// <summary>Implementation to run.</summary>
    public WorkPath Path { get; init; } = WorkPath.Auto;

    /// <summary>How often progress is reported.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// First nonce of thread 0 (thread i starts i × 2^58 further on). Null draws a random
    /// start, which is what real clients should do so that two searches never overlap.
    /// </summary>
    public ulong? StartNonce { get; init; }
}

/// <summary>
/// Finds Nano-compatible work on every core with the widest SIMD the CPU has. Each thread
/// walks its own nonce range in batches; between batches it checks whether another thread
/// won or the caller cancelled, so cancellation takes effect within one batch (~1 ms).
/// </summary>
public static class WorkGenerator
{
    /// <summary>Nonces a thread hashes between checks of the stop flag.</summary>
    internal const int BatchHashes = 1 << 14;

    /// <summary>The path <see cref="WorkPath.Auto"/> resolves to on this CPU.</summary>
    public static WorkPath BestPath =>
        Vector512Lanes.IsSupported ? WorkPath.Vector512
        : Vector256Lanes.IsSupported ? WorkPath.Vector256
        : WorkPath.Scalar;

    /// <summary>True when this CPU can run <paramref name="path"/>.</summary>
    public static bool IsSupported(WorkPath path) => path switch
    {
        WorkPath.Auto or WorkPath.Scalar => true,
        WorkPath.Vector256 => Vector256Lanes.IsSupported,
        WorkPath.Vector512 => Vector512Lanes.IsSupported,
        _ => false,
    };

    /// <summary>
    /// Searches for work over <paramref name="root"/> (32 bytes) meeting <paramref name="threshold"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">the token was cancelled before work was found.</exception>
    /// <exception cref="NotSupportedException">the requested path is not available on this CPU.</exception>
    public static async Task<WorkResult> GenerateAsync(
        ReadOnlyMemory<byte> root,
        ulong threshold,
        IProgress<WorkProgress>? progress = null,
        WorkGeneratorOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new WorkGeneratorOptions();
        var midstate = new PowMidstate(root.Span);
        WorkPath path = options.Path == WorkPath.Auto ? BestPath : options.Path;
        if (!IsSupported(path))
        {
            throw new NotSupportedException($"this CPU cannot run the {path} work path");
        }
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        ulong start = options.StartNonce ?? RandomStart();

        var search = new Search(midstate, threshold, path);
        var stopwatch = Stopwatch.StartNew();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = new Task[threads];
        for (int i = 0; i < threads; i++)
        {
            ulong from = start + ((ulong)i << 58);
            workers[i] = Task.Factory.StartNew(
                () => search.Run(from, linked.Token),
                linked.Token,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }
        Task all = Task.WhenAll(workers);
        try
        {
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(options.ProgressInterval, cancellationToken)).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                progress?.Report(new WorkProgress(search.Hashes, stopwatch.Elapsed));
            }
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false);
            try
            {
                await all.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Workers that saw the cancellation before starting; the result below decides.
            }
        }
        stopwatch.Stop();
        if (search.Found is { } found)
        {
            var result = new WorkResult(found.Work, found.Value, search.Hashes, stopwatch.Elapsed, path, threads);
            progress?.Report(new WorkProgress(search.Hashes, stopwatch.Elapsed));
            return result;
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw new InvalidOperationException("work search stopped without a result or a cancellation");
    }

    /// <summary>
    /// Hashes <paramref name="count"/> consecutive nonces from <paramref name="start"/> on the
    /// calling thread with one path and returns the first that meets the threshold, if any.
    /// Used by the benchmarks to measure one core and by tests to compare paths.
    /// </summary>
    public static bool TrySearch(ReadOnlySpan<byte> root, ulong threshold, ulong start, long count, WorkPath path, out ulong work, out ulong value)
    {
        var midstate = new PowMidstate(root);
        path = path == WorkPath.Auto ? BestPath : path;
        if (!IsSupported(path))
        {
            throw new NotSupportedException($"this CPU cannot run the {path} work path");
        }
        return SearchSteps(midstate, path, start, count, threshold, out work, out value);
    }

    /// <summary>Nonces hashed per step of <paramref name="path"/>.</summary>
    public static int Width(WorkPath path) => (path == WorkPath.Auto ? BestPath : path) switch
    {
        WorkPath.Vector512 => Vector512Lanes.Width,
        WorkPath.Vector256 => Vector256Lanes.Width,
        _ => ScalarLanes.Width,
    };

    private static bool SearchSteps(in PowMidstate midstate, WorkPath path, ulong start, long count, ulong threshold, out ulong work, out ulong value)
    {
        // count is rounded up to whole steps of the path's width.
        long steps = (count + Width(path) - 1) / Width(path);
        return path switch
        {
            WorkPath.Vector512 => Blake2bLanes.Search<Vector512Lanes, System.Runtime.Intrinsics.Vector512<ulong>>(midstate, start, steps, threshold, out work, out value),
            WorkPath.Vector256 => Blake2bLanes.Search<Vector256Lanes, System.Runtime.Intrinsics.Vector256<ulong>>(midstate, start, steps, threshold, out work, out value),
            _ => Blake2bLanes.Search<ScalarLanes, ulong>(midstate, start, steps, threshold, out work, out value),
        };
    }

    private static ulong RandomStart()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }

    private sealed class Search(PowMidstate midstate, ulong threshold, WorkPath path)
    {
        private long _hashes;
        private int _done;
        private (ulong Work, ulong Value)? _found;

        public long Hashes => Interlocked.Read(ref _hashes);

        public (ulong Work, ulong Value)? Found => Volatile.Read(ref _done) == 1 ? _found : null;

        public void Run(ulong from, CancellationToken token)
        {
            ulong nonce = from;
            while (Volatile.Read(ref _done) == 0 && !token.IsCancellationRequested)
            {
                bool hit = SearchSteps(midstate, path, nonce, BatchHashes, threshold, out ulong work, out ulong value);
                Interlocked.Add(ref _hashes, hit ? (long)(work - nonce + 1) : BatchHashes);
                if (hit)
                {
                    // First finder wins; later finders' results are dropped.
                    if (Interlocked.CompareExchange(ref _done, 2, 0) == 0)
                    {
                        _found = (work, value);
                        Volatile.Write(ref _done, 1);
                    }
                    return;
                }
                nonce += BatchHashes;
            }
        }
    }
}
