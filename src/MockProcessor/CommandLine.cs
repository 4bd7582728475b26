using System.Collections;
using System.Globalization;

namespace MockProcessor;

/// <summary>
/// One way to declare a command's options: a table of <see cref="Option{T}"/> rows applied to the command's settings
/// object. Every option is also the variable MOCKPROCESSOR_&lt;NAME&gt;, derived from the same row, so a flag and its
/// variable can never disagree. Flags win over variables.
/// </summary>
public static class CommandLine
{
    public sealed record Result(Command? Command, object? Settings, string? Error, bool Help = false, bool Version = false);

    /// <summary>What <c>--version</c> prints: the build's version and the API version it renders by default.</summary>
    public static string VersionText =>
        $"mockprocessor {typeof(CommandLine).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "unknown"}" +
        $" (default Stripe API version {MockProcessor.Server.Hosting.MockProcessorOptions.DefaultApiVersion})";

    public static string EnvironmentName(string option) => "MOCKPROCESSOR_" + option.Replace('-', '_').ToUpperInvariant();

    /// <summary>
    /// <c>[command] [args...]</c>: the first argument names the command unless it is an option, in which case the
    /// first command of the table (serve) is meant. <c>--help</c> anywhere asks for that command's usage.
    /// </summary>
    public static Result Parse(IReadOnlyList<Command> commands, string[] args, IDictionary environment)
    {
        if (args is ["--version" or "version"]) return new Result(null, null, null, Version: true);
        var command = commands[0];
        var rest = args;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            if (args[0] == "help")
            {
                // "help trigger" is "trigger --help"; bare "help" is the overview.
                var about = args.Length > 1 ? commands.FirstOrDefault(c => c.Name == args[1]) : null;
                return new Result(about, null, null, Help: true);
            }
            command = commands.FirstOrDefault(c => c.Name == args[0])!;
            if (command is null) return new Result(null, null, $"Unknown command '{args[0]}'.");
            rest = args[1..];
        }
        // The overview answers a bare "--help"; "serve --help" and "trigger --help" answer for the command.
        if (rest.Any(a => a is "--help" or "-h")) return new Result(rest == args ? null : command, null, null, Help: true);
        return command.Parse(rest, environment);
    }

    public static int Int(string v, string name, int min, int max)
    {
        var n = int.Parse(v, CultureInfo.InvariantCulture);
        return n < min || n > max ? throw new ArgumentException($"--{name} must be between {min} and {max}") : n;
    }

    public static long Long(string v) => long.Parse(v, CultureInfo.InvariantCulture);

    public static bool Bool(string v) => v is "1" || bool.Parse(v);

    public static string Overview(IReadOnlyList<Command> commands) =>
        "Usage: mockprocessor [command] [options]   (default command: " + commands[0].Name + ")\n\nCommands:\n" +
        string.Join("\n", commands.Select(c => $"  {c.Name,-10} {c.Summary}")) +
        "\n\nRun 'mockprocessor <command> --help' for a command's options.";
}

/// <summary>A command: its name, the settings its options fill in, and what it runs.</summary>
public abstract class Command(string name, string summary)
{
    public string Name { get; } = name;
    public string Summary { get; } = summary;
    public abstract string Usage { get; }
    public abstract CommandLine.Result Parse(string[] args, IDictionary environment);
    public abstract Task<int> RunAsync(object settings, CancellationToken ct);
}

/// <summary>One option row: <c>--name VALUE</c> (or a bare switch, meaning "true") applied to settings of type T.</summary>
public sealed record Option<T>(string Name, bool IsSwitch, string Help, Action<T, string> Apply)
{
    /// <summary>When set, the value is optional: a bare <c>--name</c> (followed by nothing or by another option) means this.</summary>
    public string? BareValue { get; init; }
}

/// <summary>
/// A command whose settings are a <typeparamref name="T"/>. <paramref name="argument"/> names an optional single
/// positional argument (trigger's event type), or with <paramref name="manyArguments"/> any number of them (run's paths);
/// <paramref name="validate"/> reports what is still missing.
/// </summary>
public sealed class Command<T>(
    string name, string summary, Option<T>[] options, Func<T, CancellationToken, Task<int>> run,
    (string Name, Action<T, string> Apply)? argument = null, Func<T, string?>? validate = null, Func<T>? create = null,
    bool manyArguments = false, string? details = null)
    : Command(name, summary) where T : new()
{
    public IReadOnlyList<Option<T>> Options => options;

    public override string Usage =>
        $"Usage: mockprocessor {Name}{(argument is { } a ? manyArguments ? $" [{a.Name}]" : $" <{a.Name}>" : "")} [options]\n  {Summary}\n\n" +
        "Options (each also settable as MOCKPROCESSOR_<NAME>, e.g. " + EnvExample + "):\n" +
        string.Join("\n", options.Select(o => Flag(o).PadRight(options.Max(x => Flag(x).Length) + 2) + o.Help)) +
        (details is null ? "" : "\n\n" + details);

    private static string Flag(Option<T> o) => $"  --{o.Name}{(o.IsSwitch ? "" : o.BareValue is null ? " VALUE" : " [VALUE]")}";

    private string EnvExample => options.Length > 0 ? CommandLine.EnvironmentName(options[0].Name) : "MOCKPROCESSOR_PORT";

    public override Task<int> RunAsync(object settings, CancellationToken ct) => run((T)settings, ct);

    public override CommandLine.Result Parse(string[] args, IDictionary environment)
    {
        var settings = create is null ? new T() : create();
        try
        {
            foreach (var o in options)
                if (environment[CommandLine.EnvironmentName(o.Name)] is string value && value.Length > 0)
                    o.Apply(settings, value);
            var positional = 0;
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                if (!a.StartsWith("--", StringComparison.Ordinal))
                {
                    if (argument is { } arg && (manyArguments || positional++ == 0)) { arg.Apply(settings, a); continue; }
                    return Fail(settings, $"Unexpected argument '{a}'.");
                }
                var name = a[2..];
                string? inline = null;
                var eq = name.IndexOf('=');
                if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
                var opt = options.FirstOrDefault(o => o.Name == name);
                if (opt is null) return Fail(settings, $"Unknown option '--{name}' for '{Name}'.");
                var value = inline ?? (opt.IsSwitch ? "true"
                    : opt.BareValue is { } bare && (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) ? bare
                    : i + 1 < args.Length ? args[++i] : null);
                if (value is null) return Fail(settings, $"Option '--{name}' needs a value.");
                opt.Apply(settings, value);
            }
            return validate?.Invoke(settings) is { } missing ? Fail(settings, missing) : new CommandLine.Result(this, settings, null);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return Fail(settings, $"Invalid option value: {ex.Message}");
        }
    }

    private CommandLine.Result Fail(T settings, string error) => new(this, settings, error);
}
