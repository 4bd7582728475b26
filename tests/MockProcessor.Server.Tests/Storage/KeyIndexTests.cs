using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

public class KeyIndexTests
{
    [Fact]
    public void Keys_come_back_newest_first_across_chunks_and_out_of_order_inserts()
    {
        var index = new KeyIndex();
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
    public void Out_of_order_adds_are_sorted_once_on_the_next_read()
    {
        // A database written after the clock was set back, or a payout sweeping transactions newest first.
        var index = new KeyIndex();
        var expected = new List<ListKey>();
        for (var i = 0; i < 30_000; i++)
        {
            var key = new ListKey(i % 3 == 0 ? 1000 + i / 2 : 1000 + i, i, $"obj_{i}");
            index.Add(key);
            expected.Add(key);
        }
        expected.Sort();
        expected.Reverse();
        Assert.Equal(expected, index.NewestFirst().ToList());
        var newest = new ListKey(1_000_000, 40_000, "obj_newest");
        var older = new ListKey(1001, 40_001, "obj_older");
        index.Add(newest);
        index.Add(older);
        Assert.Equal(newest, index.NewestFirst().First());
        Assert.Equal(expected.Count + 2, index.Count);
        Assert.Equal(index.NewestFirst().OrderByDescending(k => k).ToList(), index.NewestFirst().ToList());
    }

    [Fact]
    public void Seeking_finds_a_key_or_its_place_and_walks_both_ways_from_it()
    {
        var index = new KeyIndex();
        for (var i = 0; i < 20_000; i++) index.Add(new ListKey(1000 + i / 2, i * 2, $"obj_{i}"));
        var cursor = new ListKey(1000 + 12_345 / 2, 12_345 * 2, "obj_12345");
        var at = index.Find(cursor);
        Assert.Equal(12_345, at);
        Assert.Equal("obj_12344", index.NewestFirstFrom(at - 1).First().Id);
        Assert.Equal("obj_12346", index.OldestFirstFrom(at + 1).First().Id);
        // A key that is not in the index (an odd sequence number) has a place between its neighbours.
        var absent = new ListKey(1000 + 12_345 / 2, 12_345 * 2 + 1, "obj_absent");
        Assert.Equal(-1, index.Find(absent));
        Assert.Equal(12_346, index.LowerBound(absent));
        Assert.Equal(20_000, index.LowerBound(new ListKey(long.MaxValue, 0, "after_all")));
        Assert.Equal(0, index.LowerBound(new ListKey(0, 0, "before_all")));
    }

    [Fact]
    public void Removing_keeps_the_rest_in_order_and_a_small_index_grows_past_its_first_chunk()
    {
        var index = new KeyIndex();
        var keys = Enumerable.Range(0, 40).Select(i => new ListKey(2000 - i, i, $"k{i}")).ToList(); // newest first: all out of order
        foreach (var k in keys) index.Add(k);
        Assert.True(index.Remove(keys[7]));
        Assert.False(index.Remove(keys[7]));
        Assert.Equal(39, index.Count);
        Assert.Equal(keys.Where((_, i) => i != 7).OrderBy(k => k).Select(k => k.Id), index.OldestFirst().Select(k => k.Id));
        Assert.Equal("k0", index.NewestFirst().First().Id);
        // A removed key is not found, not sought from, and comes back in place when re-added.
        Assert.Equal(-1, index.Find(keys[7]));
        index.Add(keys[7]);
        Assert.Equal(40, index.Count);
        Assert.Equal(keys.OrderBy(k => k).Select(k => k.Id), index.OldestFirst().Select(k => k.Id));
        // Removing most keys one by one compacts along the way and leaves exactly the rest.
        foreach (var k in keys.Take(35)) Assert.True(index.Remove(k));
        Assert.Equal(5, index.Count);
        Assert.Equal(keys.Skip(35).OrderByDescending(k => k).Select(k => k.Id), index.NewestFirst().Select(k => k.Id));
        Assert.True(index.Positions < 40);
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
