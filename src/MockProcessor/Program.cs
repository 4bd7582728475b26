using MockProcessor;
using MockProcessor.Commands;

// mockprocessor [serve|trigger|listen|merchants|webhooks|events|run|seed|reconcile|export|generate] [options]; `mockprocessor <command> --help` lists a command's options.
// Every option can also come from MOCKPROCESSOR_<NAME> (e.g. MOCKPROCESSOR_PORT=12111).
var parsed = CommandLine.Parse(Program.Commands, args, Environment.GetEnvironmentVariables());
if (parsed.Version)
{
    Console.WriteLine(CommandLine.VersionText);
    return 0;
}
if (parsed.Help)
{
    Console.WriteLine(parsed.Command?.Usage ?? CommandLine.Overview(Program.Commands));
    return 0;
}
if (parsed.Error is not null)
{
    Console.Error.WriteLine(parsed.Error);
    Console.Error.WriteLine(parsed.Command?.Usage ?? CommandLine.Overview(Program.Commands));
    return 2;
}
return await parsed.Command!.RunAsync(parsed.Settings!, CancellationToken.None);

public partial class Program
{
    /// <summary>The command table; the first is the default.</summary>
    public static readonly Command[] Commands = [ServeCommand.Spec, TriggerCommand.Spec, ListenCommand.Spec, MerchantsCommand.Spec, WebhooksCommand.Spec, EventsCommand.Spec, RunCommand.Spec, SeedCommand.Spec, ReconcileCommand.Spec, ExportCommand.Spec, GenerateCommand.Spec];
}
