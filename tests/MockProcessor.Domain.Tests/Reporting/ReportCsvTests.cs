using MockProcessor.Domain.Reporting;

namespace MockProcessor.Domain.Tests.Reporting;

public class ReportCsvTests
{
    [Theory]
    [InlineData(1050, "usd", "10.50")]
    [InlineData(-59, "usd", "-0.59")]
    [InlineData(0, "usd", "0.00")]
    [InlineData(1000, "jpy", "1000")]
    [InlineData(-1234, "kwd", "-1.234")]
    [InlineData(99_999_999, "usd", "999999.99")]
    public void Money_is_written_in_major_units_with_the_currencys_decimals(long minor, string currency, string expected) =>
        Assert.Equal(expected, ReportCsv.Major(minor, currency));

    [Fact]
    public void Fields_are_quoted_only_when_needed()
    {
        var w = new StringWriter();
        new ReportCsv(w).Row(["plain", "a,b", "say \"hi\"", null, "two\nlines"]);
        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\"\n", w.ToString());
    }

    [Fact]
    public void Timestamps_are_utc_or_in_the_requested_zone()
    {
        Assert.Equal("2027-01-15 08:00:00", ReportCsv.Stamp(1_800_000_000, TimeZoneInfo.Utc));
        Assert.Equal("2027-01-15 03:00:00", ReportCsv.Stamp(1_800_000_000, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
    }
}

public class CsvLineTests
{
    [Fact]
    public void The_fast_line_writes_what_the_plain_writer_writes()
    {
        var ny = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var rnd = new Random(3);
        var fast = new StringWriter();
        var plain = new StringWriter();
        var line = new CsvLine(fast);
        var csv = new ReportCsv(plain);
        for (var i = 0; i < 2_000; i++)
        {
            var minor = rnd.NextInt64(-2_000_000, 2_000_000);
            var unix = rnd.NextInt64(0, 4_000_000_000);
            var currency = new[] { "usd", "jpy", "kwd" }[i % 3];
            var text = i % 7 == 0 ? "a, \"quoted\"" : i % 5 == 0 ? null : "plain";
            line.Money(minor, currency); line.Stamp(unix, TimeZoneInfo.Utc); line.Stamp(unix, ny); line.Text(text); line.Empty();
            line.End();
            csv.Row([ReportCsv.Major(minor, currency), ReportCsv.Stamp(unix, TimeZoneInfo.Utc), ReportCsv.Stamp(unix, ny), text, null]);
        }
        Assert.Equal(plain.ToString(), fast.ToString());
    }
}
