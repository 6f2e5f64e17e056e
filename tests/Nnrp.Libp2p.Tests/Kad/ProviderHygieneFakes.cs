using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>A provider policy as a node would give it: shard keys up to 8 bits, and a settable verified set.</summary>
internal sealed class ShardOnlyPolicy : IProviderRecordPolicy
{
    private readonly HashSet<KadKey> _keys = [];
    private readonly ConcurrentDictionary<KadKey, bool> _verified = new();

    public ShardOnlyPolicy()
    {
        for (int bits = 0; bits <= 8; bits++)
        {
            for (uint i = 0; i < 1u << bits; i++)
            {
                _keys.Add(KadKey.Hash(KadTestKeys.Key(bits, i)));
            }
        }
    }

    public ConcurrentQueue<KadPeer> StoredProviders { get; } = new();

    public void Verify(KadPeer provider) => _verified[provider.Key] = true;

    public bool AcceptsKey(ReadOnlySpan<byte> key) => _keys.Contains(KadKey.Hash(key));

    public bool IsVerified(ReadOnlySpan<byte> providerId) => _verified.ContainsKey(KadKey.Hash(providerId));

    public void Stored(KadPeer provider) => StoredProviders.Enqueue(provider);
}

/// <summary>Keeps every log entry (event id and text) for assertions on what was logged.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(EventId Id, string Text)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((eventId, formatter(state, exception)));
    }
}
