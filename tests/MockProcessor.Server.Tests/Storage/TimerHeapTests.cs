using System.Text;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The timers' heap (<see cref="TimerHeap"/>) against the runtime's <see cref="PriorityQueue{TElement, TPriority}"/>:
/// the same entries come out in the same order, through growth past several chunks, shrinking, and the index snapshot's
/// save and mapped load; on managed arrays and on index pages.
/// </summary>
public class TimerHeapTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_enqueues_and_dequeues_come_out_as_the_runtime_queue_gives_them_through_a_snapshot(bool withPages)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"mockprocessor-timers-{Guid.NewGuid():N}");
        using var pages = withPages ? new IndexPages(prefix + ".pages") : null;
        var heap = new TimerHeap(pages);
        var model = new PriorityQueue<int, (long Due, long Seq)>();
        var random = new Random(42);
        var seq = 0L;
        for (var op = 0; op < 60_000; op++)
        {
            // Grows to about 15,000 entries (four chunks) in the first half, then drains to a few.
            var enqueue = model.Count == 0 || random.NextDouble() < (op < 30_000 ? 0.75 : 0.3);
            if (enqueue)
            {
                var key = (Due: 1_000L + random.Next(5_000), Seq: ++seq); // many equal due times: the sequence orders them
                var ordinal = random.Next(1_000_000);
                heap.Enqueue(ordinal, key);
                model.Enqueue(ordinal, key);
            }
            else
            {
                Assert.True(heap.TryPeek(out var ordinal, out var key));
                Assert.True(model.TryPeek(out var expected, out var expectedKey));
                Assert.Equal((expected, expectedKey), (ordinal, key));
                Assert.Equal(model.Dequeue(), heap.Dequeue());
            }
            Assert.Equal(model.Count, heap.Count);
            if (op == 20_000 || op == 45_000) heap = RoundTrip(heap, prefix + ".index", pages);
        }
        Assert.Equal(model.UnorderedItems.OrderBy(i => i.Priority).ToList(), heap.UnorderedItems.OrderBy(i => i.Priority).ToList());
        while (model.Count > 0) Assert.Equal(model.Dequeue(), heap.Dequeue());
        Assert.False(heap.TryPeek(out _, out _));
        Assert.Throws<InvalidOperationException>(() => heap.Dequeue());
    }

    [Fact]
    public void A_drained_heap_on_pages_gives_its_chunks_back()
    {
        using var pages = new IndexPages(Path.Combine(Path.GetTempPath(), $"mockprocessor-timers-{Guid.NewGuid():N}.pages"));
        var heap = new TimerHeap(pages);
        for (var i = 0; i < 20_000; i++) heap.Enqueue(i, (i % 97, i));
        var full = pages.LiveBytes;
        Assert.Equal(5 * 4_096 * 24, full);
        while (heap.Count > 10) heap.Dequeue();
        Assert.Equal(2 * 4_096 * 24, pages.LiveBytes); // the one in use and one spare
    }

    // Saved, then loaded from a mapped file as a start from the index snapshot does.
    private static TimerHeap RoundTrip(TimerHeap heap, string path, IndexPages? pages)
    {
        try
        {
            using (var f = File.Create(path))
            using (var w = new BinaryWriter(f, Encoding.UTF8)) heap.Save(w);
            using var file = new FileStream(path, FileMode.Open, pages is null ? FileAccess.Read : FileAccess.ReadWrite);
            var loaded = TimerHeap.Load(new SnapshotSource(file, pages: pages));
            Assert.Equal(file.Length, file.Position);
            return loaded;
        }
        finally { File.Delete(path); }
    }
}
