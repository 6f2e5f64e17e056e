namespace Nnrp.Interop.Harness;

/// <summary>Waiting on conditions, never on fixed sleeps.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Completes when <paramref name="subscribe"/>'s callback fires with a matching value.</summary>
    public static Task<T> WhenAsync<T>(Action<Action<T>> subscribe, Func<T, bool> match, TimeSpan? timeout = null)
    {
        var fired = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe(value =>
        {
            if (match(value))
            {
                fired.TrySetResult(value);
            }
        });
        return fired.Task.WaitAsync(timeout ?? DefaultTimeout);
    }

    /// <summary>Polls a cheap condition (state that has no event) until true.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(20, limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }
        }
    }
}
