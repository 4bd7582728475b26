using System.Collections.Frozen;

namespace MockProcessor.Domain.Reporting;

/// <summary>One report type of the catalogue: its columns in Stripe's order (STRIPE_BEHAVIOR.md §21.2) and its defaults.</summary>
public sealed record ReportType(
    string Id, string Name, int Version, IReadOnlyList<string> Columns, IReadOnlyList<string> DefaultColumns,
    IReadOnlyList<string> MetadataColumnPrefixes, ReportKind Kind)
{
    /// <summary>A documented column, or a metadata column such as <c>payment_metadata[order]</c>.</summary>
    public bool HasColumn(string column) =>
        Columns.Contains(column)
        || MetadataColumnPrefixes.Any(p => column.StartsWith(p + "[", StringComparison.Ordinal) && column.EndsWith(']') && column.Length > p.Length + 2);
}

public enum ReportKind { BalanceSummary, ActivityItemized, PayoutReconciliationItemized }

/// <summary>The report types the emulator runs.</summary>
public static class ReportTypes
{
    private static readonly string[] AddressParts = ["line1", "line2", "city", "state", "postal_code", "country"];
    private static IEnumerable<string> Address(string prefix) => AddressParts.Select(p => $"{prefix}_{p}");

    public static readonly ReportType BalanceSummary = new(
        "balance.summary.1", "Balance summary", 1,
        ["category", "description", "net_amount", "currency"],
        ["category", "description", "net_amount", "currency"],
        [], ReportKind.BalanceSummary);

    public static readonly ReportType BalanceChangeFromActivity = new(
        "balance_change_from_activity.itemized.1", "Balance change from activity (itemized)", 1,
        [
            "balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net", "reporting_category",
            "source_id", "description", "customer_facing_amount", "customer_facing_currency", "automatic_payout_id",
            "automatic_payout_effective_at", "customer_id", "customer_email", "customer_name", "customer_description",
            ..Address("shipping_address"),
            "charge_id", "payment_intent_id", "charge_created_utc", "invoice_id", "subscription_id", "payment_method_type",
            "is_link", "card_brand", "card_funding", "card_country", "statement_descriptor",
        ],
        ["balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net", "reporting_category", "description"],
        ["payment_metadata", "refund_metadata", "transfer_metadata"], ReportKind.ActivityItemized);

    public static readonly ReportType PayoutReconciliation = new(
        "payout_reconciliation.itemized.5", "Payout reconciliation (itemized)", 5,
        [
            "automatic_payout_id", "automatic_payout_effective_at", "automatic_payout_effective_at_utc", "balance_transaction_id",
            "created", "created_utc", "available_on", "available_on_utc", "currency", "gross", "fee", "net", "reporting_category",
            "source_id", "description", "customer_facing_amount", "customer_facing_currency", "regulatory_tag", "customer_id",
            "customer_email", "customer_name", "customer_description",
            ..Address("customer_shipping_address"), ..Address("customer_address"), ..Address("shipping_address"), ..Address("card_address"),
            "charge_id", "payment_intent_id", "charge_created", "charge_created_utc", "invoice_id", "invoice_number",
            "subscription_id", "order_id", "payment_method_type", "is_link", "card_brand", "card_funding", "card_country",
            "statement_descriptor", "dispute_reason", "connected_account_id", "connected_account_name", "connected_account_country",
            "connected_account_direct_charge_id", "destination_payment_id", "trace_id", "trace_id_status",
        ],
        ["automatic_payout_id", "automatic_payout_effective_at", "balance_transaction_id", "created", "available_on", "currency",
         "gross", "fee", "net", "reporting_category", "description"],
        ["payment_metadata", "refund_metadata", "transfer_metadata"], ReportKind.PayoutReconciliationItemized);

    public static readonly IReadOnlyList<ReportType> All = [BalanceSummary, BalanceChangeFromActivity, PayoutReconciliation];

    private static readonly FrozenDictionary<string, ReportType> ById = All.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);

    public static ReportType? Find(string id) => ById.GetValueOrDefault(id);
}
