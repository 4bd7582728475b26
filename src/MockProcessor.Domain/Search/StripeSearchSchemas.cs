namespace MockProcessor.Domain.Search;

// Stripe's documented query fields per searchable resource (STRIPE_BEHAVIOR.md 6.2 and Stripe's
// "Supported query fields" tables). Fields the docs leave untyped (currency, customer, status on
// charges...) are tokens there too.
public static class StripeSearchSchemas
{
    private const SearchFieldKind S = SearchFieldKind.String;
    private const SearchFieldKind T = SearchFieldKind.Token;
    private const SearchFieldKind N = SearchFieldKind.Number;
    private const SearchFieldKind M = SearchFieldKind.Metadata;

    public static SearchSchema Charges { get; } = new("charges", ChargeFields());

    public static SearchSchema Customers { get; } = new("customers", new Dictionary<string, SearchFieldKind>
    {
        ["created"] = N, ["email"] = S, ["metadata"] = M, ["name"] = S, ["phone"] = S,
    });

    public static SearchSchema Invoices { get; } = new("invoices", new Dictionary<string, SearchFieldKind>
    {
        ["created"] = N, ["currency"] = T, ["customer"] = T, ["metadata"] = M, ["number"] = S,
        ["receipt_number"] = S, ["status"] = S, ["subscription"] = S, ["total"] = N,
    });

    public static SearchSchema PaymentIntents { get; } = new("payment_intents", new Dictionary<string, SearchFieldKind>
    {
        ["amount"] = N, ["created"] = N, ["currency"] = T, ["customer"] = T, ["metadata"] = M, ["status"] = T,
    });

    public static SearchSchema Prices { get; } = new("prices", new Dictionary<string, SearchFieldKind>
    {
        ["active"] = T, ["currency"] = T, ["lookup_key"] = S, ["metadata"] = M, ["product"] = S, ["type"] = T,
    });

    public static SearchSchema Products { get; } = new("products", new Dictionary<string, SearchFieldKind>
    {
        ["active"] = T, ["description"] = S, ["metadata"] = M, ["name"] = S, ["shippable"] = T, ["url"] = S,
    });

    public static SearchSchema Subscriptions { get; } = new("subscriptions", new Dictionary<string, SearchFieldKind>
    {
        ["created"] = N, ["metadata"] = M, ["status"] = T,
    });

    // Resource as it appears in the URL: /v1/{resource}/search.
    public static SearchSchema? ForResource(string resource) => resource switch
    {
        "charges" => Charges,
        "customers" => Customers,
        "invoices" => Invoices,
        "payment_intents" => PaymentIntents,
        "prices" => Prices,
        "products" => Products,
        "subscriptions" => Subscriptions,
        _ => null,
    };

    private static Dictionary<string, SearchFieldKind> ChargeFields()
    {
        var fields = new Dictionary<string, SearchFieldKind>
        {
            ["amount"] = N, ["billing_details.address.postal_code"] = T, ["created"] = N, ["currency"] = T,
            ["customer"] = T, ["disputed"] = T, ["metadata"] = M, ["refunded"] = T, ["status"] = T,
        };
        foreach (var source in new[] { "card", "card_present", "interac_present" })
            foreach (var part in new[] { "last4", "exp_month", "exp_year", "brand", "fingerprint" })
                fields[$"payment_method_details.{source}.{part}"] = T;
        return fields;
    }
}
