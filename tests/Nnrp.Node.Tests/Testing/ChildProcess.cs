using System.Diagnostics;

namespace Nnrp.Node.Tests.Testing;

/// <summary>Runs tests/Nnrp.Node.CrashChild (copied beside the test assembly) and collects its lines.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource _outputDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<IReadOnlyList<string>, bool>? _condition;
    private TaskCompletionSource? _reached;

    private ChildProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            lock (_lines)
            {
                if (e.Data is null)
                {
                    _outputDone.TrySetResult();
                    _reached?.TrySetResult();
                    return;
                }
                _lines.Add(e.Data);
                if (_condition is not null && _condition(_lines))
                {
                    _reached!.TrySetResult();
                }
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string ChildDll => Path.Combine(AppContext.BaseDirectory, "Nnrp.Node.CrashChild.dll");

    /// <summary>dotnet Nnrp.Node.CrashChild.dll args…</summary>
    public static ChildProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(ChildDll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        return new ChildProcess(start);
    }

    /// <summary>Runs the child under bash with a shell prefix (e.g. <c>ulimit -f</c>).</summary>
    public static ChildProcess StartUnderShell(string prefix, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"{prefix}; exec dotnet \"$0\" \"$@\"");
        start.ArgumentList.Add(ChildDll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        return new ChildProcess(start);
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>Completes when the lines so far satisfy <paramref name="condition"/> or the output ends.</summary>
    public Task WhenAsync(Func<IReadOnlyList<string>, bool> condition)
    {
        lock (_lines)
        {
            _condition = condition;
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (condition(_lines) || _outputDone.Task.IsCompleted)
            {
                _reached.TrySetResult();
            }
            return _reached.Task;
        }
    }

    /// <summary>SIGKILL (Process.Kill sends SIGKILL on Unix), then waits for the exit and the last lines.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        await _outputDone.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync();
        await _outputDone.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
