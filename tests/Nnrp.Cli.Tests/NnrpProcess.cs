using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Nnrp.Cli.Tests;

/// <summary>A running `nnrp` process whose output lines can be awaited.</summary>
internal sealed partial class NnrpProcess : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _stdout = [];
    private readonly SemaphoreSlim _lineArrived = new(0);

    private NnrpProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(e.Data, stdout: true);
        _process.ErrorDataReceived += (_, e) => Add(e.Data, stdout: false);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>The stdout lines alone (results; <see cref="Output"/> interleaves stderr).</summary>
    public string StandardOutput
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    /// <summary>The operating system's id of the process (e.g. to read /proc/&lt;pid&gt;/status).</summary>
    public int Id => _process.Id;

    public static NnrpProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts <c>nnrp</c> with <paramref name="environment"/> added to this process's environment.</summary>
    public static NnrpProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "nnrp.dll"), .. args], Environment.CurrentDirectory, environment);

    /// <summary>Starts <paramref name="executable"/> (e.g. a published single file) in <paramref name="workingDirectory"/>.</summary>
    public static NnrpProcess Start(string executable, IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory,
        };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return new NnrpProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start " + executable));
    }

    /// <summary>Waits for an output line matching <paramref name="pattern"/>; returns the match.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern)
    {
        using var limit = new CancellationTokenSource(Timeout);
        int seen = 0;
        while (true)
        {
            lock (_lines)
            {
                for (; seen < _lines.Count; seen++)
                {
                    Match m = pattern.Match(_lines[seen]);
                    if (m.Success)
                    {
                        return m;
                    }
                }
            }
            try
            {
                await _lineArrived.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"nnrp never printed /{pattern}/; output:\n{Output}");
            }
        }
    }

    /// <summary>SIGTERM, then the exit code once the process has shut down.</summary>
    public async Task<int> StopAsync()
    {
        Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        return _process.ExitCode;
    }

    public Task<int> WaitForExitAsync() => _process.WaitForExitAsync().WaitAsync(Timeout).ContinueWith(_ => _process.ExitCode, TaskScheduler.Default);

    private void Add(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            _lines.Add(line);
            if (stdout)
            {
                _stdout.Add(line);
            }
        }
        _lineArrived.Release();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _lineArrived.Dispose();
    }

    [GeneratedRegex(@"Reachable at (/ip4/127\.0\.0\.1/tcp/\d+/p2p/\w+)")]
    public static partial Regex LoopbackAddress();

    [GeneratedRegex(@"HTTP API on (http://127\.0\.0\.1:\d+)")]
    public static partial Regex HttpUrl();

    [GeneratedRegex(@"Metrics on (http://127\.0\.0\.1:\d+)/metrics")]
    public static partial Regex MetricsUrl();

    [GeneratedRegex(@"DHT ready: (\d+) peers")]
    public static partial Regex DhtReady();
}
