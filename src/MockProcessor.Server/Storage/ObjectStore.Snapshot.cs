using System.Text;
using Microsoft.Extensions.Logging;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The index snapshot (docs/storage.md, "Index snapshot at a clean stop"): a clean stop writes the compact index of every
/// tree, the lookups, the compaction left to do and the observers' state to a file beside the database, and records the
/// file's token in the database; the next start reads that file instead of every row, if the token, the build's
/// schema and the database's last positions all match. The token is removed as the start reads it, so a process that
/// stops without writing a new snapshot (kill -9) is followed by a start that reads the rows.
/// </summary>
public sealed partial class ObjectStore
{
    private const string SnapshotMagic = "MockProcessor index snapshot";
    private const int SnapshotFormat = 3; // 2: the id tables' slots hold 64-bit hashes; 3: blocks may refer to the index pages' files
    private const long SnapshotEnd = 0x534E4150_454E44; // after the last section: a cut-short file is refused

    /// <summary>
    /// Superseded versions a start from a snapshot accepts before it reads the rows instead (which finds and compacts
    /// them): a snapshot knows the compaction left from the last start that read the rows, not the versions superseded since.
    /// </summary>
    internal const long SnapshotUpdatesBeforeRescan = 100_000;

    private readonly bool _indexSnapshot;
    // Versions superseded since the last start that read every row (carried from snapshot to snapshot), and the
    // compaction that start left: the list, and how far the background compaction has gone through it.
    private long _updatesBefore;
    private List<long> _superseded = [];
    private int _compactedTo;

    /// <summary>How this process's start-up built its index: "snapshot" or "rows" (for tests and the start-up log).</summary>
    internal string StartedFrom { get; private set; } = "rows";

    private int LookupNumber(LookupIndex index)
    {
        for (var i = 0; i < Schema.Lookups.Count; i++)
            if (ReferenceEquals(Schema.Lookups[i], index)) return i;
        throw new InvalidOperationException($"The lookup {index} is not declared.");
    }

    /// <summary>What identifies the build's schema in a snapshot: stored types, indexes, lookups and observers, in order.</summary>
    private string SchemaFingerprint()
    {
        // The build itself too: the compact index is written as raw memory (its structs' layout), which only the same
        // build on the same architecture reads the same way.
        var text = new StringBuilder().Append(typeof(ObjectStore).Assembly.ManifestModule.ModuleVersionId).Append(';')
            .Append(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture).Append(';');
        foreach (var (name, type) in Schema.PersistedTypes.OrderBy(kv => kv.Key, StringComparer.Ordinal)) text.Append(name).Append('=').Append(type.FullName).Append(';');
        foreach (var i in Schema.Indexes) text.Append("index ").Append(i.Type).Append(' ').Append(i.Name).Append(i.ListsKeys ? " keys;" : ";");
        foreach (var l in Schema.Lookups) text.Append("lookup ").Append(l.Type).Append(' ').Append(l.Name).Append(';');
        foreach (var t in Schema.Totals) text.Append("total ").Append(t.Type).Append(' ').Append(t.Name).Append(';');
        foreach (var o in Schema.Observers) text.Append("observer ").Append(o.GetType().FullName).Append(';');
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// Builds the in-memory state from the snapshot when it is current; returns the superseded versions still to compact,
    /// or null when the rows must be read (no snapshot, or one that does not match the database or this build).
    /// </summary>
    private List<long>? TryLoadSnapshot(IDurableStore backend)
    {
        var token = backend.TakeSnapshotToken();
        if (backend.SnapshotPath is not { } path || !File.Exists(path)) return null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? refused = null;
        try
        {
            if (!_indexSnapshot || _cache is null || Replica is not null) refused = "index snapshots are off";
            else if (token is null) refused = "the database names no snapshot (the last stop was not clean, or another build wrote since)";
            else refused = ReadSnapshot(backend, path, token, clock);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or InvalidDataException or InvalidOperationException or ArgumentException)
        {
            refused = $"it could not be read ({ex.Message})";
        }
        finally
        {
            // Used or not, it is never valid again: its token is gone from the database.
            try { File.Delete(path); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { } // Windows: mapped
        }
        if (refused is null) return _superseded;
        Pages?.ForgetInherited();
        _accounts.Clear();
        _connected.Clear();
        _lookups.Clear();
        _seq = 0;
        _updatesBefore = 0;
        _superseded = [];
        LogSnapshotRefused(_logger, refused);
        return null;
    }

    /// <summary>Reads the snapshot into the store; the reason it does not fit, or null once it is applied.</summary>
    private string? ReadSnapshot(IDurableStore backend, string path, string token, System.Diagnostics.Stopwatch clock)
    {
        // Mapped: the map's entries, ids and tables are used where they lie in the file (SnapshotBlocks); copy-on-write, or
        // shared with index pages (the file is unlinked below either way, so what the run writes into it is never read as a snapshot).
        using var file = new FileStream(path, FileMode.Open, Pages is null ? FileAccess.Read : FileAccess.ReadWrite, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var source = new SnapshotSource(file, pages: Pages);
        var r = source.Reader;
        // The end first: a file cut short is refused before anything is applied.
        if (file.Length < 8) return "it is empty";
        file.Position = file.Length - 8;
        if (r.ReadInt64() != SnapshotEnd) return "it ends early";
        file.Position = 0;
        if (r.ReadString() != SnapshotMagic || r.ReadInt32() != SnapshotFormat) return "it was written by another build";
        if (r.ReadString() != token) return "it is not the one the database names";
        if (r.ReadString() != SchemaFingerprint()) return "this build declares other types, indexes or observers";
        var written = (r.ReadInt64(), r.ReadInt64());
        if (written != backend.LastPositions()) return "the database holds rows written after it";
        var updates = r.ReadInt64();
        if (updates > SnapshotUpdatesBeforeRescan) return $"{updates} versions were superseded since the rows were last read: reading them compacts those";
        var seq = r.ReadInt64();
        source.MapPageFiles(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var trees = new List<AccountState>();
        var times = new long[5];
        for (var n = r.ReadInt32(); n > 0; n--) trees.Add(AccountState.LoadSnapshot(source, Schema, _cache!, times));
        var lookups = new List<((LookupIndex, string), (string, string))>();
        for (var n = r.ReadInt32(); n > 0; n--) lookups.Add(((Schema.Lookups[r.ReadInt32()], r.ReadString()), (r.ReadString(), r.ReadString())));
        var superseded = new List<long>(r.ReadInt32());
        for (var n = superseded.Capacity; n > 0; n--) superseded.Add(r.ReadInt64());
        var readMs = clock.ElapsedMilliseconds;

        foreach (var state in trees)
        {
            _accounts[state.AccountId] = state;
            foreach (var member in state.Members)
                if (member != state.AccountId) _connected[member] = state;
        }
        foreach (var (key, value) in lookups) _lookups[key] = value;
        _seq = seq;
        _updatesBefore = updates;
        _superseded = superseded;
        // What an observer wants whole (pending webhook deliveries) is read now, as a start from the rows reads it.
        var wanted = new List<(AccountState State, string Id, long Seq, Domain.Common.StripeObject Obj)>();
        foreach (var state in trees)
            foreach (var ordinal in state.Wanted)
                if (state.TryGet(ordinal, out var obj, out var objSeq)) wanted.Add((state, obj.Id, objSeq, obj));
        wanted.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        // Observers last: each restores all or nothing, and one that keeps no snapshot hears of what it wanted whole.
        foreach (var o in Schema.Observers)
        {
            if (!r.ReadBoolean())
            {
                foreach (var (state, id, objSeq, obj) in wanted)
                    if (o.Types.Contains(obj.ObjectType)) o.Loaded(state, id, objSeq, obj);
                continue;
            }
            var length = r.ReadInt64();
            var start = file.Position;
            o.RestoreSnapshot(source, id => _accounts.GetValueOrDefault(id));
            if (file.Position != start + length) throw new InvalidDataException($"{o.GetType().Name} read {file.Position - start} bytes of its {length}.");
        }
        if (r.ReadInt64() != SnapshotEnd || file.Position != file.Length) throw new InvalidDataException("The snapshot's sections do not end where it does.");
        foreach (var state in trees) state.Cool();
        StartedFrom = "snapshot";
        LogSnapshotLoaded(_logger, trees.Sum(t => t.Objects.Count), file.Length, clock.ElapsedMilliseconds, times[0], times[1], times[2], times[3], times[4],
            wanted.Count, clock.ElapsedMilliseconds - readMs);
        return null;
    }

    /// <summary>
    /// Writes the snapshot at a clean stop, once the group commit has written everything and stopped; a stop that cannot
    /// vouch for its memory (a failed commit, a version not on disk) writes none, and the next start reads the rows.
    /// </summary>
    private async Task SaveSnapshotAsync()
    {
        if (!_indexSnapshot || _cache is null || Replica is not null || _backend?.SnapshotPath is not { } path || _log is null) return;
        if (_log.Failures > 0)
        {
            LogSnapshotSkipped(_logger, "a commit failed in this run: memory may be ahead of the database");
            return;
        }
        // Observers hear of each commit after it is durable, in order: the last notifications may still be running.
        try { await Task.WhenAll(_accounts.Values.Select(s => s.ObserverTail)); }
        catch (Exception) { LogSnapshotSkipped(_logger, "an observer failed"); return; }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var tmp = path + ".tmp";
        try
        {
            long objects = 0, bytes;
            var refersToPages = false;
            using (var file = new FileStream(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            using (var w = new SnapshotWriter(file, Pages))
            {
                w.Write(SnapshotMagic);
                w.Write(SnapshotFormat);
                w.Write(token);
                w.Write(SchemaFingerprint());
                var (lastObject, lastResult) = _backend.LastPositions();
                w.Write(lastObject);
                w.Write(lastResult);
                var trees = _accounts.Values.ToList();
                w.Write(_updatesBefore + trees.Sum(t => t.Updates));
                w.Write(Interlocked.Read(ref _seq));
                // The index pages' files, which the blocks below refer to instead of copying them (docs/storage.md, "The
                // snapshot refers to the pages").
                w.WritePageFiles();
                w.Write(trees.Count);
                foreach (var state in trees)
                    lock (state.Gate)
                    {
                        if (!state.SaveSnapshot(w))
                        {
                            LogSnapshotSkipped(_logger, $"a version of {state.AccountId}'s tree is not on disk");
                            return;
                        }
                        objects += state.Objects.Count;
                    }
                var lookups = _lookups.ToList();
                w.Write(lookups.Count);
                foreach (var ((index, key), (root, id)) in lookups)
                {
                    w.Write(LookupNumber(index));
                    w.Write(key);
                    w.Write(root);
                    w.Write(id);
                }
                var left = _superseded.Count - Volatile.Read(ref _compactedTo);
                w.Write(left);
                for (var i = _superseded.Count - left; i < _superseded.Count; i++) w.Write(_superseded[i]);
                foreach (var o in Schema.Observers)
                {
                    var at = file.Position;
                    w.Write(true);
                    w.Write(0L); // the section's length, filled in below
                    w.Flush();
                    var start = file.Position;
                    if (!o.SaveSnapshot(w))
                    {
                        w.Flush();
                        file.SetLength(at);
                        file.Position = at;
                        w.Write(false);
                        continue;
                    }
                    w.Flush();
                    var end = file.Position;
                    file.Position = at + 1;
                    w.Write(end - start);
                    w.Flush();
                    file.Position = end;
                }
                w.Write(SnapshotEnd);
                // Every tree was saved under its lock, so a unit of work that was applying when the stop began has ended by
                // now; one whose rows came too late for the group commit left memory ahead of the disk.
                if (_log.Failures > 0)
                {
                    LogSnapshotSkipped(_logger, "a commit came after the store stopped taking rows: memory may be ahead of the database");
                    return;
                }
                w.Complete(); // what the snapshot refers to is on disk before the snapshot is
                w.Flush();
                file.Flush(flushToDisk: true);
                bytes = file.Length;
                refersToPages = w.RefersToPages;
            }
            File.Move(tmp, path, overwrite: true);
            if (refersToPages) Pages!.Keep(); // from here the files may be the next start's, whether or not the token lands
            _backend.SetSnapshotToken(token);
            LogSnapshotWritten(_logger, objects, bytes, clock.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            LogSnapshotSkipped(_logger, ex.Message);
        }
        finally
        {
            try { File.Delete(tmp); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Information,
        Message = "Loaded {Objects} objects from the index snapshot ({Bytes} bytes) in {TotalMs} ms: objects map {MapMs} ms, lists {ListsMs} ms, " +
                  "secondary indexes {SecondaryMs} ms, timers {TimersMs} ms, idempotent results {IdempotencyMs} ms, " +
                  "{Wanted} objects read whole and observers {ObserversMs} ms")]
    private static partial void LogSnapshotLoaded(ILogger log, long objects, long bytes, long totalMs, long mapMs, long listsMs, long secondaryMs,
        long timersMs, long idempotencyMs, int wanted, long observersMs);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Not starting from the index snapshot: {Reason}; reading the rows")]
    private static partial void LogSnapshotRefused(ILogger log, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Wrote the index snapshot of {Objects} objects ({Bytes} bytes) in {Ms} ms")]
    private static partial void LogSnapshotWritten(ILogger log, long objects, long bytes, long ms);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "No index snapshot written: {Reason}; the next start reads the rows")]
    private static partial void LogSnapshotSkipped(ILogger log, string reason);
}
