using System.Text;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The compact index's frozen runs (docs/storage.md, "Frozen runs"): the id map and the secondary keys answering through
/// sorted runs with filters as they answer from their live tables, through merges, marks of deleted keys and the index
/// snapshot; and what the runs and appended chunks leave mapped in the process once paged out (what its resident set counts).
/// </summary>
public unsafe class HashRunsTests
{
    private static string Prefix() => Path.Combine(Path.GetTempPath(), $"mockprocessor-runs-{Guid.NewGuid():N}.pages");

    private static string Id(int i) => $"pi_{i:x}{new string('r', i % 23)}";

    private static ObjectMap RoundTrip(ObjectMap map, IndexPages? pages)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mockprocessor-runs-{Guid.NewGuid():N}.index");
        try
        {
            using (var f = File.Create(path))
            using (var w = new BinaryWriter(f, Encoding.UTF8)) map.Save(w, _ => 1);
            // Shared with pages (what a store with index pages does), copy-on-write without.
            using var file = new FileStream(path, FileMode.Open, pages is null ? FileAccess.Read : FileAccess.ReadWrite);
            var loaded = ObjectMap.Load(new SnapshotSource(file, pages: pages));
            Assert.Equal(file.Length, file.Position);
            return loaded;
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_id_map_finds_every_string_through_its_runs_and_no_absent_one_through_a_snapshot(bool withPages)
    {
        using var pages = withPages ? new IndexPages(Prefix()) : null;
        var map = new ObjectMap(pages: pages, runLimit: 1_000);
        var model = new Dictionary<string, int>();
        for (var i = 0; i < 100_000; i++)
        {
            var ordinal = map.Intern(Id(i));
            Assert.Equal(model.Count, ordinal);
            model[Id(i)] = ordinal;
            if (i % 7 == 0) map.Set(ordinal, null, i + 1, i * 10L);
            // An id seen before is found, not added again, wherever it is by now.
            if (i % 1_000 == 999) Assert.Equal(model[Id(i / 2)], map.Intern(Id(i / 2)));
        }
        // 100 freezes merged like a binary counter (1100100): three runs and some live slots.
        Assert.Equal(3, map.Frozen.Runs);
        Assert.Equal(100_000, map.Frozen.Slots);
        Assert.True(map.Frozen.FilterBytes < 100_000 * 2.05, $"{map.Frozen.FilterBytes} bytes of filters and fences");

        void Check(ObjectMap m)
        {
            foreach (var (id, ordinal) in model)
            {
                Assert.Equal(ordinal, m.Find(id));
                Assert.Equal(id, m.Name(ordinal));
            }
            Assert.True(m.TryGetValue(Id(700), out var entry, out _));
            Assert.Equal((701L, 7_000L), (entry.Seq, entry.Position));
            // Absent ids: the filters keep almost every run from being searched (16 bits a slot: about 0.1 % each).
            var searched = m.RunSearches;
            for (var i = 0; i < 30_000; i++) Assert.Equal(-1, m.Find($"pi_absent_{i}"));
            var rate = (m.RunSearches - searched) / (30_000.0 * m.Frozen.Runs);
            Assert.True(rate < 0.005, $"{rate:P2} of the runs searched for absent ids");
        }
        Check(map);
        var loaded = RoundTrip(map, pages);
        Assert.Equal(map.Frozen, loaded.Frozen);
        Check(loaded);
        // New strings go on from the saved count, and freeze and merge with the loaded runs.
        for (var i = 100_000; i < 400_000; i++) model[Id(i)] = loaded.Intern(Id(i));
        Assert.Equal(399_999, model[Id(399_999)]);
        Check(loaded);
    }

    [Fact]
    public void An_absent_id_reads_no_old_id_back_from_the_runs()
    {
        // A run is searched by the id's hash, and a slot whose hash matches sends the lookup to that old id's entry and
        // bytes (pages a big store has left on disk). With 32-bit hashes, 500,000 absent ids against 500,000 frozen ones
        // would match about 58 old hashes by chance; the 64-bit hash matches none.
        var map = new ObjectMap(runLimit: 10_000);
        for (var i = 0; i < 500_000; i++) map.Intern(Id(i));
        Assert.Equal(500_000, map.Frozen.Slots);
        for (var i = 0; i < 500_000; i++) Assert.Equal(-1, map.Find($"ch_absent_{i:x}"));
        Assert.Equal(0, map.RunFalseMatches);
        // The counter counts: an id present in a run is found there without a false match on the way.
        Assert.Equal(123_456, map.Find(Id(123_456)));
        Assert.Equal(0, map.RunFalseMatches);
    }

    [Fact]
    public void A_secondary_key_changed_or_emptied_in_a_run_is_seen_at_once_and_its_mark_goes_at_the_next_merge()
    {
        var keys = new SecondaryKeys(runLimit: 50);
        static (int, int, int) Entry(int k) => (k % 3, 1, 10_000 + k);
        for (var k = 0; k < 1_000; k++) Assert.True(keys.Add(Entry(k), new ListKey(k, k + 1, k)));
        Assert.Equal((1_000L, 1_000), (keys.Frozen.Slots, keys.Count)); // 20 freezes: every key in a run
        // A second object for a frozen key moves it to a slab slice in place; the last one out marks it gone.
        Assert.False(keys.Add(Entry(3), new ListKey(5_000, 5_000, 5_000)));
        Assert.Equal(2, keys.CountOf(Entry(3)));
        Assert.Equal([new ListKey(3, 4, 3), new ListKey(5_000, 5_000, 5_000)], keys.Get(Entry(3))!.OldestFirst().ToList());
        for (var k = 0; k < 500; k++)
        {
            if (k == 3) Assert.False(keys.Remove(Entry(3), new ListKey(5_000, 5_000, 5_000)));
            Assert.True(keys.Remove(Entry(k), new ListKey(k, k + 1, k)));
        }
        Assert.Equal(500, keys.Count);
        Assert.Null(keys.Get(Entry(10)));
        Assert.Equal(0, keys.CountOf(Entry(10)));
        Assert.DoesNotContain(keys.All(), a => a.Entry == Entry(10));
        Assert.Equal(500, keys.All().Count());
        Assert.True(keys.Frozen.Slots > keys.Count, "the marks stay until a merge");
        // Back with a new object: a live key again, which the mark does not hide.
        Assert.True(keys.Add(Entry(10), new ListKey(7_000, 7_000, 7_000)));
        Assert.Equal([new ListKey(7_000, 7_000, 7_000)], keys.Get(Entry(10))!.OldestFirst().ToList());
        // 44 more freezes carry the counter past its top run (20 + 44 = 64): one run, rewritten without the marks.
        for (var k = 1_000; k < 3_199; k++) Assert.True(keys.Add(Entry(k), new ListKey(k, k + 1, k)));
        Assert.Equal(2_700, keys.Count);
        Assert.Equal(1, keys.Frozen.Runs);
        Assert.Equal(keys.Count, keys.Frozen.Slots);
        Assert.Equal([new ListKey(7_000, 7_000, 7_000)], keys.Get(Entry(10))!.OldestFirst().ToList());
        Assert.Null(keys.Get(Entry(11)));
        Assert.Equal(1, keys.CountOf(Entry(999)));
    }

    [Fact]
    public void A_key_named_after_a_run_was_frozen_is_looked_up_without_reading_that_runs_filter()
    {
        var keys = new SecondaryKeys(runLimit: 100);
        for (var k = 0; k < 10_000; k++) Assert.True(keys.Add((1, 2, k), new ListKey(k, k + 1, k)));
        Assert.True(keys.Frozen.Runs >= 2, $"{keys.Frozen.Runs} runs");
        var reads = keys.RunFilterReads;
        // Keys whose ordinals are past every frozen one (a new PaymentIntent's charges, the common case): no run's filter
        // is read, so filters of runs only old keys ask for can stay on disk.
        for (var k = 10_000; k < 10_050; k++) Assert.True(keys.Add((1, 2, k), new ListKey(k, k + 1, k)));
        Assert.Equal(reads, keys.RunFilterReads);
        // An old key's lookup still reads the filters and finds it in its run.
        Assert.Equal([new ListKey(5, 6, 5)], keys.Get((1, 2, 5))!.OldestFirst().ToList());
        Assert.True(keys.RunFilterReads > reads);
        // ... and so does an absent key as old as the runs' keys.
        reads = keys.RunFilterReads;
        Assert.Null(keys.Get((1, 3, 5)));
        Assert.Equal(keys.Frozen.Runs, keys.RunFilterReads - reads);
    }

    [Fact]
    public void A_paged_out_block_leaves_memory_and_reads_back_unchanged()
    {
        if (!OperatingSystem.IsLinux()) return; // MADV_PAGEOUT and /proc/self/pagemap are Linux's
        using var pages = new IndexPages(Prefix());
        const int bytes = 64 * 4096;
        var block = pages.Allocate<byte>(bytes);
        for (var i = 0; i < bytes; i++) block[i] = (byte)(i * 7);
        Assert.Equal(64L * 4096, IndexPages.Resident(block, bytes));
        pages.PageOut(block, bytes);
        WaitCooled(pages);
        // Pages faulted in this moment may still sit in a core's batch of pages not yet on the kernel's lists (up to 15
        // a core), which a page-out passes over; everything else leaves.
        var left = IndexPages.Resident(block, bytes);
        Assert.True(left <= 15L * 4096 * Environment.ProcessorCount, $"{left / 4096} of 64 pages still mapped");
        for (var i = 0; i < bytes; i++) Assert.Equal((byte)(i * 7), block[i]);
        Assert.Equal(bytes, pages.PagedOutBytes);
    }

    // Blocks of odd sizes, side by side: a freed one's pages leave the process whole, and so do a paged-out one's, even
    // where the kernel would have made the file's page cache of large folios straddling them (IndexPages.ReadAtRandom).
    [Fact]
    public void Freed_and_paged_out_blocks_leave_no_page_mapped_beside_blocks_in_use()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var pages = new IndexPages(Prefix());
        var freed = new List<(nint, int)>();
        var cooled = new List<(nint, int)>();
        var kept = new List<(nint, int)>();
        for (var i = 0; i < 300; i++)
        {
            var length = 20_000 + i * 1_357;
            var block = pages.Allocate<byte>(length);
            new Span<byte>(block, length).Fill((byte)i);
            (i % 3 == 0 ? freed : i % 3 == 1 ? cooled : kept).Add(((nint)block, length));
        }
        foreach (var (block, length) in freed) pages.Free((byte*)block, length);
        foreach (var (block, length) in cooled) pages.PageOut((void*)block, length);
        WaitCooled(pages);
        // Whole pages only: a block's first and last page may be shared with its neighbours.
        static long Inside(nint block, int length) =>
            IndexPages.Resident((void*)((block + 4095) & ~4095L), ((block + length) & ~4095L) - ((block + 4095) & ~4095L));
        Assert.Equal(0, freed.Sum(b => Inside(b.Item1, b.Item2)));
        Assert.Equal(0, cooled.Sum(b => Inside(b.Item1, b.Item2)));
        Assert.All(kept, b => Assert.True(Inside(b.Item1, b.Item2) > b.Item2 - 2 * 4096, "a block in use left memory"));
        foreach (var (block, length) in cooled.Concat(kept))
            Assert.True(new Span<byte>((void*)block, length).IndexOfAnyExcept(new Span<byte>((void*)block, 1)[0]) < 0);
    }

    [Fact]
    public void Chunks_that_only_append_leave_their_old_chunks_to_the_file()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var pages = new IndexPages(Prefix());
        var chunks = new Chunks<long>(pages, coolBehind: true);
        const int length = 4_096; // 32 KB, eight pages: the newest 64 chunks are the 2 MB kept
        for (var c = 0; c < 200; c++)
        {
            chunks.AddNew(length);
            chunks.Span(c).Fill(c + 1);
        }
        WaitCooled(pages);
        long MappedOf(int c) => IndexPages.Resident(System.Runtime.CompilerServices.Unsafe.AsPointer(ref chunks.At(c, 0)), length * 8);
        Assert.Equal(0, Enumerable.Range(0, 130).Sum(c => MappedOf(c)));
        Assert.Equal(64L * 8 * 4096, Enumerable.Range(136, 64).Sum(c => MappedOf(c)));
        for (var c = 0; c < 200; c++) Assert.All(chunks.Span(c).ToArray(), v => Assert.Equal(c + 1, v));
        Assert.True(pages.PagedOutBytes >= 136L * length * 8, $"{pages.PagedOutBytes} bytes paged out");
    }

    [Fact]
    public void An_old_chunk_that_does_not_fill_its_last_page_leaves_none_of_its_pages_mapped()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var pages = new IndexPages(Prefix());
        // The ids' chunks: 65,472 bytes, so sixteen pages, the last not full.
        var chunks = new Chunks<byte>(pages, coolBehind: true);
        const int length = 64 * 1024 - 64;
        for (var c = 0; c < 100; c++)
        {
            chunks.AddNew(length);
            chunks.Span(c).Fill((byte)(c + 1));
        }
        WaitCooled(pages);
        // Every page each block reaches into, the last one's unused tail included.
        long MappedOf(int c) => IndexPages.Resident(System.Runtime.CompilerServices.Unsafe.AsPointer(ref chunks.At(c, 0)), 64 * 1024);
        Assert.Equal(0, Enumerable.Range(0, 60).Sum(c => MappedOf(c)));
        Assert.Equal(32L * 64 * 1024, Enumerable.Range(68, 32).Sum(c => MappedOf(c))); // the newest 2 MB stay
        for (var c = 0; c < 100; c++) Assert.All(chunks.Span(c).ToArray(), v => Assert.Equal((byte)(c + 1), v));
    }

    private static void WaitCooled(IndexPages pages)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (pages.Cooling && DateTime.UtcNow < until) Thread.Sleep(5);
        Assert.False(pages.Cooling, "the pages were not written out within 20 s");
    }
}
