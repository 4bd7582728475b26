using System.Collections;
using System.Globalization;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;

namespace MockProcessor;

/// <summary>
/// Command-line flags and MOCKPROCESSOR_* variables bound onto <see cref="MockProcessorOptions"/>: one
/// table of names, so a flag and its variable can never disagree. Flags win over variables.
/// </summary>
public static class CommandLine
{
    public sealed record Result(string Command, MockProcessorOptions Options, string? Error);

    private sealed record Option(string Name, bool IsSwitch, string Help, Action<MockProcessorOptions, string> Apply);

    private static readonly Option[] Options =
    [
        new("port", false, "TCP port (default 12111, stripe-mock's)", (o, v) => o.Port = Int(v, "port", 0, 65535)),
        new("host", false, "address to bind (default 127.0.0.1)", (o, v) => o.Host = v),
        new("db", false, "SQLite file (default ./mockprocessor.db)", (o, v) => o.Database = v),
        new("in-memory", true, "keep everything in memory; write nothing to disk", (o, v) => o.InMemory = Bool(v)),
        new("seed", false, "seed for deterministic ids", (o, v) => o.Seed = long.Parse(v, CultureInfo.InvariantCulture)),
        new("log-level", false, "Trace|Debug|Information|Warning|Error (default Information)", (o, v) => o.LogLevel = v),
        new("strict-keys", true, "refuse unseen sk_test_ keys instead of provisioning a merchant", (o, v) => o.StrictKeys = Bool(v)),
        new("clock", false, "realtime|manual (default realtime)", (o, v) => o.Clock = Enum.Parse<ClockMode>(v, ignoreCase: true)),
        new("start-time", false, "virtual time at start, Unix seconds", (o, v) => o.StartTime = long.Parse(v, CultureInfo.InvariantCulture)),
        new("api-version", false, "version rendered when a merchant has none", (o, v) => o.ApiVersion = v),
        new("webhook-retry", false, "webhook retry schedule: stripe (~3 days) | fast (1 s, 2 s, ... 32 s)", (o, v) => o.WebhookRetry = Schedule(v)),
        new("webhook-timeout", false, "seconds a webhook receiver may take to answer (default 10)", (o, v) => o.WebhookTimeoutSeconds = Int(v, "webhook-timeout", 1, 300)),
        new("webhook-dispatch", false, "auto|manual: manual sends deliveries only on POST /_mock/webhooks/flush", (o, v) => o.WebhookAutoDispatch = Dispatch(v)),
    ];

    public static string Usage =>
        "Usage: mockprocessor [serve] [options]\n\nOptions (each also settable as MOCKPROCESSOR_<NAME>, e.g. MOCKPROCESSOR_PORT):\n" +
        string.Join("\n", Options.Select(o => $"  --{o.Name}{(o.IsSwitch ? "" : " VALUE"),-7} {o.Help}"));

    public static Result Parse(string[] args, IDictionary environment)
    {
        var options = new MockProcessorOptions();
        try
        {
            foreach (var o in Options)
            {
                var env = "MOCKPROCESSOR_" + o.Name.Replace('-', '_').ToUpperInvariant();
                if (environment[env] is string value && value.Length > 0) o.Apply(options, value);
            }
            var command = "serve";
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                if (!a.StartsWith("--", StringComparison.Ordinal))
                {
                    if (i == 0) { command = a; continue; }
                    return new Result(command, options, $"Unexpected argument '{a}'.");
                }
                if (a is "--help" or "-h") return new Result("help", options, null);
                var name = a[2..];
                string? inline = null;
                var eq = name.IndexOf('=');
                if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
                var opt = Options.FirstOrDefault(o => o.Name == name);
                if (opt is null) return new Result(command, options, $"Unknown option '--{name}'.");
                var value = inline ?? (opt.IsSwitch ? "true" : i + 1 < args.Length ? args[++i] : null);
                if (value is null) return new Result(command, options, $"Option '--{name}' needs a value.");
                opt.Apply(options, value);
            }
            return new Result(command, options, null);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return new Result("serve", options, $"Invalid option value: {ex.Message}");
        }
    }

    private static int Int(string v, string name, int min, int max)
    {
        var n = int.Parse(v, CultureInfo.InvariantCulture);
        return n < min || n > max ? throw new ArgumentException($"--{name} must be between {min} and {max}") : n;
    }

    private static string Schedule(string v) =>
        Domain.Webhooks.RetrySchedule.Named(v) is not null ? v : throw new ArgumentException("--webhook-retry must be stripe or fast");

    private static bool Dispatch(string v) => v switch
    {
        "auto" => true,
        "manual" => false,
        _ => throw new ArgumentException("--webhook-dispatch must be auto or manual"),
    };

    private static bool Bool(string v) => v is "1" || bool.Parse(v);
}
