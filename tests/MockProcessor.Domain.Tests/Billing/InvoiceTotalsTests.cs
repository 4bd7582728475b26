using System.Collections.Immutable;
using MockProcessor.Domain.Billing;

namespace MockProcessor.Domain.Tests.Billing;

/// <summary>The worked examples of docs/discounts.md ("Arithmetic").</summary>
public class InvoiceTotalsTests
{
    private static InvoiceLine Line(string id, long amount, bool proration = false, string[]? discounts = null, string[]? taxRates = null) =>
        new(id, amount, id, new BillingPeriod(0, 0), 1)
        {
            Proration = proration, Discounts = [.. discounts ?? []], TaxRates = [.. taxRates ?? []],
        };

    private static readonly Dictionary<string, DiscountTerms> Discounts = new()
    {
        ["di_pct20"] = new("di_pct20", 20m, null),
        ["di_pct33"] = new("di_pct33", 33.33m, null),
        ["di_off500"] = new("di_off500", null, 500),
        ["di_off9000"] = new("di_off9000", null, 9000),
        ["di_off100"] = new("di_off100", null, 100),
    };

    private static readonly Dictionary<string, TaxTerms> Rates = new()
    {
        ["txr_ex10"] = new("txr_ex10", 10m, false),
        ["txr_ex825"] = new("txr_ex825", 8.25m, false),
        ["txr_in20"] = new("txr_in20", 20m, true),
        ["txr_in5"] = new("txr_in5", 5m, true),
    };

    private static ImmutableList<InvoiceLine> Apply(InvoiceLine[] lines, string[] invoiceDiscounts, string[]? defaultRates = null) =>
        InvoiceTotals.Apply(lines, invoiceDiscounts, Discounts, defaultRates ?? [], Rates);

    [Fact]
    public void Amount_off_is_split_in_proportion_rounding_down_with_the_rest_to_the_largest_line()
    {
        // $5 over $10 + $20: 166.67 → 166, 333.33 → 333, the unit left goes to the larger line → 334.
        var lines = Apply([Line("a", 1000), Line("b", 2000)], ["di_off500"]);
        Assert.Equal([166L, 334], lines.Select(l => l.DiscountAmounts.Single().Amount));
        Assert.Equal(3000, InvoiceTotals.Subtotal(lines));
        Assert.Equal(2500, InvoiceTotals.Total(lines));
        Assert.Equal([new LineDiscountAmount("di_off500", 500)], InvoiceTotals.DiscountsByDiscount(lines));
    }

    [Fact]
    public void Split_gives_leftover_units_one_by_one_to_the_largest_weights()
    {
        Assert.Equal([34L, 33, 33], InvoiceTotals.Split(100, [1, 1, 1]));
        Assert.Equal([1L, 2], InvoiceTotals.Split(3, [1, 2]));
        Assert.Equal([0L, 0], InvoiceTotals.Split(0, [1, 2]));
    }

    [Fact]
    public void Amount_off_is_capped_at_the_discountable_amount_and_never_makes_a_total_negative()
    {
        var lines = Apply([Line("a", 1000), Line("p", 400, proration: true)], ["di_off9000"]);
        Assert.Equal(1000, lines[0].DiscountAmounts.Single().Amount);
        Assert.Empty(lines[1].DiscountAmounts); // prorations are not discounted
        Assert.Equal(400, InvoiceTotals.Total(lines));
    }

    [Fact]
    public void Percent_off_rounds_each_line_half_away_from_zero()
    {
        // 33.33% of 1001 = 333.63 → 334; of 15 = 4.9995 → 5; credits are not discounted.
        var lines = Apply([Line("a", 1001), Line("b", 15), Line("c", -300)], ["di_pct33"]);
        Assert.Equal([334L, 5], lines.Take(2).Select(l => l.DiscountAmounts.Single().Amount));
        Assert.Empty(lines[2].DiscountAmounts);
        Assert.Equal(1001 + 15 - 300 - 339, InvoiceTotals.Total(lines));
    }

    [Fact]
    public void Line_discounts_come_first_and_count_in_the_subtotal()
    {
        // Line a: 1000 − 100 (its own) = 900, then 20% → 180; line b: 500 → 100. Subtotal keeps item discounts only.
        var lines = Apply([Line("a", 1000, discounts: ["di_off100"]), Line("b", 500)], ["di_pct20"]);
        Assert.Equal([new LineDiscountAmount("di_off100", 100), new LineDiscountAmount("di_pct20", 180)], lines[0].DiscountAmounts);
        Assert.Equal(100, lines[1].DiscountAmounts.Single().Amount);
        Assert.Equal(1400, InvoiceTotals.Subtotal(lines));
        Assert.Equal(1120, InvoiceTotals.Total(lines));
    }

    [Fact]
    public void Exclusive_tax_is_added_on_the_discounted_amount()
    {
        // 1000 − 20% = 800; 8.25% of 800 = 66 → total 866.
        var lines = Apply([Line("a", 1000)], ["di_pct20"], ["txr_ex825"]);
        var tax = lines[0].Taxes.Single();
        Assert.Equal(new LineTax("txr_ex825", 66, false, 800), tax);
        Assert.Equal(866, InvoiceTotals.Total(lines));
        Assert.Equal(66, InvoiceTotals.ExclusiveTax(lines));
    }

    [Fact]
    public void Inclusive_tax_is_contained_in_the_amount()
    {
        // 1200 with 20% inside: 1200 × 20/120 = 200; total stays 1200, 1000 without tax.
        var lines = Apply([Line("a", 1200)], [], ["txr_in20"]);
        Assert.Equal(new LineTax("txr_in20", 200, true, 1000), lines[0].Taxes.Single());
        Assert.Equal(1200, InvoiceTotals.Total(lines));
        Assert.Equal(200, InvoiceTotals.InclusiveTax(lines));
        // 999 with 20% inside: 166.5 → 167 (half away from zero).
        Assert.Equal(167, Apply([Line("a", 999)], [], ["txr_in20"])[0].Taxes.Single().Amount);
    }

    [Fact]
    public void A_lines_own_rates_replace_the_defaults_and_mixed_rates_share_one_base()
    {
        // Line a uses the defaults (10% exclusive); line b its own 5% inclusive + 10% exclusive:
        // 1050 × 5/105 = 50 inclusive, taxable 1000, 10% → 100 exclusive.
        var lines = Apply([Line("a", 1000), Line("b", 1050, taxRates: ["txr_in5", "txr_ex10"])], [], ["txr_ex10"]);
        Assert.Equal(new LineTax("txr_ex10", 100, false, 1000), lines[0].Taxes.Single());
        Assert.Equal([new LineTax("txr_in5", 50, true, 1000), new LineTax("txr_ex10", 100, false, 1000)], lines[1].Taxes);
        Assert.Equal(2050 + 200, InvoiceTotals.Total(lines));
        Assert.Equal([new LineTax("txr_ex10", 200, false, 2000), new LineTax("txr_in5", 50, true, 1000)], InvoiceTotals.TaxesByRate(lines));
    }

    [Fact]
    public void Repeating_discounts_end_after_their_months_on_the_calendar()
    {
        var coupon = new Coupon { Id = "C", AccountId = "acct_1", Created = 0, PercentOff = 20, Duration = CouponDuration.Repeating, DurationInMonths = 3 };
        var start = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var end = DiscountRules.End(coupon, start)!.Value;
        Assert.Equal(new DateTimeOffset(2026, 4, 30, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), end);
        var di = new Discount { Id = "di_1", AccountId = "acct_1", Created = start, Coupon = "C", Start = start, End = end };
        Assert.True(DiscountRules.AppliesAt(di, end - 1));
        Assert.False(DiscountRules.AppliesAt(di, end));
        Assert.False(DiscountRules.AppliesAt(di with { End = null, Spent = true }, start));
        Assert.Null(DiscountRules.End(coupon with { Duration = CouponDuration.Forever, DurationInMonths = null }, start));
    }
}
