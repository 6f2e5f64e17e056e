using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Nnrp.Interop.Harness;

/// <summary>Routes library logs into the xunit test output, so a failing run shows what happened.</summary>
public sealed class TestLogging(ITestOutputHelper output) : ILoggerProvider
{
    public static ILoggerFactory Create(ITestOutputHelper output, LogLevel level = LogLevel.Debug) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(level).AddProvider(new TestLogging(output)));

    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; late logs from background teardown have nowhere to go.
            }
        }
    }
}
