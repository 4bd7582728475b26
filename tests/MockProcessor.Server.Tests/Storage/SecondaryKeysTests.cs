using System.Text;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The secondary-index table against a plain model: keys of one object inline, of up to eight in slab slices, of more as
/// a <see cref="KeyIndex"/>, through growth, shrinking, deletion and the start-up index snapshot's Save and Load.
/// </summary>
public class SecondaryKeysTests
{
    private sealed class Model
    {
        public readonly Dictionary<(int, int, int), SortedSet<ListKey>> Keys = [];
        public int Count => Keys.Count;
        public int CountOf((int, int, int) e) => Keys.TryGetValue(e, out var s) ? s.Count : 0;
    }

    private static int _trips;

    // Alternately through memory (the arrays copied) and through a mapped file (the arrays used in place, written
    // copy-on-write, left behind as shards grow), as a start from the index snapshot reads it.
    private static SecondaryKeys RoundTrip(SecondaryKeys keys, IndexPages? pages = null)
    {
        if (++_trips % 2 == 0)
        {
            var path = Path.Combine(Path.GetTempPath(), $"mockprocessor-secondary-{Guid.NewGuid():N}.index");
            try
            {
                using (var f = File.Create(path))
                using (var w = new BinaryWriter(f, Encoding.UTF8)) keys.Save(w);
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
                var mapped = SecondaryKeys.Load(new SnapshotSource(file, pages: pages));
                Assert.Equal(file.Length, file.Position);
                return mapped;
            }
            finally { File.Delete(path); }
        }
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) keys.Save(w);
        stream.Position = 0;
        var loaded = SecondaryKeys.Load(new SnapshotSource(stream, map: false, pages));
        Assert.Equal(stream.Length, stream.Position);
        return loaded;
    }

    private static void Check(SecondaryKeys keys, Model model)
    {
        Assert.Equal(model.Count, keys.Count);
        foreach (var (entry, set) in model.Keys)
        {
            Assert.Equal(set.Count, keys.CountOf(entry));
            var got = keys.Get(entry);
            Assert.NotNull(got);
            Assert.Equal(set.Count, got.Count);
            Assert.Equal(set.ToList(), got.OldestFirst().ToList());
            Assert.Equal(set.Reverse().ToList(), got.NewestFirst().ToList());
        }
        var all = keys.All().ToList();
        Assert.Equal(model.Count, all.Count);
        Assert.Equal(model.Count, all.Select(a => a.Entry).Distinct().Count());
        foreach (var (entry, objects) in all)
        {
            Assert.True(model.Keys.TryGetValue(entry, out var set), $"{entry} is not in the model");
            Assert.Equal(set.ToList(), objects.OldestFirst().ToList());
        }
    }

    // With index pages (a file store's), the table has enough keys for its shards to outgrow a page and move there, and
    // every slab and big key's chunk is a block of the pages. With frozen runs (a limit of 100 live keys) most keys are
    // found, changed and emptied in runs, and merges drop the emptied ones; without, every key stays in the live tables
    // (until a round trip, after which the table freezes at this suite's limit: HashRunsForTests).
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Random_adds_and_removes_match_a_model_through_saves_and_loads(bool withPages, bool withRuns)
    {
        using var pages = withPages ? new IndexPages(Path.Combine(Path.GetTempPath(), $"mockprocessor-secondary-{Guid.NewGuid():N}.pages")) : null;
        var random = new Random(20_260_512);
        var keys = new SecondaryKeys(pages, runLimit: withRuns ? 100 : int.MaxValue);
        var model = new Model();
        // A few hundred keys (ten thousand with pages), a few of them busy enough to pass eight objects and to empty again.
        var entries = Enumerable.Range(0, withPages ? 10_000 : 300).Select(i => (Owner: i % 5, Index: i % 4, Key: 1_000 + i * 7)).ToArray();
        var busy = entries.Take(12).ToArray();
        var seq = 0L;
        var bigSeen = 0;
        // Keys that have held more than eight objects since they were last empty: a KeyIndex, which takes a list key
        // twice (as it always has), so the test adds one again only to the others.
        var big = new HashSet<(int, int, int)>();
        for (var op = 1; op <= 20_000; op++)
        {
            var entry = random.Next(4) == 0 ? busy[random.Next(busy.Length)] : entries[random.Next(entries.Length)];
            model.Keys.TryGetValue(entry, out var set);
            var n = set?.Count ?? 0;
            // Busy keys fill up before they drain; the others stay small. Removing a key not under the entry, and adding
            // one already there (to a key that was never big), change nothing.
            var fill = busy.Contains(entry) ? (op / 2_500 % 2 == 0 ? 0.7 : 0.3) : 0.55;
            if (n == 0 || random.NextDouble() < fill)
            {
                if (n > 0 && !big.Contains(entry) && random.Next(10) == 0)
                {
                    var again = set!.ElementAt(random.Next(n));
                    Assert.False(keys.Add(entry, again));
                }
                else
                {
                    // Mostly in order, often not: created a second apart or out of place by up to a minute.
                    seq++;
                    var created = 1_000_000 + seq / 3 - (random.Next(3) == 0 ? random.Next(60) : 0);
                    var key = new ListKey(created, seq, (int)seq);
                    Assert.Equal(n == 0, keys.Add(entry, key));
                    (model.Keys.TryGetValue(entry, out var s) ? s : model.Keys[entry] = []).Add(key);
                }
            }
            else if (random.Next(8) == 0)
            {
                var absent = new ListKey(5, 5, 5);
                Assert.False(keys.Remove(entry, absent));
                Assert.Equal(n, keys.CountOf(entry));
            }
            else
            {
                var gone = set!.ElementAt(random.Next(n));
                Assert.Equal(n == 1, keys.Remove(entry, gone));
                set!.Remove(gone);
                if (set.Count == 0)
                {
                    model.Keys.Remove(entry);
                    big.Remove(entry);
                }
            }
            if (model.CountOf(entry) > 8) big.Add(entry);
            bigSeen = Math.Max(bigSeen, model.Keys.Values.Select(s => s.Count).DefaultIfEmpty().Max());
            if (op % 1_000 == 0) Check(keys, model);
            if (op == 5_000) Assert.Equal(withRuns, keys.Frozen.Runs > 0);
            if (op == 10_000 || op == 20_000)
            {
                // More than the three slabs' first arrays (48 KB each): shard tables moved to the pages as they grew.
                if (pages is not null) Assert.True(pages.LiveBytes > 3 * 2_048 * 24, $"{pages.LiveBytes} bytes in pages");
                keys = RoundTrip(keys, pages);
                Check(keys, model);
            }
        }
        Assert.True(bigSeen > 20, $"the busiest key held {bigSeen} objects");

        // Going on with the loaded table: every key emptied, then filled again.
        foreach (var (entry, set) in model.Keys.ToList())
            foreach (var key in set.ToList())
            {
                Assert.Equal(set.Count == 1, keys.Remove(entry, key));
                set.Remove(key);
            }
        model.Keys.Clear();
        Check(keys, model);
        Assert.True(keys.Add(entries[0], new ListKey(1, 1, 1)));
        model.Keys[entries[0]] = [new ListKey(1, 1, 1)];
        Check(RoundTrip(keys, pages), model);
    }

    [Fact]
    public void Every_shard_grows_several_times_and_shrinks_back_without_losing_a_key()
    {
        var keys = new SecondaryKeys();
        var model = new Model();
        // 64 shards start at 8 slots and grow by a quarter: 40,000 keys is about 625 a shard, over a dozen growths each.
        for (var k = 0; k < 40_000; k++)
        {
            var entry = (k % 3, k % 2, k);
            var key = new ListKey(2_000 + k, k + 1, k);
            Assert.True(keys.Add(entry, key));
            model.Keys[entry] = [key];
            if (k % 5 == 0)
            {
                var second = new ListKey(1_000 + k, k + 100_000, k + 100_000); // older: goes first
                Assert.False(keys.Add(entry, second));
                model.Keys[entry].Add(second);
            }
        }
        Check(keys, model);
        var loaded = RoundTrip(keys);
        Check(loaded, model);
        // Deleting every other key shifts runs back; each one left must still be found.
        for (var k = 0; k < 40_000; k += 2)
        {
            var entry = (k % 3, k % 2, k);
            foreach (var key in model.Keys[entry].ToList()) loaded.Remove(entry, key);
            model.Keys.Remove(entry);
        }
        Check(loaded, model);
        Assert.Equal(0, loaded.CountOf((0, 0, 0)));
        Assert.Null(loaded.Get((0, 0, 0)));
        Check(RoundTrip(loaded), model);
    }

    [Fact]
    public void A_key_past_eight_objects_is_a_live_index_and_stays_one_as_it_shrinks()
    {
        var keys = new SecondaryKeys();
        var entry = (1, 2, 3);
        var added = Enumerable.Range(1, 9).Select(i => new ListKey(100 - i, i, i)).ToList(); // newest first
        foreach (var key in added) keys.Add(entry, key);
        var index = keys.Get(entry)!;
        Assert.Same(index, keys.Get(entry));
        Assert.Equal(added.Order().ToList(), index.OldestFirst().ToList());
        for (var i = 0; i < 8; i++) Assert.False(keys.Remove(entry, added[i]));
        Assert.Same(index, keys.Get(entry));
        Assert.Equal(1, keys.CountOf(entry));
        Assert.True(keys.Remove(entry, added[8]));
        Assert.Null(keys.Get(entry));
        Assert.Equal(0, keys.Count);
    }

    [Fact]
    public void A_snapshot_with_nonsense_counts_is_refused()
    {
        var keys = new SecondaryKeys();
        keys.Add((1, 1, 1), new ListKey(1, 1, 1));
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) keys.Save(w);
        var bytes = stream.ToArray();
        // The key count first: one more than the shards hold.
        var wrong = (byte[])bytes.Clone();
        BitConverter.GetBytes(2).CopyTo(wrong, 0);
        Assert.Throws<InvalidDataException>(() => SecondaryKeys.Load(new BinaryReader(new MemoryStream(wrong))));
        // The first shard's length: not a length a shard can have.
        wrong = (byte[])bytes.Clone();
        BitConverter.GetBytes(3).CopyTo(wrong, 4);
        Assert.Throws<InvalidDataException>(() => SecondaryKeys.Load(new BinaryReader(new MemoryStream(wrong))));
        Assert.ThrowsAny<EndOfStreamException>(() => SecondaryKeys.Load(new BinaryReader(new MemoryStream(bytes[..^3]))));
    }
}
