using MockProcessor.Server.Storage;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Search;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Refunds;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Charges;

/// <summary>
/// Charges: read, update, list and search every charge (most are made by PaymentIntents), plus the legacy
/// Charges API (create with a source or customer, capture) and its charge-scoped refund routes.
/// </summary>
public static class ChargeEndpoints
{
    public static readonly SecondaryIndex<Charge> ByPaymentIntent = new("charge", "payment_intent", ch => ch.PaymentIntent);
    public static readonly SecondaryIndex<Charge> ByCustomer = new("charge", "customer", ch => ch.Customer);

    // The accounts we emulate are US accounts (fees, payout delay); see Domain/Balance/Fees.
    internal const string AccountCountry = "US";

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/charges", "charge", Create)
            { Params = "amount capture currency customer description metadata receipt_email source statement_descriptor statement_descriptor_suffix" },
        new("GET", "/v1/charges", "list:charge", List)
            { Params = "created customer ending_before limit payment_intent starting_after transfer_group" },
        new("GET", "/v1/charges/search", "search:charge", Search) { Params = "limit page query" },
        new("GET", "/v1/charges/{id}", "charge", Retrieve) { Params = "" },
        new("POST", "/v1/charges/{id}", "charge", Update) { Params = "description metadata receipt_email" },
        new("POST", "/v1/charges/{id}/capture", "charge", Capture) { Params = "amount" },
        new("POST", "/v1/charges/{id}/refunds", "refund", CreateRefund)
            { Params = "amount metadata reason refund_application_fee reverse_transfer" },
        new("GET", "/v1/charges/{id}/refunds", "list:refund", ListRefunds) { Params = "created ending_before limit starting_after" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var amount = p.RequiredLong("amount");
        var currency = p.RequiredString("currency").ToLowerInvariant();
        Currencies.ValidateChargeAmount(amount, currency).OrThrow();
        var sourceId = p.String("source");
        var customerId = p.String("customer");
        var capture = p.Bool("capture") ?? true;
        var metadata = p.Metadata(Metadata.Empty);
        var request = new ChargeRequest(c.Account.Id, amount, currency)
        {
            Description = p.String("description", 1000),
            Metadata = metadata,
            ReceiptEmail = p.String("receipt_email", 800),
            StatementDescriptor = p.String("statement_descriptor", 22),
            StatementDescriptorSuffix = p.String("statement_descriptor_suffix", 22),
        };

        Customer? customer = null;
        if (customerId is not null)
        {
            customer = c.Tx.Get<Customer>(customerId);
            if (customer is null || customer.Deleted) throw new StripeException(StripeError.ResourceMissing("customer", customerId, "customer"));
        }
        var saved = sourceId is not null && sourceId.StartsWith("card_", StringComparison.Ordinal) ? SavedCard(c, sourceId, customer)
            : sourceId is null && customer?.DefaultSource is { } defaultSource ? c.Tx.Get<CardSource>(defaultSource) is { Deleted: false } d ? d : null
            : null;
        var pm = saved is not null ? saved.AsPaymentMethod()
            : sourceId is not null ? PaymentMethodFromSource(c, sourceId, customer)
            : customer is not null ? DefaultPaymentMethod(c, customer)
            : throw new StripeException(StripeError.ChargeMissingSource());
        var card = c.Service<TestCards>().Resolve(pm.Card.TestCardKey)
            ?? throw new StripeException(StripeError.LiveCardInTestMode());

        var change = ChargeRules.Create(request with { Customer = customer?.Id, Source = saved }, pm, card, capture, AccountCountry, c.Now, c.Ids,
            NetworkRuleBook.Rules(c));
        Changes.Apply(c, change);
        return change.Error is { } error ? ApiResult.Fail(error) : c.Respond(change.Charge);
    }

    /// <summary>
    /// The card a legacy <c>source</c> names: a token (<c>tok_visa</c> or a created <c>tok_</c>) or a payment
    /// method (<c>pm_card_visa</c> or a stored <c>pm_</c>).
    /// Deviation: Stripe turns a token into a <c>card_</c> source and renders it under <c>source</c>; we make
    /// a PaymentMethod from it, so <c>payment_method</c> is a <c>pm_</c> and <c>source</c> stays null.
    /// Customers' saved <c>card_</c> sources are charged as Stripe does (see <see cref="SavedCard"/>).
    /// </summary>
    private static PaymentMethod PaymentMethodFromSource(ApiContext c, string sourceId, Customer? customer)
    {
        if (sourceId.StartsWith("tok_", StringComparison.Ordinal))
        {
            var card = PaymentMethodEndpoints.ConsumeToken(c, sourceId, "source");
            var fromToken = new PaymentMethod { Id = c.Ids.Next("pm"), AccountId = c.Account.Id, Created = c.Now, Card = card };
            c.Tx.Put(fromToken);
            return fromToken;
        }
        if (!sourceId.StartsWith("pm_", StringComparison.Ordinal))
            throw new StripeException(StripeError.ResourceMissing("source", sourceId, "source"));
        var pm = PaymentMethodEndpoints.Resolve(c, sourceId, "source");
        if (pm.Customer is not null && pm.Customer != customer?.Id)
            throw new StripeException(StripeError.InvalidValue("source",
                $"The payment method {pm.Id} belongs to customer {pm.Customer}; pass customer={pm.Customer} to charge it."));
        return pm;
    }

    /// <summary>
    /// A customer's saved card named as the source: Stripe charges it (payment_method is then the card's id and
    /// source the card) only together with its customer.
    /// </summary>
    private static CardSource SavedCard(ApiContext c, string cardId, Customer? customer)
    {
        if (customer is null)
        {
            if (c.Tx.Get<CardSource>(cardId) is { Deleted: false, Customer: { } owner })
                throw new StripeException(StripeError.SourceNeedsCustomer(cardId, owner));
            throw new StripeException(StripeError.ResourceMissing("source", cardId, "source"));
        }
        return c.Tx.Get<CardSource>(cardId) is { Deleted: false } card && card.Customer == customer.Id
            ? card
            : throw new StripeException(StripeError.SourceNotLinked(customer.Id, cardId));
    }

    // The card a customer-only charge takes: its default source (the card era's default), else, as an emulator
    // extension, its invoice_settings.default_payment_method.
    private static PaymentMethod DefaultPaymentMethod(ApiContext c, Customer customer) =>
        customer.DefaultPaymentMethod is { } id && c.Tx.Get<PaymentMethod>(id) is { } pm
            ? pm
            : throw new StripeException(StripeError.CustomerHasNoPaymentSource(customer.Id));

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<Charge>(c.Route("id"), "charge"));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = c.Load<Charge>(c.Route("id"), "charge");
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.StringPatch("description", 1000) is { IsSet: true } description) after = after with { Description = description.Value };
        if (p.StringPatch("receipt_email", 800) is { IsSet: true } email) after = after with { ReceiptEmail = email.Value };
        return c.Update(before, after, EventTypes.ChargeUpdated);
    }

    private static ApiResult Capture(ApiContext c)
    {
        var charge = c.Load<Charge>(c.Route("id"), "charge");
        var amount = c.P.Long("amount");
        var change = ChargeRules.Capture(charge, amount, AccountCountry, c.Now, c.Ids).OrThrow();
        Changes.Apply(c, change);
        return c.Respond(change.Charge);
    }

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var customer = c.P.String("customer");
        var paymentIntent = c.P.String("payment_intent");
        c.P.Accept("transfer_group");
        var source = paymentIntent is not null ? c.Tx.Find(ByPaymentIntent, paymentIntent) : c.Tx.FindOrAll(ByCustomer, customer);
        var (page, more) = Lists.Page(source, lp,
            ch => (customer is null || ch.Customer == customer) && (paymentIntent is null || ch.PaymentIntent == paymentIntent), "charge");
        return Lists.Render(page, more, "/v1/charges", c.Render, c.Expand);
    }

    private static ApiResult Search(ApiContext c) =>
        SearchEndpoint.Run(c, StripeSearchSchemas.Charges, "/v1/charges/search",
            c.Tx.NewestFirst<Charge>("charge"), ch => new ChargeSearchDocument(ch));

    private static ApiResult CreateRefund(ApiContext c)
    {
        var charge = c.Load<Charge>(c.Route("id"), "charge");
        return RefundEndpoints.CreateFor(c, charge);
    }

    private static ApiResult ListRefunds(ApiContext c)
    {
        var charge = c.Load<Charge>(c.Route("id"), "charge");
        return RefundEndpoints.ListFor(c, charge.Id, null, $"/v1/charges/{charge.Id}/refunds");
    }

    private sealed class ChargeSearchDocument(Charge ch) : ISearchDocument
    {
        public string? GetString(string field) => field switch
        {
            "currency" => ch.Currency,
            "customer" => ch.Customer,
            "status" => ch.Status.ToWire(),
            "disputed" => ch.Disputed ? "true" : "false",
            // Stripe's token: "true" fully refunded, "false" partially, absent (null) when nothing was refunded.
            "refunded" => ch.Refunded ? "true" : ch.AmountRefunded > 0 ? "false" : null,
            "billing_details.address.postal_code" => ch.BillingDetails.Address?.PostalCode,
            "payment_method_details.card.last4" => ch.PaymentMethodDetails?.Last4,
            "payment_method_details.card.brand" => ch.PaymentMethodDetails?.Brand,
            "payment_method_details.card.fingerprint" => ch.PaymentMethodDetails?.Fingerprint,
            "payment_method_details.card.exp_month" => ch.PaymentMethodDetails?.ExpMonth.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "payment_method_details.card.exp_year" => ch.PaymentMethodDetails?.ExpYear.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
        public long? GetNumber(string field) => field switch { "amount" => ch.Amount, "created" => ch.Created, _ => null };
        public string? GetMetadata(string key) => ch.Metadata.GetValueOrDefault(key);
    }
}
