using System.Runtime.CompilerServices;
using System.Text;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Server.Idempotency;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The compact index structures written to and read back from the start-up index snapshot (docs/storage.md, "Index
/// snapshot at shutdown"): each answers after loading as it did when saved, and goes on growing the same way.
/// </summary>
public class IndexSnapshotStructureTests
{
    private static MemoryStream Saved(Action<BinaryWriter> save)
    {
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) save(w);
        stream.Position = 0;
        return stream;
    }

    private static T Loaded<T>(Action<BinaryWriter> save, Func<BinaryReader, T> load)
    {
        using var stream = Saved(save);
        using var r = new BinaryReader(stream);
        var loaded = load(r);
        Assert.Equal(stream.Length, stream.Position); // read exactly what was written
        return loaded;
    }

    [Fact]
    public void A_list_key_is_24_bytes()
    {
        Assert.Equal(24, Unsafe.SizeOf<ListKey>());
    }

    [Fact]
    public void An_arena_reads_back_every_string_and_appends_where_the_saved_one_would()
    {
        var arena = new Utf8Arena();
        var handed = new List<(int Start, ushort Length, string S)>();
        // About 100 KB of short strings crosses into a second array; a string longer than an array gets one of its own.
        for (var i = 0; i < 5_000; i++)
        {
            var s = $"cus_{i:D16}";
            var (start, length) = arena.Add(s);
            handed.Add((start, length, s));
        }
        var longer = new string('x', 65_500);
        var (ls, ll) = arena.Add(longer);
        handed.Add((ls, ll, longer));
        var after = "after_the_long_one";
        var (las, lal) = arena.Add(after);
        handed.Add((las, lal, after));
        Assert.True(handed.Select(h => h.Start / (64 * 1024 - 64)).Distinct().Count() >= 4, "strings in several arrays");

        var loaded = Loaded(arena.Save, Utf8Arena.Load);
        foreach (var (start, length, s) in handed)
        {
            Assert.True(arena.Bytes(start, length).SequenceEqual(loaded.Bytes(start, length)));
            Assert.Equal(s, loaded.String(start, length));
        }
        Assert.Equal(arena.Add("next"), loaded.Add("next"));
        Assert.Equal(arena.Add(new string('y', 40_000)), loaded.Add(new string('y', 40_000)));
    }

    [Fact]
    public void An_empty_arena_loads_and_appends_like_a_new_one()
    {
        var loaded = Loaded(new Utf8Arena().Save, Utf8Arena.Load);
        Assert.Equal(new Utf8Arena().Add("first"), loaded.Add("first"));
        Assert.Equal("first", loaded.String(0, 5));
    }

    private static Customer Cus(string id, long storedAt)
    {
        var c = new Customer { Id = id, AccountId = "acct_snap", Created = 1_800_000_000 };
        c.StoredAt = storedAt;
        return c;
    }

    [Fact]
    public void An_object_map_answers_the_same_after_loading_with_nothing_held()
    {
        var map = new ObjectMap();
        var names = new List<string>();
        for (var i = 0; i < 10_000; i++)
        {
            var id = $"cus_{i:D8}";
            names.Add(id);
            switch (i % 4)
            {
                case 0: map.Set(id, Cus(id, 1_000_000 + i), seq: i + 1, position: 0); break; // held in memory
                case 1: map.Set(id, null, seq: i + 1, position: 500_000 + i); break; // on disk only
                case 2: map.Intern(id); break; // a string that only names keys
                default:
                    // Held, read by the cache (the read mark is not kept), then let go: on disk.
                    var o = map.Set(id, Cus(id, 2_000_000 + i), seq: i + 1, position: 0);
                    map.Touch(o);
                    if (i % 8 == 7) map.Set(o, null, seq: i + 1, position: 2_000_000 + i);
                    break;
            }
        }
        names.Add(new string('z', 300)); // longer than the stack buffer
        map.Intern(names[^1]);
        Assert.True(map.Held > 0);

        var loaded = Loaded(w => map.Save(w, o => o.StoredAt), ObjectMap.Load);
        Assert.Equal(map.Count, loaded.Count);
        Assert.Equal(0, loaded.Held);
        foreach (var name in names)
        {
            var ordinal = map.Find(name);
            Assert.Equal(ordinal, loaded.Find(name));
            Assert.Equal(name, loaded.Name(ordinal));
            Assert.Equal(map.ContainsKey(name), loaded.ContainsKey(name));
            Assert.Equal(map.TryGet(ordinal, out var before), loaded.TryGet(ordinal, out var after));
            if (before.Obj is { } held) Assert.Equal(((StripeObject?)null, before.Seq, held.StoredAt), after);
            else Assert.Equal(before, after);
            Assert.False(loaded.TakeTouched(ordinal));
        }
        Assert.Equal(-1, loaded.Find("cus_never"));
        Assert.False(loaded.ContainsKey("cus_never"));

        var count = names.Count;
        Assert.Equal(count, loaded.Intern("cus_new"));
        Assert.Equal(count, loaded.Find("cus_new"));
        Assert.Equal(count + 1, loaded.Set("cus_newer", Cus("cus_newer", 9), seq: 99_999, position: 0));
        Assert.Equal(map.Count + 1, loaded.Count);
        Assert.Equal(1, loaded.Held);
        // The save is the map's last use (a clean stop) and writes into the entries themselves, which a snapshot referring
        // to the index pages then refers to: held objects stay held but know their stored position, and read marks are gone.
        Assert.True(map.TryGet(map.Find("cus_00000000"), out var still) && still.Obj is { } obj && still.Position == obj.StoredAt);
        Assert.False(map.TakeTouched(map.Find("cus_00000003")));
    }

    [Fact]
    public void An_object_map_with_a_held_object_not_yet_on_disk_is_not_saved()
    {
        var map = new ObjectMap();
        map.Set("cus_written", Cus("cus_written", 10), seq: 1, position: 0);
        map.Set("cus_unwritten", Cus("cus_unwritten", 0), seq: 2, position: 0);
        var ex = Assert.Throws<InvalidOperationException>(() => Saved(w => map.Save(w, o => o.StoredAt)));
        Assert.Contains("not on disk", ex.Message);
        Assert.Throws<InvalidOperationException>(() => Saved(w => new ObjectMap(holdsAll: true).Save(w, o => o.StoredAt)));
    }

    [Fact]
    public void A_key_index_loads_sorted_without_its_removed_keys_and_grows_across_a_chunk()
    {
        var index = new KeyIndex();
        var live = new List<ListKey>();
        for (var i = 0; i < 2_100; i++)
        {
            var key = new ListKey(i % 5 == 0 ? 500 + i / 2 : 1000 + i, i, i); // every fifth out of order
            index.Add(key);
            live.Add(key);
        }
        for (var i = 0; i < 2_100; i += 40)
        {
            Assert.True(index.Remove(live[i]));
        }
        live.RemoveAll(k => k.Seq % 40 == 0);
        Assert.Equal(live.Count, index.Count);

        var loaded = Loaded(index.Save, KeyIndex.Load);
        Assert.Equal(index.NewestFirst().ToList(), loaded.NewestFirst().ToList());
        Assert.Equal(live.Count, loaded.Count);
        Assert.Equal(live.Count, loaded.Positions); // no tombstones
        Assert.Equal(-1, loaded.Find(new ListKey(1000 + 40, 40, 40)));
        var sorted = live.Order().ToList();
        Assert.Equal(700, loaded.Find(sorted[700]));
        Assert.Equal(701, loaded.LowerBound(sorted[701]));
        Assert.Equal(live.Count, loaded.LowerBound(new ListKey(long.MaxValue, 0, 0)));

        // 2,047 keys fill all but one place of the first chunk: five more cross into the second.
        var small = new KeyIndex();
        var keys = Enumerable.Range(0, 2_047).Select(i => new ListKey(1000 + i, i, i)).ToList();
        keys.ForEach(small.Add);
        var reloaded = Loaded(small.Save, KeyIndex.Load);
        for (var i = 2_047; i < 2_052; i++)
        {
            var key = new ListKey(1000 + i, i, i);
            reloaded.Add(key);
            keys.Add(key);
        }
        reloaded.Add(new ListKey(10, 9_999, -1)); // out of order after loading
        keys.Add(new ListKey(10, 9_999, -1));
        Assert.Equal(keys.OrderDescending().ToList(), reloaded.NewestFirst().ToList());
        Assert.True(reloaded.Remove(keys[2_050]));
        Assert.Equal(keys.Count - 1, reloaded.Count);
    }

    [Fact]
    public void An_empty_key_index_and_one_of_one_key_load()
    {
        var empty = Loaded(new KeyIndex().Save, KeyIndex.Load);
        Assert.Equal(0, empty.Count);
        Assert.Empty(empty.NewestFirst());
        empty.Add(new ListKey(1, 1, 1));
        Assert.Equal([new ListKey(1, 1, 1)], empty.NewestFirst().ToList());

        var one = new KeyIndex();
        one.Add(new ListKey(5, 5, 5));
        var loaded = Loaded(one.Save, KeyIndex.Load);
        loaded.Add(new ListKey(6, 6, 6));
        loaded.Add(new ListKey(4, 4, 4));
        Assert.Equal([new ListKey(6, 6, 6), new ListKey(5, 5, 5), new ListKey(4, 4, 4)], loaded.NewestFirst().ToList());
    }

    private static List<((int, int, int) Entry, ListKey Key)> Contents(SecondaryKeys keys) =>
        keys.All().SelectMany(a => a.Objects.NewestFirst().Select(k => (a.Entry, k))).OrderBy(a => a.Entry).ToList();

    [Fact]
    public void Secondary_keys_load_with_the_same_objects_under_every_key()
    {
        var keys = new SecondaryKeys();
        var seq = 0L;
        ListKey Next() => new(1000 + seq, ++seq, (int)seq);
        for (var k = 0; k < 3_000; k++)
        {
            var entry = (k % 7, k % 3, k);
            keys.Add(entry, Next());
            if (k % 10 == 0)
                for (var j = 0; j < 1 + k % 5; j++) keys.Add(entry, Next()); // a key with several objects
        }
        // A key of several objects emptied (its index freed), and one cut down to a single object in its index.
        var emptied = (0 % 7, 0 % 3, 0);
        foreach (var key in keys.Get(emptied)!.OldestFirst().ToList()) keys.Remove(emptied, key);
        var cut = (10 % 7, 10 % 3, 10);
        var cutKeys = keys.Get(cut)!.OldestFirst().ToList();
        keys.Remove(cut, cutKeys[0]);
        Assert.Null(keys.Get(emptied));

        var loaded = Loaded(keys.Save, SecondaryKeys.Load);
        Assert.Equal(keys.Count, loaded.Count);
        Assert.Equal(Contents(keys), Contents(loaded));
        foreach (var (entry, _) in keys.All()) Assert.Equal(keys.CountOf(entry), loaded.CountOf(entry));
        Assert.Equal(0, loaded.CountOf(emptied));

        // Adding and removing go on after loading: into a one-object key, a several-object key and a new key.
        var more = Next();
        Assert.False(loaded.Add((1, 1, 1), more));
        Assert.Equal(2, loaded.CountOf((1, 1, 1)));
        Assert.False(loaded.Add(cut, Next()));
        Assert.Equal(cutKeys.Count, loaded.CountOf(cut));
        Assert.True(loaded.Add(emptied, Next()));
        Assert.True(loaded.Add((9, 9, 99_999), Next()));
        Assert.False(loaded.Remove((1, 1, 1), more));
        Assert.True(loaded.Remove((1, 1, 1), keys.Get((1, 1, 1))!.OldestFirst().Single()));
        Assert.Equal(0, loaded.CountOf((1, 1, 1)));
        foreach (var key in loaded.Get(cut)!.OldestFirst().ToList()) loaded.Remove(cut, key);
        Assert.Equal(0, loaded.CountOf(cut));
        Assert.True(loaded.Add(cut, Next())); // its freed index place used again
        Assert.False(loaded.Add(cut, Next()));
        Assert.Equal(2, loaded.CountOf(cut));
    }

    [Fact]
    public void Empty_secondary_keys_load()
    {
        var loaded = Loaded(new SecondaryKeys().Save, SecondaryKeys.Load);
        Assert.Equal(0, loaded.Count);
        Assert.True(loaded.Add((1, 2, 3), new ListKey(1, 1, 1)));
    }

    private static IdempotencyRecord Written(string fingerprint, long created, long position)
    {
        var record = new IdempotencyRecord(fingerprint, 200, [1, 2, 3], "req_" + fingerprint, created);
        if (position > 0) record.Written(position);
        return record;
    }

    private static (string, int, string, long)? Result(IdempotencyRecord? r) =>
        r is null ? null : (r.Fingerprint, r.Status, r.RequestId, r.Created);

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // every key collides
    public void An_idempotency_table_finds_the_same_results_after_loading(bool collide)
    {
        Func<string, ulong>? hash = collide ? _ => 42 : null;
        var rows = new Dictionary<long, IdempotencyRow>();
        var table = new IdempotencyTable(compact: true, hash);
        for (var i = 1; i <= 40; i++)
        {
            rows[i] = new("acct_1", $"k{i}", $"f{i}", 200, [], $"req_{i}", 100 + i);
            table.AddStored($"k{i}", 100 + i, i);
        }
        rows[41] = new("acct_1", "k1", "f1-again", 402, [], "req_1_again", 500); // a key used again
        table.AddStored("k1", 500, 41);
        // Held whole: one whose row is written by the time of the save (kept as a slot), one whose row is not (left out).
        // The next Add would settle a written one, so it is written after both are added.
        var heldWritten = Written("fw", 600, 0);
        table.Add("held-written", heldWritten);
        table.Add("held-unwritten", Written("fu", 700, 0));
        heldWritten.Written(42);
        rows[42] = new("acct_1", "held-written", "fw", 200, [], "req_fw", 600);
        Assert.Equal((2, 41), (table.Held, table.OnDisk));
        IdempotencyRow Read(long position) => rows[position];

        bool complete = true;
        var loaded = Loaded(w => table.Save(w, out complete), r => IdempotencyTable.Load(r, hash));
        Assert.False(complete);
        Assert.Equal((0, 42), (loaded.Held, loaded.OnDisk));
        foreach (var key in Enumerable.Range(1, 40).Select(i => $"k{i}").Append("held-written").Append("absent"))
            foreach (var since in new long[] { 0, 120, 550 })
                Assert.Equal(Result(table.Find(key, since, Read)), Result(loaded.Find(key, since, Read)));
        Assert.Equal("req_1_again", loaded.Find("k1", 0, Read)!.RequestId);
        Assert.Equal("req_fw", loaded.Find("held-written", 0, Read)!.RequestId);
        Assert.Null(loaded.Find("held-unwritten", 0, Read));

        // Without the unwritten one the save is complete; the loaded table takes new results as before.
        var settled = new IdempotencyTable(compact: true, hash);
        settled.Add("only", Written("fo", 800, 43));
        Loaded(w => settled.Save(w, out complete), r => IdempotencyTable.Load(r, hash));
        Assert.True(complete);
        loaded.AddStored("k99", 900, 99);
        rows[99] = new("acct_1", "k99", "f99", 200, [], "req_99", 900);
        Assert.Equal("req_99", loaded.Find("k99", 0, Read)!.RequestId);
        loaded.Purge(cutoff: 130);
        Assert.Null(loaded.Find("k5", 0, Read));
        Assert.Equal("req_35", loaded.Find("k35", 0, Read)!.RequestId);
    }

    [Fact]
    public void An_idempotency_table_that_holds_results_whole_is_not_saved()
    {
        Assert.Throws<InvalidOperationException>(() => Saved(w => new IdempotencyTable(compact: false).Save(w, out _)));
    }
}
