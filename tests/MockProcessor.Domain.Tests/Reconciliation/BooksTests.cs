using System.Text;
using MockProcessor.Domain.Reconciliation;

namespace MockProcessor.Domain.Tests.Reconciliation;

/// <summary>The merchant's books as CsvHelper reads them: what is accepted, and errors that name line and column.</summary>
public class BooksTests
{
    private static List<BookOrder> Csv(string text) => Books.ReadCsv(new StringReader(text)).ToList();

    private static string Error(string text) => Assert.Throws<FormatException>(() => Csv(text)).Message;

    [Fact]
    public void Quoted_fields_may_hold_line_breaks_and_blank_lines_are_skipped()
    {
        var orders = Csv("order_id,charge,amount,currency,status\n\n\"multi\nline, order\",ch_1,5,usd,paid\n\n2,ch_2,7,usd,paid\n");
        Assert.Equal(["multi\nline, order", "2"], orders.Select(o => o.OrderId));
        Assert.Equal([5L, 7L], orders.Select(o => o.Amount));
    }

    [Fact]
    public void A_bad_value_names_its_line_and_column()
    {
        // Line 4: the header, a record spanning lines 2-3, then the bad one.
        var message = Error("order_id,charge,amount,currency,status\n\"a\nb\",ch_1,5,usd,paid\n3,ch_3,ten,usd,paid\n");
        Assert.Equal("line 4, column 3 (amount): 'ten' is not an amount.", message);
        Assert.Equal("line 2, column 5 (Status): unknown status 'lost'.", Error("order_id,charge,amount,currency,Status\n1,ch_1,5,usd,lost\n"));
        Assert.Equal("line 2, column 1 (order_id): order_id is empty.", Error("order_id,charge,amount,currency,status\n ,ch_1,5,usd,paid\n"));
        Assert.Equal("line 3: neither payment_intent nor charge is given.", Error("order_id,charge,amount,currency,status\n1,ch_1,5,usd,paid\n2,,5,usd,paid\n"));
    }

    [Fact]
    public void Malformed_quoting_is_an_error_naming_the_line()
    {
        var message = Error("order_id,charge,amount,currency,status\n1,ch_1,5,usd,paid\n2,\"ch_\"2,5,usd,paid\n");
        Assert.StartsWith("Malformed CSV in record 3 (line 3): text after the closing quote", message);
        Assert.StartsWith("Malformed CSV in record 2 (line 2): a quoted field that is never closed",
            Error("order_id,charge,amount,currency,status\n1,\"ch_1,5,usd,paid\n"));
    }

    [Fact]
    public void Missing_columns_are_named()
    {
        Assert.Equal("The orders CSV has no 'currency' column.", Error("order_id,charge,amount,status\n1,ch_1,5,paid\n"));
        Assert.Equal("The orders CSV needs a 'payment_intent' or a 'charge' column.", Error("order_id,amount,currency,status\n1,5,usd,paid\n"));
        Assert.Empty(Csv(""));
    }

    [Fact]
    public void A_stream_with_a_byte_order_mark_reads_as_csv_and_json_is_told_apart()
    {
        var csv = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("order_id,payment_intent,amount,currency,status\nA,pi_1,10.50,USD,paid\n")).ToArray();
        var order = Assert.Single(Books.Read(new MemoryStream(csv)));
        Assert.Equal(new BookOrder("A", "pi_1", null, 1050, "usd", PaymentState.Paid, null), order);
        var json = Encoding.UTF8.GetBytes("""[{"order_id":"B","charge":"ch_1","amount":"x","currency":"usd","status":"paid"}]""");
        Assert.Equal("order 1, amount: 'x' is not an amount.", Assert.Throws<FormatException>(() => Books.Read(new MemoryStream(json)).ToList()).Message);
    }
}
