using MockProcessor.Domain.Errors;

namespace MockProcessor.Server.Wire;

/// <summary>
/// The requested <c>expand[]</c> paths as a tree, checked against <see cref="Expandables"/> before the
/// call executes, so a bad path is a 400 with no side effects. On list responses paths start with <c>data.</c>.
/// </summary>
public sealed class ExpandNode
{
    public const int MaxDepth = 4;
    public static readonly ExpandNode None = new();
    private readonly Dictionary<string, ExpandNode> _children = new(StringComparer.Ordinal);

    public bool IsEmpty => _children.Count == 0;

    public ExpandNode? Child(string field) => _children.GetValueOrDefault(field);

    public static ExpandNode Parse(IReadOnlyList<string>? paths, string responseType)
    {
        if (paths is null || paths.Count == 0) return None;
        var root = new ExpandNode();
        foreach (var path in paths)
        {
            var parts = path.Split('.');
            if (parts.Length > MaxDepth + (IsList(responseType) ? 1 : 0))
                throw Invalid($"You cannot expand more than {MaxDepth} levels of a property. Property: {path}");
            var type = responseType;
            var node = root;
            foreach (var part in parts)
            {
                var target = Expandables.Target(type, part);
                if (target is null)
                    throw Invalid($"This property cannot be expanded ({part}).");
                if (!node._children.TryGetValue(part, out var next)) node._children[part] = next = new ExpandNode();
                node = next;
                type = target;
            }
        }
        return root;
    }

    private static bool IsList(string type) => type.StartsWith("list:", StringComparison.Ordinal) || type.StartsWith("search:", StringComparison.Ordinal);

    private static StripeException Invalid(string message) =>
        new(new StripeError(400, StripeError.InvalidRequest, null, message, "expand"), beforeExecution: true);
}

/// <summary>
/// Which fields of which objects can be expanded, and into what. One table for every resource.
/// A "list:x" type is a list of x whose items sit under <c>data</c>.
/// </summary>
public static class Expandables
{
    private static readonly Dictionary<string, Dictionary<string, string>> Table = new(StringComparer.Ordinal)
    {
        ["customer"] = new() { ["invoice_settings"] = "customer.invoice_settings", ["default_source"] = "card", ["sources"] = "list:card" },
        ["card"] = new() { ["customer"] = "customer" },
        ["customer.invoice_settings"] = new() { ["default_payment_method"] = "payment_method" },
        ["payment_method"] = new() { ["customer"] = "customer" },
        ["token"] = new(),
        ["payment_intent"] = new() { ["customer"] = "customer", ["latest_charge"] = "charge", ["payment_method"] = "payment_method" },
        ["setup_intent"] = new() { ["customer"] = "customer", ["payment_method"] = "payment_method" },
        ["event"] = new(),
        ["account"] = new(),
        ["charge"] = new()
        {
            ["balance_transaction"] = "balance_transaction", ["customer"] = "customer",
            ["failure_balance_transaction"] = "balance_transaction", ["payment_intent"] = "payment_intent",
            ["application_fee"] = "application_fee", ["transfer"] = "transfer",
        },
        ["refund"] = new()
        {
            ["balance_transaction"] = "balance_transaction", ["charge"] = "charge",
            ["failure_balance_transaction"] = "balance_transaction", ["payment_intent"] = "payment_intent",
        },
        // source is polymorphic (a charge or a refund so far). RenderContext.Ref renders whatever object the id
        // names; the target only decides which deeper paths are accepted, and charge's are the useful ones.
        // Deviation: data.source.charge (a refund's charge) is refused because the target is charge.
        ["balance_transaction"] = new() { ["source"] = "charge" },
        ["balance"] = new(),
        // balance_transactions are always embedded whole (Stripe's shape), so they are not expandable.
        ["payout"] = new() { ["balance_transaction"] = "balance_transaction", ["failure_balance_transaction"] = "balance_transaction" },
        ["dispute"] = new() { ["charge"] = "charge", ["payment_intent"] = "payment_intent" },
        ["file"] = new(),
        ["file_contents"] = new(),
        ["billing_portal.configuration"] = new(),
        ["billing_portal.session"] = new() { ["configuration"] = "billing_portal.configuration" },
        // result (the file) is always embedded whole, as Stripe renders it.
        ["reporting.report_run"] = new(),
        ["reporting.report_type"] = new(),
        ["application_fee"] = new() { ["balance_transaction"] = "balance_transaction" },
        ["transfer"] = new() { ["balance_transaction"] = "balance_transaction" },
        ["product"] = new() { ["default_price"] = "price" },
        // currency_options and tiers are includable: rendered only when asked for, with nothing to expand inside.
        // line_items is includable: the first page of the session's items, rendered only when asked for.
        ["checkout.session"] = new()
        {
            ["customer"] = "customer", ["payment_intent"] = "payment_intent", ["setup_intent"] = "setup_intent", ["line_items"] = "list:item",
            ["subscription"] = "subscription", ["invoice"] = "invoice",
        },
        ["item"] = new() { ["price"] = "price" },
        // items is always included; items.data.price is always whole (listed so deeper paths such as price.product pass).
        ["subscription"] = new()
        {
            ["customer"] = "customer", ["default_payment_method"] = "payment_method", ["latest_invoice"] = "invoice",
            ["test_clock"] = "test_helpers.test_clock", ["items"] = "list:subscription_item", ["discounts"] = "discount",
        },
        ["subscription_item"] = new() { ["price"] = "price" },
        // confirmation_secret is includable: rendered only when asked for.
        ["invoice"] = new()
        {
            ["customer"] = "customer", ["default_payment_method"] = "payment_method", ["confirmation_secret"] = "invoice.confirmation_secret",
            ["test_clock"] = "test_helpers.test_clock", ["parent"] = "invoice.parent", ["discounts"] = "discount", ["payments"] = "list:invoice_payment",
        },
        // payments is includable on invoices (rendered only when asked for); payment.payment_intent expands.
        ["invoice_payment"] = new() { ["invoice"] = "invoice", ["payment"] = "invoice_payment.payment" },
        ["invoice_payment.payment"] = new() { ["payment_intent"] = "payment_intent" },
        ["invoice.parent"] = new() { ["subscription_details"] = "invoice.parent.subscription_details" },
        ["invoice.parent.subscription_details"] = new() { ["subscription"] = "subscription" },
        ["invoiceitem"] = new() { ["customer"] = "customer", ["invoice"] = "invoice", ["discounts"] = "discount" },
        ["discount"] = new() { ["customer"] = "customer", ["promotion_code"] = "promotion_code", ["source"] = "discount.source" },
        ["discount.source"] = new() { ["coupon"] = "coupon" },
        ["tax_rate"] = new(),
        ["test_helpers.test_clock"] = new(),
        ["coupon"] = new(),
        ["plan"] = new() { ["product"] = "product" },
        ["credit_note"] = new()
        {
            ["customer"] = "customer", ["invoice"] = "invoice", ["customer_balance_transaction"] = "customer_balance_transaction",
        },
        ["tax_id"] = new() { ["customer"] = "customer" },
        ["customer_balance_transaction"] = new() { ["customer"] = "customer", ["invoice"] = "invoice", ["credit_note"] = "credit_note" },
        ["promotion_code"] = new() { ["customer"] = "customer", ["promotion"] = "promotion_code.promotion" },
        ["promotion_code.promotion"] = new() { ["coupon"] = "coupon" },
        ["price"] = new() { ["product"] = "product", ["currency_options"] = "price.currency_options", ["tiers"] = "price.tiers" },
    };

    public static string? Target(string objectType, string field)
    {
        if (objectType.StartsWith("list:", StringComparison.Ordinal) || objectType.StartsWith("search:", StringComparison.Ordinal))
            return field == "data" ? objectType[(objectType.IndexOf(':') + 1)..] : (field == "total_count" && objectType.StartsWith("search:") ? "total_count" : null);
        return Table.TryGetValue(objectType, out var fields) ? fields.GetValueOrDefault(field) : null;
    }
}
