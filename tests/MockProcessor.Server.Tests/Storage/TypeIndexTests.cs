using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

public class TypeIndexTests
{
    [Fact]
    public void Keys_come_back_newest_first_across_chunks_and_out_of_order_inserts()
    {
        var index = new TypeIndex();
        var expected = new List<ListKey>();
        for (var i = 0; i < 40_000; i++)
        {
            var key = new ListKey(1000 + i / 3, i, $"obj_{i}");
            index.Add(key);
            expected.Add(key);
        }
        // A clock set back (restart with an earlier --start-time) inserts older keys in the middle.
        var late = new ListKey(1005, 50_000, "obj_late");
        index.Add(late);
        expected.Add(late);
        expected.Sort();
        expected.Reverse();
        Assert.Equal(expected.Count, index.Count);
        Assert.Equal(expected, index.NewestFirst().ToList());
    }

    [Fact]
    public void Replay_appends_out_of_order_keys_and_sorts_them_once_at_the_end()
    {
        // A database written after the clock was set back: every third row is older than the one before it.
        var index = new TypeIndex();
        var expected = new List<ListKey>();
        for (var i = 0; i < 30_000; i++)
        {
            var key = new ListKey(i % 3 == 0 ? 1000 + i / 2 : 1000 + i, i, $"obj_{i}");
            index.Add(key, deferSort: true);
            expected.Add(key);
        }
        Assert.NotEqual(expected.OrderByDescending(k => k).ToList(), index.NewestFirst().ToList());
        index.SortDeferred();
        expected.Sort();
        expected.Reverse();
        Assert.Equal(expected, index.NewestFirst().ToList());
        // In-order and run-time out-of-order adds keep working after the sort.
        var newest = new ListKey(1_000_000, 40_000, "obj_newest");
        var older = new ListKey(1001, 40_001, "obj_older");
        index.Add(newest);
        index.Add(older);
        Assert.Equal(newest, index.NewestFirst().First());
        Assert.Equal(expected.Count + 2, index.Count);
        Assert.Contains(older, index.NewestFirst());
        Assert.Equal(index.NewestFirst().OrderByDescending(k => k).ToList(), index.NewestFirst().ToList());
    }

    [Fact]
    public void Sharded_map_finds_what_it_stored()
    {
        var map = new ShardedMap<int>();
        for (var i = 0; i < 10_000; i++) map[$"k{i}"] = i;
        map["k5"] = -5;
        Assert.Equal(10_000, map.Count);
        Assert.True(map.TryGetValue("k5", out var v) && v == -5);
        Assert.True(map.TryGetValue("k9999", out var w) && w == 9999);
        Assert.False(map.ContainsKey("k10000"));
    }
}
