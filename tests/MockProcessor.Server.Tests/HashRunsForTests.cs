using System.Runtime.CompilerServices;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests;

internal static class HashRunsForTests
{
    /// <summary>
    /// The compact index's hash tables freeze their slots into runs at a few hundred here instead of 262,144
    /// (docs/storage.md, "Frozen runs"), so every store this suite builds past that size, restarts and snapshots included,
    /// reads through runs, merges and filters. The SDK suites run the published default.
    /// </summary>
    [ModuleInitializer]
    internal static void FreezeEarly() => HashRuns.DefaultLimit = 100;
}
