using MockProcessor;
using MockProcessor.Server.Hosting;

// mockprocessor [serve] [--port N] [--host H] [--db PATH] [--in-memory] [--seed N] [--log-level L] [--strict-keys] ...
// Every option can also come from MOCKPROCESSOR_<NAME> (e.g. MOCKPROCESSOR_PORT=12111).
var parsed = CommandLine.Parse(args, Environment.GetEnvironmentVariables());
if (parsed.Error is not null)
{
    Console.Error.WriteLine(parsed.Error);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}
switch (parsed.Command)
{
    case "help":
        Console.WriteLine(CommandLine.Usage);
        return 0;
    case "serve":
        // The emulator keeps every object alive, so the heap only grows; blocking full collections of a large
        // heap were the tail of its latency. Background collections keep up with the allocation rate.
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        await using (var app = MockProcessorApp.Build(parsed.Options))
        {
            // Ctrl-C and SIGTERM stop the host; the store flushes its write log on disposal.
            await app.RunAsync();
        }
        return 0;
    default:
        Console.Error.WriteLine($"Unknown command '{parsed.Command}'.");
        Console.Error.WriteLine(CommandLine.Usage);
        return 2;
}
