using System.Collections.Immutable;

namespace MockProcessor.Domain.Billing;

/// <summary>
/// Discount and tax arithmetic of an invoice (docs/discounts.md, "Arithmetic"), one function for real invoices and
/// previews. Per line: its own discounts first, then the invoice's; then tax on what is left.
/// <list type="bullet">
/// <item>percent off: round(remaining × p / 100), half away from zero, per line;</item>
/// <item>amount off at invoice level: capped at what is left on the discountable lines, split in proportion to each
/// line's remaining amount, each share rounded down, the units left over given one by one to the largest lines
/// (Stripe's $5 over $10 + $20 → 166 + 334); on one line: min(amount, remaining);</item>
/// <item>exclusive tax: round(taxable × p / 100) on top; inclusive: round(taxable × p / (100 + Σ inclusive p)) inside.</item>
/// </list>
/// Only positive, discountable (non-proration) lines are discounted; a line is never discounted below 0.
/// </summary>
public static class InvoiceTotals
{
    public static long Round(decimal value) => (long)Math.Round(value, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The lines with their <c>DiscountAmounts</c> and <c>Taxes</c> computed. <paramref name="discounts"/> holds the
    /// terms of every discount named by the lines and <paramref name="invoiceDiscounts"/>; unknown ids are skipped.
    /// </summary>
    public static ImmutableList<InvoiceLine> Apply(IReadOnlyList<InvoiceLine> lines, IReadOnlyList<string> invoiceDiscounts,
        IReadOnlyDictionary<string, DiscountTerms> discounts, IReadOnlyList<string> defaultTaxRates, IReadOnlyDictionary<string, TaxTerms> rates)
    {
        var remaining = lines.Select(l => l.Amount).ToArray();
        var shares = lines.Select(_ => new List<LineDiscountAmount>()).ToArray();
        bool Eligible(int i) => lines[i].IsDiscountable() && remaining[i] > 0;

        // 1. Each line's own discounts.
        for (var i = 0; i < lines.Count; i++)
            foreach (var id in lines[i].Discounts)
            {
                if (!discounts.TryGetValue(id, out var d) || !Eligible(i)) continue;
                var off = d.PercentOff is { } p ? Round(remaining[i] * p / 100m) : Math.Min(d.AmountOff ?? 0, remaining[i]);
                off = Math.Min(off, remaining[i]);
                if (off <= 0) continue;
                remaining[i] -= off;
                shares[i].Add(new LineDiscountAmount(id, off));
            }

        // 2. The invoice's discounts over every eligible line.
        foreach (var id in invoiceDiscounts)
        {
            if (!discounts.TryGetValue(id, out var d)) continue;
            var eligible = Enumerable.Range(0, lines.Count).Where(Eligible).ToList();
            if (eligible.Count == 0) continue;
            var offs = d.PercentOff is { } p
                ? eligible.Select(i => Math.Min(remaining[i], Round(remaining[i] * p / 100m))).ToArray()
                : Split(Math.Min(d.AmountOff ?? 0, eligible.Sum(i => remaining[i])), eligible.Select(i => remaining[i]).ToArray());
            for (var k = 0; k < eligible.Count; k++)
            {
                if (offs[k] <= 0) continue;
                remaining[eligible[k]] -= offs[k];
                shares[eligible[k]].Add(new LineDiscountAmount(id, offs[k]));
            }
        }

        // 3. Taxes on the discounted amount.
        var result = ImmutableList.CreateBuilder<InvoiceLine>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var ids = line.TaxRates.Count > 0 ? line.TaxRates : (IReadOnlyList<string>)defaultTaxRates;
            var terms = ids.Select(id => rates.GetValueOrDefault(id)).OfType<TaxTerms>().ToList();
            var inclusiveSum = terms.Where(t => t.Inclusive).Sum(t => t.Percentage);
            var baseAmount = remaining[i];
            var inclusiveTaxes = terms.Where(t => t.Inclusive).ToDictionary(t => t.TaxRate, t => Round(baseAmount * t.Percentage / (100m + inclusiveSum)));
            var taxable = baseAmount - inclusiveTaxes.Values.Sum();
            var taxes = terms.Select(t => new LineTax(t.TaxRate,
                t.Inclusive ? inclusiveTaxes[t.TaxRate] : Round(taxable * t.Percentage / 100m), t.Inclusive, taxable)).ToImmutableList();
            result.Add(line with { DiscountAmounts = [.. shares[i]], Taxes = taxes });
        }
        return result.ToImmutable();
    }

    /// <summary>
    /// An item's period amount as a subscription's discounts leave it, the base its prorations are computed from
    /// (docs/discounts.md, "Prorations"): each discount in order, percent off as round(left × p / 100), amount off split
    /// evenly over the subscription's <paramref name="itemCount"/> items (classic billing mode's rule), never below 0.
    /// </summary>
    public static long DiscountedForProration(long amount, IEnumerable<DiscountTerms> discounts, int itemCount)
    {
        var left = amount;
        foreach (var d in discounts)
        {
            var off = d.PercentOff is { } p ? Round(left * p / 100m) : d.AmountOff is { } a ? Round((decimal)a / Math.Max(1, itemCount)) : 0;
            left = Math.Max(0, left - off);
        }
        return left;
    }

    /// <summary>
    /// <paramref name="amount"/> split over <paramref name="weights"/> in proportion: each share rounded down, the units
    /// left over given one at a time to the largest weights (the first of equal ones).
    /// </summary>
    public static long[] Split(long amount, long[] weights)
    {
        var total = weights.Sum();
        var shares = new long[weights.Length];
        if (total <= 0 || amount <= 0) return shares;
        for (var k = 0; k < weights.Length; k++) shares[k] = (long)((decimal)amount * weights[k] / total);
        var left = amount - shares.Sum();
        foreach (var k in Enumerable.Range(0, weights.Length).OrderByDescending(k => weights[k]).ThenBy(k => k))
        {
            if (left == 0) break;
            shares[k]++;
            left--;
        }
        return shares;
    }

    /// <summary>Σ line amounts less the lines' own discounts ("item discounts already incorporated").</summary>
    public static long Subtotal(IEnumerable<InvoiceLine> lines) =>
        lines.Sum(l => l.Amount - l.DiscountAmounts.Where(d => l.Discounts.Contains(d.Discount)).Sum(d => d.Amount));

    public static long Discount(IEnumerable<InvoiceLine> lines) => lines.Sum(l => l.DiscountAmounts.Sum(d => d.Amount));

    public static long ExclusiveTax(IEnumerable<InvoiceLine> lines) => lines.Sum(l => l.Taxes.Where(t => !t.Inclusive).Sum(t => t.Amount));

    public static long InclusiveTax(IEnumerable<InvoiceLine> lines) => lines.Sum(l => l.Taxes.Where(t => t.Inclusive).Sum(t => t.Amount));

    /// <summary>Σ amounts − all discounts + exclusive taxes (inclusive taxes are already inside the amounts).</summary>
    public static long Total(IReadOnlyList<InvoiceLine> lines) => lines.Sum(l => l.Amount) - Discount(lines) + ExclusiveTax(lines);

    /// <summary>The discounts summed per discount, in the order first met (<c>total_discount_amounts</c>).</summary>
    public static IReadOnlyList<LineDiscountAmount> DiscountsByDiscount(IEnumerable<InvoiceLine> lines) =>
        lines.SelectMany(l => l.DiscountAmounts).GroupBy(d => d.Discount).Select(g => new LineDiscountAmount(g.Key, g.Sum(d => d.Amount))).ToList();

    /// <summary>The taxes summed per rate (<c>total_taxes</c>): amount and taxable amount.</summary>
    public static IReadOnlyList<LineTax> TaxesByRate(IEnumerable<InvoiceLine> lines) =>
        lines.SelectMany(l => l.Taxes).GroupBy(t => t.TaxRate)
            .Select(g => new LineTax(g.Key, g.Sum(t => t.Amount), g.First().Inclusive, g.Sum(t => t.TaxableAmount))).ToList();
}
