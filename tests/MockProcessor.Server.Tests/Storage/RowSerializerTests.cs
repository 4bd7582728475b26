using System.Collections.Immutable;
using System.Text.Json;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Events;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The SQLite writer binds each row from one reused buffer (<see cref="RowSerializer.Buffered"/>): its bytes must be the
/// ones <see cref="RowSerializer.ToArray"/> (and so PostgreSQL, and every earlier build) writes, whatever came before.
/// </summary>
public class RowSerializerTests
{
    private static readonly RowSerializer Rows = new(PersistenceFormat.Options(MockProcessor.Server.Resources.Registry.PersistedTypes));

    private static Customer Customer(string id, string description) => new()
    {
        Id = id, AccountId = "acct_rows", Created = 1_800_000_000, Name = "Zoë <Ünal> & \"Co\"", Email = "z@example.com",
        Description = description,
        Metadata = ImmutableSortedDictionary<string, string>.Empty.Add("note", "line\nbreak\u2028, 'quoted', €5 + <tag>"),
        PreferredLocales = ["en", "fr"],
    };

    public static TheoryData<string> Objects() => ["small", "large", "event"];

    private static StripeObject Make(string which) => which switch
    {
        "small" => Customer("cus_small", "short"),
        // Larger than the buffer's first size, so the buffer grows while writing it.
        "large" => Customer("cus_large", string.Concat(Enumerable.Repeat("0123456789abcdef ", 3_000))),
        _ => new Event
        {
            Id = "evt_rows", AccountId = "acct_rows", Created = 1_800_000_001, Type = "customer.updated", ApiVersion = "2025-03-31.basil",
            Snapshot = Customer("cus_small", "after"), PreviousAttributesJson = """{"description":"short","metadata":{"é":"<b>"}}""",
        },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Buffered_bytes_are_the_arrays_bytes(string which)
    {
        var obj = Make(which);
        var expected = Rows.ToArray(obj);
        Assert.Equal(expected, Rows.Buffered(obj).ToArray());
        // And the row reads back as the object it was.
        Assert.Equal(obj.Id, JsonDocument.Parse(expected).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void A_short_row_after_a_long_one_carries_nothing_of_it()
    {
        var large = Make("large");
        var small = Make("small");
        var expectedSmall = Rows.ToArray(small);
        Assert.Equal(Rows.ToArray(large).Length, Rows.Buffered(large).Length);
        Assert.Equal(expectedSmall, Rows.Buffered(small).ToArray());
        // Every thread has its own buffer: a row serialised on another thread meanwhile changes nothing here.
        var held = Rows.Buffered(small);
        var otherLength = 0;
        var other = new Thread(() => otherLength = Rows.Buffered(large).Length);
        other.Start();
        other.Join();
        Assert.True(otherLength > held.Length);
        Assert.Equal(expectedSmall, held.ToArray());
        Assert.Equal(expectedSmall, Rows.Buffered(small).ToArray());
    }

    [Fact]
    public void A_version_made_ahead_is_the_one_written_and_one_taken_for_writing_is_not_made_again()
    {
        var ahead = new ObjectRow(Make("small"), 1);
        ahead.SerializeAhead(Rows);
        Assert.Equal(Rows.ToArray(ahead.Object), ahead.TakeForWrite());

        var taken = new ObjectRow(Make("large"), 2);
        Assert.Null(taken.TakeForWrite()); // the writer serialises it itself
        taken.SerializeAhead(Rows);
        Assert.Null(taken.Data);
    }

    [Fact]
    public void A_helper_and_the_writer_racing_over_the_same_rows_serialise_each_once_with_the_same_bytes()
    {
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var counting = new RowSerializer(o =>
        {
            calls.AddOrUpdate(o.Id, 1, (_, n) => n + 1);
            return Rows.ToArray(o);
        });
        var rows = Enumerable.Range(0, 4_000).Select(i => new ObjectRow(Customer($"cus_{i}", new string('x', i % 300)), i)).ToList();
        var written = new byte[rows.Count][];
        // The helper works from the last row back, as Tx.CommitPart does; the writer from the first on.
        var helper = new Thread(() => { for (var i = rows.Count - 1; i >= 0; i--) rows[i].SerializeAhead(counting); });
        helper.Start();
        for (var i = 0; i < rows.Count; i++) written[i] = rows[i].TakeForWrite() ?? counting.ToArray(rows[i].Object);
        helper.Join();
        for (var i = 0; i < rows.Count; i++) Assert.Equal(Rows.ToArray(rows[i].Object), written[i]);
        Assert.Equal(rows.Count, calls.Count);
        Assert.All(calls.Values, n => Assert.Equal(1, n));
    }
}
