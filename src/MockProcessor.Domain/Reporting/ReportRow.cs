using System.Collections.Frozen;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Refunds;

namespace MockProcessor.Domain.Reporting;

/// <summary>The automatic payout that swept a balance transaction: its id and effective date (arrival_date).</summary>
public sealed record PayoutTag(string Id, long EffectiveAt);

/// <summary>
/// One itemized row: a balance transaction and the immutable records it relates to (all optional but the
/// transaction). Rows are references only (~48 bytes), so a million of them fit in a few tens of megabytes.
/// </summary>
public readonly record struct ReportRow(
    BalanceTransaction Txn, Charge? Charge, Refund? Refund, Dispute? Dispute, Customer? Customer, PayoutTag? Payout);

/// <summary>How every itemized column is computed from a row (one table for all itemized types).</summary>
public static class ReportColumns
{
    private delegate string? Cell(in ReportRow r, TimeZoneInfo tz);

    private static string? Money(long? minor, string currency) => minor is { } m ? ReportCsv.Major(m, currency) : null;

    private static string? CustomerFacingAmount(in ReportRow r) =>
        r.Txn.ReportingCategory switch
        {
            ReportingCategory.Charge when r.Charge is { } ch => Money(ch.Amount, ch.Currency),
            ReportingCategory.Refund or ReportingCategory.RefundFailure when r.Refund is { } re => Money(re.Amount, re.Currency),
            ReportingCategory.Dispute or ReportingCategory.DisputeReversal when r.Dispute is { } d => Money(d.Amount, d.Currency),
            _ => null,
        };

    private static string? CustomerFacingCurrency(in ReportRow r) =>
        r.Refund?.Currency ?? r.Dispute?.Currency ?? (r.Txn.ReportingCategory == ReportingCategory.Charge ? r.Charge?.Currency : null);

    private static readonly Dictionary<string, Cell> Cells = new(StringComparer.Ordinal)
    {
        ["balance_transaction_id"] = (in ReportRow r, TimeZoneInfo _) => r.Txn.Id,
        ["created"] = (in ReportRow r, TimeZoneInfo tz) => ReportCsv.Stamp(r.Txn.Created, tz),
        ["created_utc"] = (in ReportRow r, TimeZoneInfo _) => ReportCsv.Stamp(r.Txn.Created, TimeZoneInfo.Utc),
        ["available_on"] = (in ReportRow r, TimeZoneInfo tz) => ReportCsv.Stamp(r.Txn.AvailableOn, tz),
        ["available_on_utc"] = (in ReportRow r, TimeZoneInfo _) => ReportCsv.Stamp(r.Txn.AvailableOn, TimeZoneInfo.Utc),
        ["currency"] = (in ReportRow r, TimeZoneInfo _) => r.Txn.Currency,
        ["gross"] = (in ReportRow r, TimeZoneInfo _) => ReportCsv.Major(r.Txn.Amount, r.Txn.Currency),
        ["fee"] = (in ReportRow r, TimeZoneInfo _) => ReportCsv.Major(r.Txn.Fee, r.Txn.Currency),
        ["net"] = (in ReportRow r, TimeZoneInfo _) => ReportCsv.Major(r.Txn.Net, r.Txn.Currency),
        ["reporting_category"] = (in ReportRow r, TimeZoneInfo _) => r.Txn.ReportingCategory.ToWire(),
        ["source_id"] = (in ReportRow r, TimeZoneInfo _) => r.Txn.Source,
        ["description"] = (in ReportRow r, TimeZoneInfo _) => r.Txn.Description,
        ["customer_facing_amount"] = (in ReportRow r, TimeZoneInfo _) => CustomerFacingAmount(r),
        ["customer_facing_currency"] = (in ReportRow r, TimeZoneInfo _) => CustomerFacingCurrency(r),
        ["automatic_payout_id"] = (in ReportRow r, TimeZoneInfo _) => r.Payout?.Id,
        ["automatic_payout_effective_at"] = (in ReportRow r, TimeZoneInfo tz) => r.Payout is { } p ? ReportCsv.Stamp(p.EffectiveAt, tz) : null,
        ["automatic_payout_effective_at_utc"] = (in ReportRow r, TimeZoneInfo _) => r.Payout is { } p ? ReportCsv.Stamp(p.EffectiveAt, TimeZoneInfo.Utc) : null,
        ["customer_id"] = (in ReportRow r, TimeZoneInfo _) => r.Charge?.Customer,
        ["customer_email"] = (in ReportRow r, TimeZoneInfo _) => r.Customer?.Email,
        ["customer_name"] = (in ReportRow r, TimeZoneInfo _) => r.Customer?.Name,
        ["customer_description"] = (in ReportRow r, TimeZoneInfo _) => r.Customer?.Description,
        ["charge_id"] = (in ReportRow r, TimeZoneInfo _) => r.Charge?.Id,
        ["payment_intent_id"] = (in ReportRow r, TimeZoneInfo _) => r.Charge?.PaymentIntent,
        ["charge_created"] = (in ReportRow r, TimeZoneInfo tz) => r.Charge is { } c ? ReportCsv.Stamp(c.Created, tz) : null,
        ["charge_created_utc"] = (in ReportRow r, TimeZoneInfo _) => r.Charge is { } c ? ReportCsv.Stamp(c.Created, TimeZoneInfo.Utc) : null,
        ["payment_method_type"] = (in ReportRow r, TimeZoneInfo _) => r.Charge?.PaymentMethodDetails is null ? null : "card",
        ["is_link"] = (in ReportRow r, TimeZoneInfo _) => r.Charge is null ? null : "false",
        ["card_brand"] = (in ReportRow r, TimeZoneInfo _) => r.Charge?.PaymentMethodDetails?.Brand,
        ["card_funding"] = (in ReportRow r, TimeZoneInfo _) => r.Charge?.PaymentMethodDetails?.Funding,
        ["card_country"] = (in ReportRow r, TimeZoneInfo _) => r.Charge?.PaymentMethodDetails?.Country,
        ["statement_descriptor"] = (in ReportRow r, TimeZoneInfo _) => r.Charge?.CalculatedStatementDescriptor,
        ["dispute_reason"] = (in ReportRow r, TimeZoneInfo _) => r.Dispute?.Reason,
    };

    static ReportColumns()
    {
        AddAddress("customer_address", r => r.Customer?.Address);
        AddAddress("card_address", r => r.Charge?.BillingDetails.Address);
    }

    private static void AddAddress(string prefix, Func<ReportRow, Address?> get)
    {
        Cells[$"{prefix}_line1"] = (in ReportRow r, TimeZoneInfo _) => get(r)?.Line1;
        Cells[$"{prefix}_line2"] = (in ReportRow r, TimeZoneInfo _) => get(r)?.Line2;
        Cells[$"{prefix}_city"] = (in ReportRow r, TimeZoneInfo _) => get(r)?.City;
        Cells[$"{prefix}_state"] = (in ReportRow r, TimeZoneInfo _) => get(r)?.State;
        Cells[$"{prefix}_postal_code"] = (in ReportRow r, TimeZoneInfo _) => get(r)?.PostalCode;
        Cells[$"{prefix}_country"] = (in ReportRow r, TimeZoneInfo _) => get(r)?.Country;
    }

    /// <summary>
    /// Writes <paramref name="column"/> of a row into a <see cref="CsvLine"/>: money and timestamps are formatted
    /// into the line's buffer (the hot columns of a million-row report); the rest go through <see cref="For"/>.
    /// </summary>
    public static Action<ReportRow, TimeZoneInfo, CsvLine> Writer(string column) => column switch
    {
        "gross" => (r, _, l) => l.Money(r.Txn.Amount, r.Txn.Currency),
        "fee" => (r, _, l) => l.Money(r.Txn.Fee, r.Txn.Currency),
        "net" => (r, _, l) => l.Money(r.Txn.Net, r.Txn.Currency),
        "created" => (r, tz, l) => l.Stamp(r.Txn.Created, tz),
        "created_utc" => (r, _, l) => l.Stamp(r.Txn.Created, TimeZoneInfo.Utc),
        "available_on" => (r, tz, l) => l.Stamp(r.Txn.AvailableOn, tz),
        "available_on_utc" => (r, _, l) => l.Stamp(r.Txn.AvailableOn, TimeZoneInfo.Utc),
        "automatic_payout_effective_at" => (r, tz, l) => { if (r.Payout is { } p) l.Stamp(p.EffectiveAt, tz); else l.Empty(); },
        "automatic_payout_effective_at_utc" => (r, _, l) => { if (r.Payout is { } p) l.Stamp(p.EffectiveAt, TimeZoneInfo.Utc); else l.Empty(); },
        _ => For(column) is var cell ? (r, tz, l) => l.Text(cell(r, tz)) : null!,
    };

    /// <summary>
    /// A function computing <paramref name="column"/>. Documented columns the emulator has no data for (invoices,
    /// subscriptions, Connect, shipping, trace ids) are empty, as Stripe leaves them for payments without them.
    /// </summary>
    public static Func<ReportRow, TimeZoneInfo, string?> For(string column)
    {
        if (Cells.TryGetValue(column, out var cell)) return (r, tz) => cell(r, tz);
        if (Metadata(column) is var (kind, key) && kind.Length > 0)
            return kind switch
            {
                "payment_metadata" => (r, _) => r.Charge?.Metadata.GetValueOrDefault(key),
                "refund_metadata" => (r, _) => r.Refund?.Metadata.GetValueOrDefault(key),
                _ => (_, _) => null,
            };
        return (_, _) => null;
    }

    private static (string Kind, string Key) Metadata(string column)
    {
        var open = column.IndexOf('[');
        return open > 0 && column.EndsWith(']') ? (column[..open], column[(open + 1)..^1]) : ("", "");
    }
}
