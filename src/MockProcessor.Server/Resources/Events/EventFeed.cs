using MockProcessor.Domain.Common;
using MockProcessor.Domain.Events;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Resources.Events;

/// <summary>
/// The change feed behind <c>GET /_mock/events/stream</c> (docs/event-feed.md): per account tree, the events whose unit
/// of work is durable, in commit order, each with its position (the event's store sequence, persisted with it, so a
/// position means the same after a restart). It observes the store: events loaded at start-up, then each committed
/// event once its commit is on disk, told in commit order (<see cref="Tx.Commit"/>). Holds positions and ids only: the
/// events themselves are the store's objects, read through a unit of work (and from disk once cold, docs/storage.md). Waiting streams are woken by <see cref="Changed"/>.
/// </summary>
public sealed class EventFeed : IStoreObserver
{
    private static readonly HashSet<string> Observed = new(StringComparer.Ordinal) { "event" };
    public IReadOnlySet<string> Types => Observed;

    /// <summary>A durable event's position and id.</summary>
    public readonly record struct Entry(long Position, string EventId);

    /// <summary>
    /// A tree's events by position, their ids kept as UTF-8 in an arena (docs/storage.md, "The compact index"): a feed of
    /// millions of events is a few large arrays of plain data, not a string per event. Its own arena, not the tree's map:
    /// the feed is told of events outside the tree's lock.
    /// </summary>
    private sealed class Log(Storage.IndexPages? pages, Storage.Utf8Arena? ids = null, Storage.Chunks<Item>? items = null, int count = 0)
    {
        public readonly Lock Gate = new();
        private readonly Storage.Utf8Arena _ids = ids ?? new(pages);
        // In chunks of 4,096 (64 KB): managed arrays or a file store's index pages, or (after a start from the index
        // snapshot) blocks of the mapped file.
        private const int ChunkBits = 12;
        private const int Chunk = 1 << ChunkBits;
        private Storage.Chunks<Item> _items = items ?? new(pages, coolBehind: true);
        public int Count { get; private set; } = count;
        public bool Sorted = true;
        public TaskCompletionSource Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Resident()
        {
            lock (Gate) return _ids.Resident() + _items.Resident();
        }

        public long PositionAt(int i) => _items.At(i >> ChunkBits, i & (Chunk - 1)).Position;

        public void Add(long position, string id)
        {
            var (start, length) = _ids.Add(id);
            Append(new Item(position, start, length));
        }

        private void Append(Item item)
        {
            if ((Count & (Chunk - 1)) == 0) _items.AddNew(Chunk);
            _items.At(Count >> ChunkBits, Count & (Chunk - 1)) = item;
            Count++;
        }

        public Entry At(int i)
        {
            var item = _items.At(i >> ChunkBits, i & (Chunk - 1));
            return new(item.Position, _ids.String(item.Start, item.Length));
        }

        public void Sort()
        {
            if (Sorted) return;
            var all = new List<Item>(Count);
            for (var i = 0; i < Count; i++) all.Add(_items.At(i >> ChunkBits, i & (Chunk - 1)));
            all.Sort((a, b) => a.Position.CompareTo(b.Position));
            _items.Clear();
            Count = 0;
            foreach (var item in all) Append(item);
            Sorted = true;
        }

        public void Save(BinaryWriter w)
        {
            Sort();
            w.Write(Count);
            for (var c = 0; c < _items.Count; c++) Storage.SnapshotBlocks.Write<Item>(w, _items.Span(c));
            _ids.Save(w);
        }

        public static Log Load(Storage.SnapshotSource source)
        {
            var count = source.Reader.ReadInt32();
            if (count < 0) throw new InvalidDataException($"A feed of {count} events cannot be.");
            var items = new Storage.Chunks<Item>(source.Pages, coolBehind: true);
            for (var c = 0; c < (count + Chunk - 1) >> ChunkBits; c++) items.AddBlock(source, Chunk);
            return new Log(source.Pages, Storage.Utf8Arena.Load(source), items, count);
        }
    }

    /// <summary>A feed entry in memory: the event's position and where its id's UTF-8 bytes are in the log's arena.</summary>
    private readonly record struct Item(long Position, int Start, ushort Length);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Log> _logs = new(StringComparer.Ordinal);

    /// <summary>What of the logs' file-mapped blocks is in memory now (a diagnostic: <c>/_mock/stats?resident=true</c>).</summary>
    internal long Resident() => _logs.Values.Sum(l => l.Resident());

    private Log LogOf(AccountState state) => _logs.GetOrAdd(state.AccountId, _ => new Log(state.Pages));

    // The index snapshot of a clean stop (docs/storage.md): every tree's log as it stands, read back whole at the next
    // start instead of being told of millions of events one by one.
    public bool SaveSnapshot(BinaryWriter w)
    {
        var logs = _logs.ToList();
        w.Write(logs.Count);
        foreach (var (tree, log) in logs)
            lock (log.Gate)
            {
                w.Write(tree);
                log.Save(w);
            }
        return true;
    }

    public void RestoreSnapshot(Storage.SnapshotSource source, Func<string, AccountState?> tree)
    {
        var r = source.Reader;
        var logs = new List<(string, Log)>();
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var id = r.ReadString();
            var log = Log.Load(source);
            if (tree(id) is not null) logs.Add((id, log));
        }
        _logs.Clear();
        foreach (var (id, log) in logs) _logs[id] = log;
    }

    // Ids and positions only: start-up need not read the events themselves.
    public void Loaded(AccountState state, string id, long seq, StripeObject? obj)
    {
        var log = LogOf(state);
        lock (log.Gate)
        {
            // Start-up tells objects in list order, not commit order: sorted once, at the first read.
            if (log.Count > 0 && log.PositionAt(log.Count - 1) > seq) log.Sorted = false;
            log.Add(seq, id);
        }
    }

    public void Durable(AccountState state, IReadOnlyList<CommittedObject> objects)
    {
        var log = LogOf(state);
        TaskCompletionSource? wake = null;
        lock (log.Gate)
        {
            log.Sort();
            foreach (var (obj, seq) in objects)
            {
                // A new event's sequence is above every earlier one of the tree (assigned at commit, under the tree's lock,
                // and told in commit order); a sequence at or below the last is a later version of a known event: skipped.
                if (obj is not Event e || log.Count > 0 && log.PositionAt(log.Count - 1) >= seq) continue;
                log.Add(seq, e.Id);
                wake ??= log.Changed;
            }
            if (wake is not null) log.Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake?.TrySetResult();
    }

    /// <summary>
    /// Up to <paramref name="max"/> durable events of the tree after <paramref name="after"/>, in order, into
    /// <paramref name="into"/>; returns the task that completes when more arrive (take it before reading, so nothing is
    /// missed between the read and the wait).
    /// </summary>
    public Task Read(AccountState state, long after, int max, List<Entry> into)
    {
        var log = LogOf(state);
        lock (log.Gate)
        {
            log.Sort();
            // The first entry past `after`: binary search on the position.
            int lo = 0, hi = log.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (log.PositionAt(mid) <= after) lo = mid + 1; else hi = mid;
            }
            for (var i = lo; i < log.Count && into.Count < max; i++) into.Add(log.At(i));
            return log.Changed.Task;
        }
    }

    /// <summary>The position of the tree's last durable event (0 when it has none).</summary>
    public long Last(AccountState state)
    {
        var log = LogOf(state);
        lock (log.Gate)
        {
            log.Sort();
            return log.Count == 0 ? 0 : log.PositionAt(log.Count - 1);
        }
    }
}
