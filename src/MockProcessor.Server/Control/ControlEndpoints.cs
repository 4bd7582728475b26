using Microsoft.AspNetCore.Builder;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Webhooks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>Emulator-only endpoints under <c>/_mock</c>, outside Stripe's /v1 namespace.</summary>
public static class ControlEndpoints
{
    public static void Map(WebApplication app)
    {
        var group = app.MapGroup("/_mock");
        group.MapGet("/clock", async (VirtualClock clock, ObjectStore store) =>
        {
            // Replica mode (docs/deploy.md): the process clock is the database's, shared by every replica.
            if (store.Replica is not null) await store.Replica.SyncClockAsync();
            return Results.Json(ClockJson(clock));
        });
        // What the emulator holds: objects per type, commits, and the managed heap (?gc=true collects first).
        group.MapGet("/stats", (ObjectStore store, Resources.Events.EventFeed feed, HttpContext http) =>
        {
            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            long strings = 0, idTables = 0, keys = 0, keyTables = 0, runs = 0, filters = 0;
            foreach (var account in store.Accounts)
                lock (account.Gate)
                {
                    foreach (var (type, n) in account.CountsByType())
                        counts[type] = counts.GetValueOrDefault(type) + n;
                    strings += account.Objects.Strings;
                    idTables += account.Objects.TableBytes;
                    keys += account.Secondary.Count;
                    keyTables += account.Secondary.TableBytes;
                    runs += account.Objects.Frozen.Runs + account.Secondary.Frozen.Runs;
                    filters += account.Objects.Frozen.FilterBytes + account.Secondary.Frozen.FilterBytes;
                }
            // ?resident=true: which parts of the index in file pages are mapped in memory now (a diagnostic: IndexPages.Resident).
            SortedDictionary<string, long>? resident = null;
            if (http.Request.Query["resident"] == "true" && store.Pages is not null)
            {
                resident = new(StringComparer.Ordinal) { ["event_feed"] = feed.Resident() };
                foreach (var account in store.Accounts)
                    lock (account.Gate)
                        foreach (var (part, bytes) in account.Resident())
                            resident[part] = resident.GetValueOrDefault(part) + bytes;
            }
            var collect = http.Request.Query["gc"] == "true";
            var heap = GC.GetTotalMemory(collect);
            var memory = GC.GetGCMemoryInfo(GCKind.Any);
            return Results.Json(new
            {
                @object = "mock.stats",
                accounts = store.Accounts.Count(),
                objects = counts,
                durable = store.Durable,
                commits = store.Commits,
                managed_heap_bytes = heap,
                working_set_bytes = Environment.WorkingSet,
                // The resident set split as Linux counts it: private memory (anonymous) and pages of files, which the kernel
                // can write back and drop (the index pages among them: docs/storage.md, "Index pages in a file"). Null elsewhere.
                resident = ResidentSet(),
                // The compact index's hash tables (docs/storage.md, "Frozen runs"): ids and names by hash, secondary keys, with
                // their frozen runs, and the runs' filters and fences (what every lookup of an absent id or key may touch).
                index = new
                {
                    strings, id_table_bytes = idTables, secondary_keys = keys, key_table_bytes = keyTables,
                    frozen_runs = runs, filter_bytes = filters,
                },
                index_pages = store.Pages is { } pages
                    ? new
                    {
                        live_bytes = pages.LiveBytes, mapped_bytes = pages.MappedBytes, paged_out_bytes = pages.PagedOutBytes,
                        resident_bytes = resident,
                    }
                    : null,
                gc = new
                {
                    pause_total_ms = (long)GC.GetTotalPauseDuration().TotalMilliseconds,
                    allocated_bytes = GC.GetTotalAllocatedBytes(),
                    gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2),
                    server = System.Runtime.GCSettings.IsServerGC,
                    // What the collector holds from the system (committed) beside what is live: the gap is memory it
                    // keeps for later allocations (docs/performance.md, "The compact index").
                    committed_bytes = memory.TotalCommittedBytes,
                    fragmented_bytes = memory.FragmentedBytes,
                },
                // Work items the runtime's pool has run, and its threads: a burst of small items wakes (and spins) pool
                // threads that compete with the work for the cores (docs/performance.md, "A year of billing, again").
                thread_pool = new { completed_items = ThreadPool.CompletedWorkItemCount, threads = ThreadPool.ThreadCount },
                // Methods the JIT has compiled (each tier counts) and the time it spent: code first run late, such as a
                // long advance's renewals, is compiled while it runs (docs/performance.md, "Fewer recompilations").
                jit = new
                {
                    compiled_methods = System.Runtime.JitInfo.GetCompiledMethodCount(),
                    compilation_ms = (long)System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
                },
            });
        });
        // Advances the emulator's clock, so every merchant's, and fires the time-driven work that became due (in replica
        // mode the clock every replica shares, and the work of every merchant).
        group.MapPost("/clock/advance", async (HttpContext http, VirtualClock clock, TimeDriverService driver, ObjectStore store) =>
        {
            IFormCollection? form = null;
            try { form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null; }
            catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException) { }
            var raw = form?["seconds"].ToString() is { Length: > 0 } fromForm ? fromForm : http.Request.Query["seconds"].ToString();
            if (store.Replica is not null)
            {
                await store.Replica.SyncClockAsync();
                store.Refresh(); // every merchant clock as the database has it, not only those this replica has caught up
            }
            var now = clock.UnixNow();
            // Merchants whose clocks run ahead (their own advances) move with this one: none may pass the latest instant.
            var furthest = store.Accounts.Where(a => a.ClockFrozenAt is null).Select(a => now + a.ClockOffset).DefaultIfEmpty(now).Max();
            furthest = Math.Max(furthest, now);
            StripeError? invalid =
                !long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    ? StripeError.InvalidValue("seconds", "seconds must be a non-negative integer")
                : seconds > Timestamps.Latest - furthest
                    ? StripeError.InvalidValue("seconds",
                        $"The clock cannot pass {Timestamps.LatestText} ({Timestamps.Latest}): it is {now}" +
                        (furthest > now ? $" and a merchant's clock is at {furthest}" : "") + $", so seconds must be at most {Timestamps.Latest - furthest}.")
                : null;
            if (invalid is not null)
            {
                var requestId = http.RequestServices.GetRequiredService<RequestIds>().Next();
                http.Response.Headers["Request-Id"] = requestId;
                await StripeApi.WriteError(http, invalid, requestId);
                return Results.Empty;
            }
            int fired;
            if (store.Replica is null)
            {
                clock.Advance(TimeSpan.FromSeconds(seconds));
                fired = await driver.RunAllDueAsync();
            }
            else
            {
                // Replica mode: the advance is committed for every replica, and no replica's time driver ticks until this
                // one has fired what became due (each item once, under its tree's row lock), so `fired` counts all of it.
                await using (await store.Replica.AdvanceClockAsync(seconds))
                    fired = await driver.RunAllDueAsync();
            }
            return Results.Json(new { @object = "mock.clock", mode = clock.Mode.ToString().ToLowerInvariant(), now = clock.UnixNow(), fired });
        });
        // Sends every webhook delivery due now (all merchants) and answers when their attempts are recorded:
        // with --webhook-dispatch manual this is the only sender, which makes CI runs deterministic.
        group.MapPost("/webhooks/flush", async (WebhookDispatcher dispatcher, WebhookDueQueue due, HttpContext http) =>
        {
            var attempted = await dispatcher.FlushAsync(http.RequestAborted);
            return Results.Json(new { @object = "mock.webhook_flush", attempted, queued = due.Count });
        });
    }

    // RssAnon and RssFile of /proc/self/status, in bytes; null where there is no such file.
    private static object? ResidentSet()
    {
        if (!OperatingSystem.IsLinux()) return null;
        long anon = -1, file = -1;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = Kilobytes(line);
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = Kilobytes(line);
            }
        }
        catch (IOException) { return null; }
        return anon < 0 || file < 0 ? null : new { anon_bytes = anon * 1024, file_bytes = file * 1024 };

        static long Kilobytes(string line) =>
            long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : -1;
    }

    private static object ClockJson(VirtualClock clock) =>
        new { @object = "mock.clock", mode = clock.Mode.ToString().ToLowerInvariant(), now = clock.UnixNow() };
}
