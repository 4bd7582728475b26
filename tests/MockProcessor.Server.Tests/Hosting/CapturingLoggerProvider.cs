using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace MockProcessor.Server.Tests.Hosting;

/// <summary>
/// Keeps every log entry an app writes, with its structured state, and can render each one through a console
/// formatter (the app's own <c>json</c> formatter) exactly as the console logger would print it.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception,
        IReadOnlyDictionary<string, object?> State, Action<ConsoleFormatter, TextWriter> Render)
    {
        public string Format(ConsoleFormatter formatter)
        {
            using var w = new StringWriter();
            Render(formatter, w);
            return w.ToString();
        }
    }

    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries { get { lock (_gate) return _entries.ToList(); } }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => NullScope.Instance;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var pairs = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            var entry = new Entry(category, logLevel, eventId, formatter(state, exception), exception,
                pairs.ToDictionary(kv => kv.Key, kv => kv.Value),
                (f, w) => f.Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), null, w));
            lock (owner._gate) owner._entries.Add(entry);
        }
    }

    private sealed class NullScope : IDisposable
    {
        public static readonly NullScope Instance = new();
        public void Dispose() { }
    }
}
