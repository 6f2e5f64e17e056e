using Nnrp.Core.Work;

namespace Nnrp.Core.Tests.Work;

public class WorkGeneratorTests
{
    private static readonly byte[] Root = Convert.FromHexString("bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de");

    [Theory]
    [InlineData(WorkPath.Auto)]
    [InlineData(WorkPath.Scalar)]
    [InlineData(WorkPath.Vector256)]
    [InlineData(WorkPath.Vector512)]
    public async Task Generated_work_meets_the_threshold_on_every_path(WorkPath path)
    {
        if (!WorkGenerator.IsSupported(path))
        {
            return;
        }
        const ulong threshold = 0xffc0000000000000; // ~1024 hashes
        WorkResult result = await WorkGenerator.GenerateAsync(Root, threshold, options: new WorkGeneratorOptions { Path = path, Threads = 2 })
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.Value >= threshold);
        Assert.Equal(result.Value, ProofOfWork.ValueReference(Root, result.Work));
        Assert.True(result.Hashes > 0);
        Assert.Equal(path == WorkPath.Auto ? WorkGenerator.BestPath : path, result.Path);
    }

    [Fact]
    public async Task Base_threshold_work_is_found_with_all_cores()
    {
        WorkResult result = await WorkGenerator.GenerateAsync(Root, Thresholds.Base).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(ProofOfWork.IsValid(Root, result.Work, Thresholds.Base));
        Assert.Equal(Environment.ProcessorCount, result.Threads);
    }

    [Fact]
    public async Task Cancellation_stops_an_impossible_search_and_progress_is_reported()
    {
        using var cts = new CancellationTokenSource();
        var firstReport = new TaskCompletionSource<WorkProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new InlineProgress(p =>
        {
            if (p.Hashes > 0)
            {
                firstReport.TrySetResult(p);
            }
        });
        Task<WorkResult> search = WorkGenerator.GenerateAsync(Root, ulong.MaxValue, progress,
            new WorkGeneratorOptions { Threads = 1, ProgressInterval = TimeSpan.FromMilliseconds(20) }, cts.Token);
        WorkProgress report = await firstReport.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(report.HashesPerSecond > 0);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_fixed_start_nonce_makes_a_single_thread_search_deterministic()
    {
        var options = new WorkGeneratorOptions { Threads = 1, StartNonce = 1000, Path = WorkPath.Scalar };
        WorkResult a = await WorkGenerator.GenerateAsync(Root, 0xff00000000000000, options: options).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(WorkGenerator.TrySearch(Root, 0xff00000000000000, 1000, 1 << 20, WorkPath.Scalar, out ulong expected, out _));
        Assert.Equal(expected, a.Work);
    }

    private sealed class InlineProgress(Action<WorkProgress> report) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => report(value);
    }
}
