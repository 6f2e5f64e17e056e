using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Tests.Sync;

/// <summary>
/// A sync set that counts the keys read from it, and can hold its first scan: after every
/// <see cref="Stride"/> keys of the first <see cref="ISyncSet.Range"/> it waits for a
/// <see cref="Step"/>, so a test can act while a responder is in the middle of a scan.
/// </summary>
internal sealed class CountingSyncSet(ISyncSet inner, bool holdFirstScan = false) : ISyncSet, IDisposable
{
    public const int Stride = 1024;

    private readonly SemaphoreSlim _steps = new(0);
    private readonly SemaphoreSlim _entered = new(0);
    private readonly TaskCompletionSource _firstScanEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _read;
    private int _scans;

    public long Read => Interlocked.Read(ref _read);

    /// <summary>Keys read by the first scan, final once <see cref="FirstScanEnded"/> completed.</summary>
    public long ReadByFirstScan { get; private set; }

    public Task FirstScanEnded => _firstScanEnded.Task;

    public Task EnteredAsync() => _entered.WaitAsync(TimeSpan.FromSeconds(30));

    public void Step(int strides) => _steps.Release(strides);

    public void ResetCount() => Interlocked.Exchange(ref _read, 0);

    public IEnumerable<TimeKey> Range(TimeKey lower, TimeKey upper, int max = int.MaxValue)
    {
        bool held = holdFirstScan && Interlocked.Increment(ref _scans) == 1;
        long read = 0;
        try
        {
            foreach (TimeKey key in inner.Range(lower, upper, max))
            {
                Interlocked.Increment(ref _read);
                if (held && read % Stride == 0)
                {
                    _entered.Release();
                    if (!_steps.Wait(TimeSpan.FromSeconds(30)))
                    {
                        throw new TimeoutException("the test never let the scan go on");
                    }
                }
                read++;
                yield return key;
            }
        }
        finally
        {
            if (held)
            {
                ReadByFirstScan = read;
                _firstScanEnded.TrySetResult();
            }
        }
    }

    public void Dispose()
    {
        _steps.Dispose();
        _entered.Dispose();
    }
}
