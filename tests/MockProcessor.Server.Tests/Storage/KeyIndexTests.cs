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
            var key = new ListKey(1000 + i / 3, i, i);
            index.Add(key);
            expected.Add(key);
        }
        // A clock set back (restart with an earlier --start-time) inserts older keys in the middle.
        var late = new ListKey(1005, 50_000, -1);
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
            var key = new ListKey(i % 3 == 0 ? 1000 + i / 2 : 1000 + i, i, i);
            index.Add(key);
            expected.Add(key);
        }
        expected.Sort();
        expected.Reverse();
        Assert.Equal(expected, index.NewestFirst().ToList());
        var newest = new ListKey(1_000_000, 40_000, -2);
        var older = new ListKey(1001, 40_001, -3);
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
        for (var i = 0; i < 20_000; i++) index.Add(new ListKey(1000 + i / 2, i * 2, i));
        var cursor = new ListKey(1000 + 12_345 / 2, 12_345 * 2, 12_345);
        var at = index.Find(cursor);
        Assert.Equal(12_345, at);
        Assert.Equal(12_344, index.NewestFirstFrom(at - 1).First().Ordinal);
        Assert.Equal(12_346, index.OldestFirstFrom(at + 1).First().Ordinal);
        // A key that is not in the index (an odd sequence number) has a place between its neighbours.
        var absent = new ListKey(1000 + 12_345 / 2, 12_345 * 2 + 1, -4);
        Assert.Equal(-1, index.Find(absent));
        Assert.Equal(12_346, index.LowerBound(absent));
        Assert.Equal(20_000, index.LowerBound(new ListKey(long.MaxValue, 0, -5)));
        Assert.Equal(0, index.LowerBound(new ListKey(0, 0, -6)));
    }

    [Fact]
    public void Removing_keeps_the_rest_in_order_and_a_small_index_grows_past_its_first_chunk()
    {
        var index = new KeyIndex();
        var keys = Enumerable.Range(0, 40).Select(i => new ListKey(2000 - i, i, i)).ToList(); // newest first: all out of order
        foreach (var k in keys) index.Add(k);
        Assert.True(index.Remove(keys[7]));
        Assert.False(index.Remove(keys[7]));
        Assert.Equal(39, index.Count);
        Assert.Equal(keys.Where((_, i) => i != 7).OrderBy(k => k).Select(k => k.Ordinal), index.OldestFirst().Select(k => k.Ordinal));
        Assert.Equal(0, index.NewestFirst().First().Ordinal);
        // A removed key is not found, not sought from, and comes back in place when re-added.
        Assert.Equal(-1, index.Find(keys[7]));
        index.Add(keys[7]);
        Assert.Equal(40, index.Count);
        Assert.Equal(keys.OrderBy(k => k).Select(k => k.Ordinal), index.OldestFirst().Select(k => k.Ordinal));
        // Removing most keys one by one compacts along the way and leaves exactly the rest.
        foreach (var k in keys.Take(35)) Assert.True(index.Remove(k));
        Assert.Equal(5, index.Count);
        Assert.Equal(keys.Skip(35).OrderByDescending(k => k).Select(k => k.Ordinal), index.NewestFirst().Select(k => k.Ordinal));
        Assert.True(index.Positions < 40);
    }

    [Fact]
    public void The_object_map_numbers_each_string_once_and_keeps_objects_apart_from_other_strings()
    {
        var map = new ObjectMap();
        var ordinals = new List<int>();
        // Enough strings to grow every shard several times and fill many byte arrays; UTF-8 beyond ASCII as well.
        for (var i = 0; i < 200_000; i++) ordinals.Add(map.Set(i % 7 == 0 ? $"prix_é_{i}" : $"pi_{i:D24}", null, i + 1, 1000L + i));
        Assert.Equal(Enumerable.Range(0, 200_000), ordinals);
        Assert.Equal(200_000, map.Count);
        for (var i = 0; i < 200_000; i += 997)
        {
            var id = i % 7 == 0 ? $"prix_é_{i}" : $"pi_{i:D24}";
            Assert.Equal(i, map.Find(id));
            Assert.Equal(id, map.Name(i));
            Assert.True(map.TryGetValue(id, out var e, out _) && e.Obj is null && e.Seq == i + 1 && e.Position == 1000 + i);
        }
        // A string that names only an index key is numbered but is not an object.
        var usd = map.Intern("usd");
        Assert.Equal(usd, map.Intern("usd"));
        Assert.False(map.ContainsKey("usd"));
        Assert.False(map.TryGet(usd, out _));
        Assert.Equal(200_000, map.Count);
        Assert.Equal(-1, map.Find("pi_missing"));
        Assert.False(map.TryGetValue("pi_missing", out _, out _));
        // An object held in memory, then dropped from it: its sequence stays, its position comes back.
        var obj = new MockProcessor.Domain.Customers.Customer { Id = map.Name(5), AccountId = "acct_1", Created = 1 };
        map.Set(5, obj, 6, 0);
        Assert.True(map.TryGet(5, out var held) && ReferenceEquals(held.Obj, obj) && held.Position == 0);
        Assert.Equal(1, map.Held);
        map.Set(5, null, 6, 4242);
        Assert.True(map.TryGet(5, out var cold) && cold.Obj is null && cold.Position == 4242);
        Assert.Equal(0, map.Held);
        Assert.Equal(200_000, map.Count);
        // Long ids are stored whole, in an array of their own when longer than one.
        foreach (var length in new[] { 5_000, 65_500, 65_535 })
        {
            var longId = new string('x', length);
            Assert.Equal(longId, map.Name(map.Intern(longId)));
            Assert.Equal("usd", map.Name(usd));
        }
        Assert.Equal("after", map.Name(map.Intern("after")));
        Assert.Throws<ArgumentException>(() => map.Intern(new string('x', 65_536)));
    }

    [Fact]
    public void An_object_map_that_holds_every_object_keeps_them_by_ordinal()
    {
        var map = new ObjectMap(holdsAll: true);
        var objects = Enumerable.Range(0, 5_000)
            .Select(i => new MockProcessor.Domain.Customers.Customer { Id = $"cus_{i}", AccountId = "acct_1", Created = i }).ToList();
        foreach (var o in objects) map.Set(o.Id, o, o.Created + 1, 0);
        Assert.Equal(5_000, map.Held);
        Assert.True(map.TryGetValue("cus_4321", out var e, out _) && ReferenceEquals(e.Obj, objects[4321]));
        map.Set(map.Find("cus_4321"), null, 4322, 77);
        Assert.Equal(4_999, map.Held);
        Assert.True(map.TryGetValue("cus_4321", out var cold, out _) && cold.Obj is null && cold.Position == 77);
    }

    [Fact]
    public void A_secondary_key_keeps_its_one_object_inline_and_grows_an_index_for_a_second()
    {
        var keys = new SecondaryKeys();
        var (a, b, c) = (new ListKey(10, 1, 1), new ListKey(11, 2, 2), new ListKey(12, 3, 3));
        Assert.True(keys.Add((0, 0, 7), a));
        Assert.Equal(1, keys.CountOf((0, 0, 7)));
        Assert.Equal([a], keys.Get((0, 0, 7))!.NewestFirst());
        Assert.False(keys.Remove((0, 0, 7), b)); // not under it
        Assert.False(keys.Add((0, 0, 7), b));
        Assert.False(keys.Add((0, 0, 7), c));
        Assert.Equal([c, b, a], keys.Get((0, 0, 7))!.NewestFirst());
        Assert.Equal(0, keys.CountOf((0, 1, 7))); // another index, same key
        Assert.False(keys.Remove((0, 0, 7), a));
        Assert.False(keys.Remove((0, 0, 7), c));
        Assert.True(keys.Remove((0, 0, 7), b)); // emptied: dropped
        Assert.Null(keys.Get((0, 0, 7)));
        Assert.Equal(0, keys.Count);
        // A key emptied from one object's inline place, and an index freed and reused by another key.
        Assert.True(keys.Add((1, 0, 8), a));
        Assert.True(keys.Remove((1, 0, 8), a));
        Assert.True(keys.Add((1, 0, 9), a));
        Assert.False(keys.Add((1, 0, 9), b));
        Assert.Equal([b, a], keys.Get((1, 0, 9))!.NewestFirst());
        Assert.Equal([((1, 0, 9), 2)], keys.All().Select(e => (e.Entry, e.Objects.Count)));
    }
}
