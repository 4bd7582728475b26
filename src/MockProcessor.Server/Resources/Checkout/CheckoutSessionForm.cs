using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Resources.Prices;
using MockProcessor.Server.Resources.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Checkout;

/// <summary>
/// <c>POST /v1/checkout/sessions</c> parameters → a new session, with Stripe's errors (docs/checkout.md). Line items
/// given with <c>price_data</c> create their price (and, with <c>product_data</c>, their product) as Stripe does.
/// </summary>
public static class CheckoutSessionForm
{
    private const long MaxQuantity = 999_999;

    public static CheckoutSession ReadCreate(ApiContext c)
    {
        var p = c.P;
        var uiMode = p.String("ui_mode");
        if (uiMode is not (null or "hosted_page" or "hosted"))
            throw Invalid("ui_mode", $"MockProcessor serves the hosted Checkout page only (ui_mode=hosted_page); ui_mode={uiMode} is not emulated.");
        if (p.String("return_url", 2048) is not null)
            throw Invalid("return_url", "`return_url` can only be used with ui_mode `embedded_page` or `elements`; hosted sessions use `success_url`.");
        var lineParams = p.ObjectList("line_items");
        var explicitMode = p.Enum<CheckoutMode>("mode");
        var successUrl = AbsoluteUrl(p, "success_url");
        var cancelUrl = AbsoluteUrl(p, "cancel_url");
        var customerId = p.String("customer");
        var customerEmail = p.String("customer_email", 800);
        if (customerId is not null && customerEmail is not null)
            throw new StripeException(StripeError.ParametersExclusive("customer", "customer_email"), beforeExecution: true);
        var creation = p.Enum<CustomerCreation>("customer_creation");
        if (customerId is not null && creation is not null)
            throw new StripeException(StripeError.ParametersExclusive("customer", "customer_creation"), beforeExecution: true);
        var expiresAt = CheckoutSessionRules.ExpiresAt(p.Long("expires_at"), c.Now).OrThrow();
        var currency = p.String("currency", 3)?.ToLowerInvariant();
        if (currency is not null) Currencies.ValidateCurrency(currency).OrThrow();
        var methods = PaymentIntents.PaymentIntentForm.ReadMethodTypes(p, apmGiven: false);
        var pid = p.Object("payment_intent_data");
        var sid = p.Object("setup_intent_data");
        var session = new CheckoutSession
        {
            Id = c.Ids.Next("cs_test", 58), AccountId = c.Account.Id, Created = c.Now, Mode = CheckoutMode.Payment, ExpiresAt = expiresAt,
            SuccessUrl = successUrl, CancelUrl = cancelUrl, CustomerEmail = customerEmail, ClientReferenceId = p.String("client_reference_id", 200),
            Metadata = p.Metadata(Metadata.Empty), Locale = p.String("locale", 10), SubmitType = p.Enum("submit_type", "auto", "book", "donate", "pay", "subscribe"),
            BillingAddressCollection = p.Enum("billing_address_collection", "auto", "required"), PageBaseUrl = c.BaseUrl,
            AllowPromotionCodes = p.Bool("allow_promotion_codes"),
            CustomerDetails = customerEmail is null ? null : new CheckoutCustomerDetails(customerEmail, null),
        };
        if (successUrl is null) throw new StripeException(StripeError.ParameterMissing("success_url"), beforeExecution: true);
        if (customerId is not null)
        {
            var customer = c.Tx.Get<Domain.Customers.Customer>(customerId);
            if (customer is null || customer.Deleted) throw new StripeException(StripeError.ResourceMissing("customer", customerId, "customer"));
            session = session with { Customer = customerId, CustomerDetails = new CheckoutCustomerDetails(customer.Email, customer.Name) };
        }

        // A recurring price makes an unspecified mode a subscription (Stripe's inference when mode is left out).
        var lines = ReadLines(c, lineParams ?? [], explicitMode ?? CheckoutMode.Subscription);
        var mode = explicitMode ?? (lines.Any(l => l.Recurring) ? CheckoutMode.Subscription : CheckoutMode.Payment);
        switch (mode)
        {
            case CheckoutMode.Subscription:
                session = ReadSubscriptionMode(c, p, session, lines, currency, creation, pid, sid);
                break;
            case CheckoutMode.Payment:
                if (lines.Count == 0) throw new StripeException(StripeError.ParameterMissing("line_items"));
                if (sid is not null) throw Invalid("setup_intent_data", "`setup_intent_data` can only be used in `setup` mode.");
                var total = lines.Sum(l => l.Item.AmountTotal);
                var lineCurrency = lines[0].Item.Currency;
                if (currency is not null && currency != lineCurrency)
                    throw Invalid("currency", $"`currency` ({currency}) does not match the currency of the line items ({lineCurrency}).");
                Currencies.ValidateChargeAmount(total, lineCurrency, "line_items").OrThrow();
                session = session with
                {
                    Mode = mode, LineItems = lines.Select(l => l.Item).ToList(), Currency = lineCurrency, AmountSubtotal = total, AmountTotal = total,
                    CustomerCreation = customerId is null ? creation ?? CustomerCreation.IfRequired : null,
                    PaymentIntentData = ReadPaymentIntentData(pid),
                };
                break;
            default: // setup
                if (lines.Count > 0) throw Invalid("line_items", "`line_items` cannot be used in `setup` mode.");
                if (pid is not null) throw Invalid("payment_intent_data", "`payment_intent_data` can only be used in `payment` mode.");
                if (currency is null && methods.Allowed is null)
                    throw Invalid("currency", "`currency` is required in `setup` mode unless `allowed_payment_method_types` is given.");
                session = session with
                {
                    Mode = mode, Currency = currency, PaymentStatus = CheckoutPaymentStatus.NoPaymentRequired,
                    CustomerCreation = customerId is null ? creation : null,
                    SetupIntentData = sid is null ? null : new CheckoutSetupIntentData
                    {
                        Description = sid.String("description", 1000), Metadata = sid.Metadata(Metadata.Empty),
                    },
                };
                break;
        }
        return Discounts.CheckoutDiscounts.Read(c, p, session);
    }

    /// <summary>
    /// Subscription mode: at least one recurring price (≤ 20, one currency and interval, as a subscription's items) and up
    /// to 20 one-time prices billed on the first invoice only. The amounts are the first invoice's: with a trial the
    /// recurring lines are free. A customer is always made (Stripe refuses <c>customer_creation</c> here).
    /// </summary>
    private static CheckoutSession ReadSubscriptionMode(ApiContext c, Params p, CheckoutSession session, List<Line> lines, string? currency,
        CustomerCreation? creation, Params? pid, Params? sid)
    {
        if (lines.Count == 0) throw new StripeException(StripeError.ParameterMissing("line_items"));
        if (pid is not null) throw Invalid("payment_intent_data", "`payment_intent_data` can only be used in `payment` mode.");
        if (sid is not null) throw Invalid("setup_intent_data", "`setup_intent_data` can only be used in `setup` mode.");
        if (creation is not null) throw Invalid("customer_creation", "`customer_creation` can only be used in `payment` mode: subscription mode always creates a customer.");
        if (!lines.Any(l => l.Recurring))
            throw Invalid("line_items", "You must specify at least one recurring price in `subscription` mode.");
        if (lines.Count(l => l.Recurring) > Subscriptions.SubscriptionEndpoints.MaxItems || lines.Count(l => !l.Recurring) > Subscriptions.SubscriptionEndpoints.MaxItems)
            throw Invalid("line_items", $"A subscription-mode session takes at most {Subscriptions.SubscriptionEndpoints.MaxItems} recurring and {Subscriptions.SubscriptionEndpoints.MaxItems} one-time prices.");
        Price? first = null;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].Recurring) continue;
            var price = c.Tx.Get<Price>(lines[i].Item.Price)!;
            first ??= Subscriptions.SubscriptionEndpoints.CheckPrice(price, $"line_items[{i}][price]", null);
            Subscriptions.SubscriptionEndpoints.CheckPrice(price, $"line_items[{i}][price]", first);
        }
        var data = ReadSubscriptionData(p.Object("subscription_data"));
        var trial = data?.TrialPeriodDays is > 0;
        var total = lines.Where(l => !trial || !l.Recurring).Sum(l => l.Item.AmountTotal);
        var lineCurrency = lines[0].Item.Currency;
        if (currency is not null && currency != lineCurrency)
            throw Invalid("currency", $"`currency` ({currency}) does not match the currency of the line items ({lineCurrency}).");
        if (total > 0) Currencies.ValidateChargeAmount(total, lineCurrency, "line_items").OrThrow();
        return session with
        {
            Mode = CheckoutMode.Subscription, LineItems = lines.Select(l => l.Item).ToList(), Currency = lineCurrency,
            AmountSubtotal = total, AmountTotal = total, SubscriptionData = data,
        };
    }

    private static CheckoutSubscriptionData? ReadSubscriptionData(Params? d)
    {
        if (d is null) return null;
        if (d.StringList("default_tax_rates") is { Count: > 0 })
            throw Invalid("subscription_data[default_tax_rates]", "Tax rates are not emulated yet (docs/billing.md).");
        return new CheckoutSubscriptionData
        {
            TrialPeriodDays = d.Long("trial_period_days", 1, Domain.Billing.SubscriptionRules.MaxTrialDays),
            Description = d.String("description", 500),
            Metadata = d.Metadata(Metadata.Empty),
        };
    }

    private static CheckoutPaymentIntentData? ReadPaymentIntentData(Params? d)
    {
        if (d is null) return null;
        return new CheckoutPaymentIntentData
        {
            CaptureMethod = d.Enum<CaptureMethod>("capture_method"),
            SetupFutureUsage = d.Enum<SetupFutureUsage>("setup_future_usage"),
            Description = d.String("description", 1000),
            ReceiptEmail = d.String("receipt_email", 800),
            StatementDescriptor = d.String("statement_descriptor", 22),
            StatementDescriptorSuffix = d.String("statement_descriptor_suffix", 22),
            Metadata = d.Metadata(Metadata.Empty),
        };
    }

    private sealed record Line(CheckoutLineItem Item, bool Recurring);

    private static List<Line> ReadLines(ApiContext c, List<Params> items, CheckoutMode mode)
    {
        if (items.Count > CheckoutSessionRules.MaxLineItems)
            throw Invalid("line_items", $"A Checkout Session can have at most {CheckoutSessionRules.MaxLineItems} line items.");
        var lines = new List<Line>();
        string? currency = null;
        for (var i = 0; i < items.Count; i++)
        {
            var li = items[i];
            var prefix = $"line_items[{i}]";
            var priceId = li.String("price");
            var data = li.Object("price_data");
            if (priceId is not null && data is not null) throw new StripeException(StripeError.ParametersExclusive($"{prefix}[price]", $"{prefix}[price_data]"));
            if (priceId is null && data is null) throw new StripeException(StripeError.ParameterMissing($"{prefix}[price]"));
            var quantity = li.Long("quantity", 0, MaxQuantity) ?? throw new StripeException(StripeError.ParameterMissing($"{prefix}[quantity]"));
            var adjustable = ReadAdjustable(li.Object("adjustable_quantity"), $"{prefix}[adjustable_quantity]");
            var metadata = li.StringMap("metadata", out _) is null ? null : li.Metadata(Metadata.Empty);
            if (li.StringList("tax_rates") is { Count: > 0 }) throw Invalid($"{prefix}[tax_rates]", "Tax rates are not emulated yet (they come with billing).");
            var price = priceId is not null ? LoadPrice(c, priceId, $"{prefix}[price]") : NewInlinePrice(c, data!);
            if (CheckoutSessionRules.CheckLine(mode, price.Recurring is not null, price.Currency, currency, i) is { } error)
                throw new StripeException(error);
            currency = price.Currency;
            var amount = PriceRules.AmountFor(price, quantity)
                ?? throw Invalid($"{prefix}[price]", $"Price {price.Id} lets the customer choose the amount (custom_unit_amount), which MockProcessor's Checkout does not emulate yet.");
            var product = c.Tx.Get<Product>(price.Product);
            lines.Add(new Line(new CheckoutLineItem(c.Ids.Next("li"), price.Id, quantity, price.Currency, amount, amount, product?.Name ?? "")
            {
                AdjustableQuantity = adjustable, Metadata = metadata,
            }, price.Recurring is not null));
        }
        return lines;
    }

    private static Price LoadPrice(ApiContext c, string id, string param)
    {
        var price = c.Load<Price>(id, "price", param);
        if (!price.Active) throw Invalid(param, "The price specified is inactive. This field only accepts active prices.");
        return price;
    }

    /// <summary>
    /// A line's <c>price_data</c>: a new price for <c>product</c> or for a new product from <c>product_data</c>. The price
    /// is created archived (<c>active: false</c>): it belongs to this session, not to the catalogue.
    /// </summary>
    private static Price NewInlinePrice(ApiContext c, Params data)
    {
        var currency = Currencies.ValidateCurrency(data.RequiredString("currency", 3).ToLowerInvariant(), data.NameOf("currency")).OrThrow();
        var productId = data.String("product");
        var productData = data.Object("product_data");
        if (productId is not null && productData is not null)
            throw new StripeException(StripeError.ParametersExclusive(data.NameOf("product"), data.NameOf("product_data")));
        if (productId is null && productData is null) throw new StripeException(StripeError.ParameterMissing(data.NameOf("product")));
        if (productId is not null) ProductEndpoints.LoadLive(c, productId, data.NameOf("product"));
        var seed = new Price { Id = c.Ids.Next("price"), AccountId = c.Account.Id, Created = c.Now, Currency = currency, Product = productId ?? "", Active = false };
        var price = PriceForm.Read(data, seed, PriceForm.Shape.LineItem);
        if (productData is not null)
        {
            var product = new Product
            {
                Id = c.Ids.Next("prod", 14), AccountId = c.Account.Id, Created = c.Now, Updated = c.Now,
                Name = productData.RequiredString("name", 5000),
                Description = productData.String("description", 40_000),
                Images = productData.StringList("images") ?? [],
                Metadata = productData.Metadata(Metadata.Empty),
                TaxCode = productData.String("tax_code", 5000),
                UnitLabel = productData.String("unit_label", 12),
            };
            c.Tx.Put(product);
            c.Emit("product.created", product);
            price = price with { Product = product.Id };
        }
        PriceEndpoints.Announce(c, price);
        return price;
    }

    private static AdjustableQuantity? ReadAdjustable(Params? a, string name)
    {
        if (a is null) return null;
        var enabled = a.Bool("enabled") ?? throw new StripeException(StripeError.ParameterMissing($"{name}[enabled]"));
        var min = a.Long("minimum", 0, MaxQuantity);
        var max = a.Long("maximum", 1, MaxQuantity);
        if (min is { } lo && max is { } hi && lo > hi) throw Invalid($"{name}[minimum]", $"`{name}[minimum]` cannot be greater than `{name}[maximum]`.");
        return new AdjustableQuantity(enabled, min, max);
    }

    /// <summary>An absolute http(s) URL, as Stripe requires for success_url and cancel_url (code <c>url_invalid</c>).</summary>
    private static string? AbsoluteUrl(Params p, string key)
    {
        var raw = p.String(key, 5000);
        if (raw is null) return null;
        // {CHECKOUT_SESSION_ID} is a template, not part of the address: check the URL with it filled in.
        var probe = raw.Replace(CheckoutPage.SessionIdTemplate, "cs_test_x", StringComparison.Ordinal);
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "url_invalid", "Not a valid URL", key), beforeExecution: true);
        return raw;
    }

    private static StripeException Invalid(string param, string message) => new(StripeError.InvalidValue(param, message));
}
