using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The compact index's file pages (docs/storage.md, "Index pages in a file"): blocks handed out zeroed and aligned from a
/// scratch file that no one can see, given back to the system when freed, and the index structures built on them
/// answering as they do on managed arrays.
/// </summary>
public class IndexPagesTests
{
    private static string Prefix() => Path.Combine(Path.GetTempPath(), $"mockprocessor-pages-{Guid.NewGuid():N}.pages");

    [Fact]
    public unsafe void Blocks_are_zeroed_aligned_apart_and_counted()
    {
        using var pages = new IndexPages(Prefix());
        var a = pages.Allocate<long>(10);
        var b = pages.Allocate<long>(3);
        Assert.Equal(0, (long)a % 64);
        Assert.Equal(0, (long)b % 64);
        Assert.True((byte*)b >= (byte*)(a + 10), "the second block overlaps the first");
        for (var i = 0; i < 10; i++) Assert.Equal(0, a[i]);
        for (var i = 0; i < 10; i++) a[i] = i + 1;
        for (var i = 0; i < 3; i++) Assert.Equal(0, b[i]);
        Assert.Equal(55, new Span<long>(a, 10).ToArray().Sum());
        Assert.Equal(128 + 64, pages.LiveBytes); // 80 bytes round up to 128, 24 to 64
        Assert.True(pages.Owns(a) && pages.Owns(b));
        var managed = new long[1];
        fixed (long* m = managed) Assert.False(pages.Owns(m));
    }

    [Fact]
    public unsafe void The_scratch_file_is_gone_from_the_directory_as_soon_as_it_is_mapped()
    {
        if (!OperatingSystem.IsLinux()) return; // Windows keeps it until the process ends (DeleteOnClose)
        var prefix = Prefix();
        using var pages = new IndexPages(prefix);
        var block = pages.Allocate<int>(1000);
        block[999] = 7;
        Assert.False(File.Exists(prefix + ".0"));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(prefix)!, Path.GetFileName(prefix) + "*"));
        Assert.Equal(7, block[999]);
    }

    [Fact]
    public unsafe void A_freed_block_reads_as_zeros_and_its_neighbours_keep_their_data()
    {
        if (!OperatingSystem.IsLinux()) return; // freeing punches pages out with madvise, a Linux call
        using var pages = new IndexPages(Prefix());
        var before = pages.Allocate<byte>(100);
        var block = pages.Allocate<byte>(5 * 4096);
        var after = pages.Allocate<byte>(100);
        new Span<byte>(before, 100).Fill(1);
        new Span<byte>(block, 5 * 4096).Fill(2);
        new Span<byte>(after, 100).Fill(3);
        var live = pages.LiveBytes;
        pages.Free(block, 5 * 4096);
        Assert.Equal(live - 5 * 4096, pages.LiveBytes);
        // A block of a page or more has pages of its own (page-aligned, whole pages): all of them went back to the system
        // and read as zeros, while the small neighbours, on other pages, keep their data.
        Assert.Equal(0, (long)block % 4096);
        for (var p = block; p < block + 5 * 4096; p += 512) Assert.Equal(0, *p);
        Assert.All(new Span<byte>(before, 100).ToArray(), x => Assert.Equal(1, x));
        Assert.All(new Span<byte>(after, 100).ToArray(), x => Assert.Equal(3, x));
    }

    // What ObjectStore catches to keep the index in managed memory where the pages cannot be made.
    [Fact]
    public void Pages_opened_at_once_fail_at_construction_where_no_file_can_be_made()
    {
        var nowhere = Path.Combine(Path.GetTempPath(), $"mockprocessor-absent-{Guid.NewGuid():N}", "db.pages");
        Assert.ThrowsAny<IOException>(() => new IndexPages(nowhere, openNow: true));
        using var opened = new IndexPages(Prefix(), openNow: true);
        Assert.Equal(IndexPages.RegionBytes, opened.MappedBytes);
        Assert.Equal(0, opened.LiveBytes);
    }

    [Fact]
    public unsafe void A_block_larger_than_a_region_gets_a_region_of_its_own()
    {
        using var pages = new IndexPages(Prefix());
        var small = pages.Allocate<byte>(64);
        var count = (int)(IndexPages.RegionBytes / sizeof(long)) + 1; // one item more than a region holds
        var big = pages.Allocate<long>(count);
        big[count - 1] = 42;
        big[0] = 41;
        Assert.Equal(42, big[count - 1]);
        Assert.Equal(0, *small);
        Assert.True(pages.MappedBytes > 2 * IndexPages.RegionBytes, $"{pages.MappedBytes} bytes mapped");
        pages.Free(big, count);
        Assert.Equal(64, pages.LiveBytes);
    }

    [Fact]
    public void The_object_map_on_pages_finds_what_the_map_on_arrays_finds()
    {
        using var pages = new IndexPages(Prefix());
        // Live tables only (no frozen runs, which HashRunsTests cover): enough strings for every shard's table to outgrow a
        // page (a shard moves to the pages at 512 slots) and for the entries and ids to fill several chunks.
        var onPages = new ObjectMap(pages: pages, runLimit: int.MaxValue);
        var onArrays = new ObjectMap(runLimit: int.MaxValue);
        for (var i = 0; i < 60_000; i++)
        {
            var id = $"pi_{i:x}{new string('x', i % 40)}";
            Assert.Equal(onArrays.Intern(id), onPages.Intern(id));
            if (i % 3 == 0) Assert.Equal(onArrays.Set(id, null, i + 1, i * 10), onPages.Set(id, null, i + 1, i * 10));
        }
        Assert.True(pages.LiveBytes > 64 * IndexPages.MinBlockBytes, $"{pages.LiveBytes} bytes in pages");
        for (var i = 0; i < 60_000; i++)
        {
            var id = $"pi_{i:x}{new string('x', i % 40)}";
            var ordinal = onPages.Find(id);
            Assert.Equal(onArrays.Find(id), ordinal);
            Assert.Equal(id, onPages.Name(ordinal));
            Assert.Equal(i % 3 == 0, onPages.TryGetValue(id, out var entry, out _));
            if (i % 3 == 0) Assert.Equal((i + 1L, i * 10L), (entry.Seq, entry.Position));
        }
        Assert.Equal(-1, onPages.Find("pi_absent"));
        Assert.Equal(onArrays.Count, onPages.Count);
    }

    [Fact]
    public void A_key_index_on_pages_keeps_order_through_sorting_and_compaction_and_gives_its_chunks_back()
    {
        using var pages = new IndexPages(Prefix());
        var index = new KeyIndex(pages);
        var random = new Random(7);
        var expected = new SortedSet<ListKey>();
        for (var seq = 1; seq <= 10_000; seq++)
        {
            var key = new ListKey(1_000 + seq / 2 - random.Next(3) * random.Next(50), seq, seq);
            index.Add(key);
            expected.Add(key);
        }
        var withChunks = pages.LiveBytes;
        Assert.True(withChunks >= 4 * 2_048 * 24, $"{withChunks} bytes in pages"); // the chunks after the first
        Assert.Equal(expected.ToList(), index.OldestFirst().ToList()); // sorted once, rebuilt on new chunks
        Assert.Equal(withChunks, pages.LiveBytes); // the unsorted chunks were given back
        foreach (var key in expected.Where(k => k.Seq % 4 != 0).ToList())
        {
            Assert.True(index.Remove(key));
            expected.Remove(key);
        }
        Assert.Equal(expected.ToList(), index.OldestFirst().ToList());
        Assert.Equal(expected.Reverse().ToList(), index.NewestFirst().ToList());
        // Compacted once, when half the keys were tombstones: 4,999 live keys, two chunks after the first; the four it had
        // went back (kept, the pages would hold six).
        Assert.Equal(2 * 2_048 * 24, pages.LiveBytes);
    }

    [Fact]
    public async Task A_store_on_pages_builds_what_a_store_on_arrays_builds_and_reports_them()
    {
        using var file = new TempSqliteDb("pages");
        await RowHeadStartupTests.Populate(file.Path);
        List<string> onPages, onArrays;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = file.Path; o.IndexSnapshot = false; }))
        {
            var pages = app.Services.GetRequiredService<ObjectStore>().Pages;
            Assert.NotNull(pages);
            Assert.True(pages.LiveBytes > 0);
            onPages = RowHeadStartupTests.MemoryOf(app);
            var stats = await (await app.Client(RowHeadStartupTests.Key).GetAsync("/_mock/stats")).OkAsync();
            Assert.Equal(pages.LiveBytes, (long)stats["index_pages"]!["live_bytes"]!);
            if (OperatingSystem.IsLinux()) Assert.True((long)stats["resident"]!["anon_bytes"]! > 0);
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = file.Path; o.IndexSnapshot = false; o.IndexPages = false; }))
        {
            Assert.Null(app.Services.GetRequiredService<ObjectStore>().Pages);
            onArrays = RowHeadStartupTests.MemoryOf(app);
            var stats = await (await app.Client(RowHeadStartupTests.Key).GetAsync("/_mock/stats")).OkAsync();
            Assert.Null(stats["index_pages"]);
        }
        Assert.Equal(onArrays, onPages);
        Assert.Contains(onPages, l => l.StartsWith("index ", StringComparison.Ordinal));
    }
}
