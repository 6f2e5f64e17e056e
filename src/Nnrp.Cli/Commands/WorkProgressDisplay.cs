using Nnrp.Core.Work;
using Spectre.Console;

namespace Nnrp.Cli.Commands;

/// <summary>
/// A progress bar while work is computed. Work is a lottery, so the bar shows hashes tried
/// against the expected count (it may pass 100 %) and the rate. Nothing is drawn when the
/// output is not a terminal, so scripts see only the result lines.
/// </summary>
internal static class WorkProgressDisplay
{
    public static async Task<T> RunAsync<T>(ulong threshold, Func<IProgress<WorkProgress>?, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await work(null);
        }
        double expected = Thresholds.ExpectedHashes(threshold);
        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask($"proof of work (×{Thresholds.ToMultiplier(threshold):0.##})", maxValue: expected);
                var progress = new Progress<WorkProgress>(p =>
                {
                    task.Value = Math.Min(p.Hashes, expected * 0.99);
                    task.Description = $"proof of work {p.HashesPerSecond / 1e6:0.0} MH/s";
                });
                result = await work(progress);
                task.Value = expected;
            });
        return result;
    }
}
