using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Nnrp.Interop.Harness;

/// <summary>
/// A js-libp2p peer process (tests/Interop/js/peer.mjs) driven over stdin/stdout with one JSON
/// command per line. Answers are matched by id; event lines are queued for
/// <see cref="WaitForEventAsync"/>. Disposing stops the process.
/// </summary>
public sealed class JsPeer : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly List<JsonObject> _seenEvents = [];
    private readonly StringBuilder _stderr = new();
    private readonly Task _reader;
    private int _nextId;

    private JsPeer(Process process)
    {
        _process = process;
        PeerId = string.Empty;
        Addresses = [];
        _reader = Task.Run(ReadLoopAsync);
    }

    public string PeerId { get; private set; }

    public IReadOnlyList<string> Addresses { get; private set; }

    /// <summary>The first listen address, ending in <c>/p2p/&lt;id&gt;</c> (js-libp2p already appends it).</summary>
    public string DialAddress => Addresses[0].Contains("/p2p/", StringComparison.Ordinal) ? Addresses[0] : Addresses[0] + "/p2p/" + PeerId;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The folder holding package.json and node_modules, found from the test binaries upward.</summary>
    public static string InteropDirectory { get; } = FindInteropDirectory();

    public static Task<JsPeer> StartAsync(string listen = "/ip4/127.0.0.1/tcp/0", CancellationToken cancellationToken = default) =>
        StartAsync("js/peer.mjs", new Dictionary<string, string> { ["LISTEN"] = listen }, cancellationToken);

    /// <summary>
    /// Starts <paramref name="script"/> (relative to <see cref="InteropDirectory"/>; every script
    /// speaks the same JSON-lines protocol and first emits a <c>ready</c> event with
    /// <c>peerId</c> and <c>addrs</c>) with extra environment variables.
    /// </summary>
    public static async Task<JsPeer> StartAsync(string script, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(Path.Combine(InteropDirectory, "node_modules", "libp2p")))
        {
            throw new InvalidOperationException($"js-libp2p is not installed in {InteropDirectory}; run `make npm` (make test does it)");
        }
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        // Node 20 has a global WebSocket (undici's, as in browsers) only behind this flag; Node 22
        // has it by default and still takes the flag.
        start.ArgumentList.Add("--experimental-websocket");
        start.ArgumentList.Add("--import");
        start.ArgumentList.Add("./js/polyfill.mjs");
        start.ArgumentList.Add(script);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var peer = new JsPeer(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._stderr)
                {
                    peer._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        try
        {
            JsonObject ready = await peer.WaitForEventAsync("ready", _ => true, cancellationToken: cancellationToken);
            peer.PeerId = ready["peerId"]!.GetValue<string>();
            peer.Addresses = ready["addrs"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a command and returns its answer; a js error becomes <see cref="JsPeerException"/>.</summary>
    public async Task<JsonObject> CallAsync(string command, object? arguments = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        int id = Interlocked.Increment(ref _nextId);
        JsonObject message = arguments is null ? [] : JsonSerializer.SerializeToNode(arguments)!.AsObject();
        message["id"] = id;
        message["cmd"] = command;
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        lock (_process)
        {
            _process.StandardInput.WriteLine(message.ToJsonString());
            _process.StandardInput.Flush();
        }
        JsonObject result;
        try
        {
            result = await answer.Task.WaitAsync(timeout ?? DefaultTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"js peer did not answer '{command}' in time; stderr:\n{StandardError}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
        if (result["ok"]?.GetValue<bool>() != true)
        {
            throw new JsPeerException($"js peer failed '{command}': {result["error"]}");
        }
        return result;
    }

    /// <summary>True when a matching event line has already arrived.</summary>
    public bool HasEvent(string name, Func<JsonObject, bool> match)
    {
        lock (_seenEvents)
        {
            return _seenEvents.Any(e => e["event"]?.GetValue<string>() == name && match(e));
        }
    }

    /// <summary>Waits for an event line (already seen or still to come) that matches.</summary>
    public async Task<JsonObject> WaitForEventAsync(string name, Func<JsonObject, bool> match, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        lock (_seenEvents)
        {
            JsonObject? seen = _seenEvents.FirstOrDefault(e => e["event"]?.GetValue<string>() == name && match(e));
            if (seen is not null)
            {
                return seen;
            }
        }
        try
        {
            while (true)
            {
                JsonObject next = await _events.Reader.ReadAsync(limit.Token);
                if (next["event"]?.GetValue<string>() == name && match(next))
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"js peer never emitted '{name}'; stderr:\n{StandardError}");
        }
        catch (ChannelClosedException)
        {
            throw new JsPeerException($"js peer exited before '{name}'; stderr:\n{StandardError}");
        }
    }

    private async Task ReadLoopAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            JsonObject? obj;
            try
            {
                obj = JsonNode.Parse(line)?.AsObject();
            }
            catch (JsonException)
            {
                continue; // a stray console line from a dependency
            }
            if (obj is null)
            {
                continue;
            }
            if (obj["event"] is not null)
            {
                lock (_seenEvents)
                {
                    _seenEvents.Add(obj);
                }
                _events.Writer.TryWrite(obj);
            }
            else if (obj["id"] is JsonValue idValue && _pending.TryGetValue(idValue.GetValue<int>(), out var answer))
            {
                answer.TrySetResult(obj);
            }
        }
        _events.Writer.TryComplete();
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new JsPeerException($"js peer exited; stderr:\n{StandardError}"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            try
            {
                await _reader.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
            }
            _process.Dispose();
        }
    }

    private static string FindInteropDirectory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Interop");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
            if (File.Exists(Path.Combine(dir.FullName, "package.json")) && Directory.Exists(Path.Combine(dir.FullName, "js")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("tests/Interop/package.json not found above " + AppContext.BaseDirectory);
    }
}

public sealed class JsPeerException(string message) : Exception(message);
