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
        var options = PersistenceFormat.Options(MockProcessor.Server.Resources.Registry.PersistedTypes);
        options.Converters.Insert(0, new Counting(calls));
        var counting = new RowSerializer(options);
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

    [Fact]
    public void The_writer_waits_for_a_helper_that_is_serialising_the_row_and_writes_its_bytes()
    {
        using var entered = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var options = PersistenceFormat.Options(MockProcessor.Server.Resources.Registry.PersistedTypes);
        options.Converters.Insert(0, new Counting(calls, () => { entered.Set(); release.Wait(); }));
        var row = new ObjectRow(Customer("cus_slow", "held"), 1);
        var helper = new Thread(() => row.SerializeAhead(new RowSerializer(options)));
        helper.Start();
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));

        byte[]? written = null;
        var writer = new Thread(() => written = row.TakeForWrite() ?? Rows.ToArray(row.Object));
        writer.Start();
        // While the helper is mid-row, the writer neither serialises the row itself nor goes on without its bytes.
        Assert.False(writer.Join(TimeSpan.FromMilliseconds(300)));
        release.Set();
        Assert.True(writer.Join(TimeSpan.FromSeconds(10)));
        helper.Join();
        Assert.Equal(Rows.ToArray(row.Object), written);
        Assert.Equal(1, calls["cus_slow"]);
    }

    /// <summary>
    /// Where a version is stored (<c>StripeObject.StoredAt</c>) is not part of its value: a stored version and an equal
    /// copy compare equal (a change that alters nothing must stay "no change", and announce nothing), and a copy made
    /// with <c>with</c> is not stored anywhere yet, so no later event refers to a row it is not in.
    /// </summary>
    [Fact]
    public void Where_a_version_is_stored_is_not_part_of_its_value_and_a_copy_starts_unstored()
    {
        var stored = Customer("cus_stored", "same");
        stored.StoredAt = 1234;
        var copy = stored with { };
        Assert.Equal(0, copy.StoredAt);
        Assert.Equal(stored, copy);
        Assert.True(stored == copy);
        Assert.Equal(stored.GetHashCode(), copy.GetHashCode());
        Assert.NotEqual(stored, stored with { Description = "changed" });
        Assert.Equal(1234, stored.StoredAt);
    }

    /// <summary>Serialises a customer in the persisted format, counting the calls per id (and running <c>during</c> in each).</summary>
    private sealed class Counting(System.Collections.Concurrent.ConcurrentDictionary<string, int> calls, Action? during = null)
        : System.Text.Json.Serialization.JsonConverter<Customer>
    {
        private static readonly JsonSerializerOptions Plain = PersistenceFormat.Options(MockProcessor.Server.Resources.Registry.PersistedTypes);

        public override Customer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, Customer value, JsonSerializerOptions options)
        {
            calls.AddOrUpdate(value.Id, 1, (_, n) => n + 1);
            during?.Invoke();
            JsonSerializer.Serialize(writer, value, Plain);
        }
    }
}
