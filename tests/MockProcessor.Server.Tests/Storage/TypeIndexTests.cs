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
