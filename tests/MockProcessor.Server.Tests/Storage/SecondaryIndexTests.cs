using Microsoft.Extensions.Logging.Abstractions;
using MockProcessor.Domain.Customers;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>The store keeps declared secondary indexes; a unit of work reads them with its own writes seen.</summary>
public class SecondaryIndexTests
{
    private static readonly SecondaryIndex<Customer> ByClock = MockProcessor.Server.Resources.Customers.CustomerEndpoints.ByTestClock;

    private static (ObjectStore Store, AccountState State) NewStore()
    {
        var store = new ObjectStore(new StoreSchema(Registry.PersistedTypes, [ByClock], [], []), null, NullLogger.Instance);
        return (store, store.AddMerchant("acct_1"));
    }

    private static Customer Cus(string id, long created, string? clock) =>
        new() { Id = id, AccountId = "acct_1", Created = created, TestClock = clock };

    private static List<string> Ids(IEnumerable<Customer> cs) => cs.Select(c => c.Id).ToList();

    [Fact]
    public void Objects_are_listed_under_their_key_newest_first_and_move_when_the_key_changes()
    {
        var (store, state) = NewStore();
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            tx.Put(Cus("cus_a", 100, "clock_1"));
            tx.Put(Cus("cus_b", 101, "clock_2"));
            tx.Put(Cus("cus_c", 102, "clock_1"));
            // Created in this unit of work: seen before the commit.
            Assert.Equal(["cus_c", "cus_a"], Ids(tx.Find(ByClock, "clock_1")));
            tx.Commit();
            tx = store.Begin(state);
            Assert.Equal(["cus_c", "cus_a"], Ids(tx.Find(ByClock, "clock_1")));
            // Staged moves: out of clock_1 (left out before the commit) and into clock_2 (seen before the commit).
            tx.Put(Cus("cus_c", 102, "clock_2"));
            Assert.Equal(["cus_a"], Ids(tx.Find(ByClock, "clock_1")));
            Assert.Equal(["cus_c", "cus_b"], Ids(tx.Find(ByClock, "clock_2")));
            tx.Put(Cus("cus_a", 100, null) with { Deleted = true });
            tx.Commit();
            tx = store.Begin(state);
            Assert.Empty(tx.Find(ByClock, "clock_1"));
            Assert.Equal(["cus_c", "cus_b"], Ids(tx.Find(ByClock, "clock_2")));
            // An emptied key is dropped, so the index does not keep a dead entry per key ever used.
            Assert.Null(state.Indexed("acct_1", ByClock, "clock_1"));
        }
    }

    [Fact]
    public void MayFind_is_false_only_when_Find_would_surely_yield_nothing()
    {
        var (store, state) = NewStore();
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            Assert.False(tx.MayFind(ByClock, "clock_1"));
            // Filed under the key by this call, before any commit.
            tx.Put(Cus("cus_a", 100, "clock_1"));
            Assert.True(tx.MayFind(ByClock, "clock_1"));
            Assert.False(tx.MayFind(ByClock, "clock_2"));
            tx.Commit();
            tx = store.Begin(state);
            Assert.True(tx.MayFind(ByClock, "clock_1"));   // committed under the key
            Assert.False(tx.MayFind(ByClock, "clock_2"));
            // A committed object this call changed could have moved into any key: Find must look.
            tx.Put(Cus("cus_a", 100, "clock_2"));
            Assert.True(tx.MayFind(ByClock, "clock_2"));
            Assert.Equal(["cus_a"], Ids(tx.Find(ByClock, "clock_2")));
            tx.Commit();
            tx = store.Begin(state);
            Assert.False(tx.MayFind(ByClock, "clock_1"));  // emptied by the move
            Assert.True(tx.MayFind(ByClock, "clock_2"));
        }
    }

    [Fact]
    public void Objects_created_in_the_call_are_found_under_their_current_key_in_creation_order()
    {
        var (store, state) = NewStore();
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            tx.Put(Cus("cus_old", 50, "clock_1"));
            tx.Commit();
            tx = store.Begin(state);
            tx.Put(Cus("cus_a", 100, "clock_1"));
            tx.Put(Cus("cus_b", 101, "clock_2"));
            // Moved to clock_2 and back again, then away for good: each key lists it only while it is there.
            tx.Put(Cus("cus_a", 100, "clock_2"));
            Assert.Equal(["cus_old"], Ids(tx.Find(ByClock, "clock_1")));
            Assert.Equal(["cus_b", "cus_a"], Ids(tx.Find(ByClock, "clock_2")));
            tx.Put(Cus("cus_a", 100, "clock_1"));
            tx.Put(Cus("cus_c", 102, "clock_1"));
            Assert.Equal(["cus_c", "cus_a", "cus_old"], Ids(tx.Find(ByClock, "clock_1")));
            Assert.Equal(["cus_b"], Ids(tx.Find(ByClock, "clock_2")));
            tx.Put(Cus("cus_a", 100, null));
            Assert.Equal(["cus_c", "cus_old"], Ids(tx.Find(ByClock, "clock_1")));
            tx.Commit();
            tx = store.Begin(state);
            Assert.Equal(["cus_c", "cus_old"], Ids(tx.Find(ByClock, "clock_1")));
            Assert.Equal(["cus_b"], Ids(tx.Find(ByClock, "clock_2")));
        }
    }

    [Fact]
    public void A_cursor_seeks_into_the_index_and_must_be_one_of_its_objects()
    {
        var (store, state) = NewStore();
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            for (var i = 0; i < 50; i++) tx.Put(Cus($"cus_{i:00}", 1000 + i, i % 2 == 0 ? "even" : "odd"));
            tx.Commit();
            tx = store.Begin(state);
            var even = tx.Find(ByClock, "even");
            Assert.Equal(["cus_18", "cus_16"], Ids(even.OlderThan("cus_20")!.Take(2)));
            Assert.Equal(["cus_22", "cus_24"], Ids(even.NewerThan("cus_20")!.Take(2)));
            // An odd customer is not in the "even" index: no seek (the list walk then answers resource_missing).
            Assert.Null(even.OlderThan("cus_21"));
            // In a type's whole list any customer is a place to seek from.
            Assert.Equal(["cus_20", "cus_19"], Ids(tx.NewestFirst<Customer>("customer").OlderThan("cus_21")!.Take(2)));
        }
    }

    [Fact]
    public void Reading_an_undeclared_index_is_a_programming_error()
    {
        var (store, state) = NewStore();
        var undeclared = new SecondaryIndex<Customer>("customer", "email", c => c.Email);
        lock (state.Gate)
            Assert.Throws<InvalidOperationException>(() => store.Begin(state).Find(undeclared, "a@b.c"));
    }
}
