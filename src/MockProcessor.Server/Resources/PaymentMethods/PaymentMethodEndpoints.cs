using MockProcessor.Server.Storage;
using System.Text.Json.Nodes;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Tokens;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.PaymentMethods;

public static class PaymentMethodEndpoints
{
    public static readonly SecondaryIndex<PaymentMethod> ByCustomer = new("payment_method", "customer", pm => pm.Customer);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/payment_methods", "payment_method", Create, AllowPublishable: true)
            { Params = "allow_redisplay billing_details card metadata type" },
        new("GET", "/v1/payment_methods", "list:payment_method", List)
            { Params = "allow_redisplay created customer ending_before limit starting_after type" },
        new("GET", "/v1/payment_methods/{id}", "payment_method", Retrieve) { Params = "" },
        new("POST", "/v1/payment_methods/{id}", "payment_method", Update) { Params = "allow_redisplay billing_details card metadata" },
        new("POST", "/v1/payment_methods/{id}/attach", "payment_method", AttachEndpoint) { Params = "customer" },
        new("POST", "/v1/payment_methods/{id}/detach", "payment_method", Detach) { Params = "" },
    ];

    internal static readonly string[] AllowRedisplay = ["always", "limited", "unspecified"];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var type = p.RequiredString("type");
        if (type != "card")
            throw new StripeException(StripeError.InvalidValue("type",
                $"Invalid type: '{type}'. MockProcessor emulates card payment methods only so far."), beforeExecution: true);
        var billing = ReadBilling(p.Object("billing_details"));
        var metadata = p.Metadata(Metadata.Empty);
        var allowRedisplay = p.Enum("allow_redisplay", AllowRedisplay) ?? "unspecified";
        var cardParams = p.Object("card") ?? throw new StripeException(StripeError.ParameterMissing("card"), beforeExecution: true);
        CardDetails card;
        if (cardParams.String("token") is { } tokenId)
        {
            card = ConsumeToken(c, tokenId, "card[token]");
        }
        else
        {
            card = CardForm.Read(cardParams, c.Now,
                postalSupplied: billing.Address?.PostalCode is not null, line1Supplied: billing.Address?.Line1 is not null);
        }
        var pm = new PaymentMethod
        {
            Id = c.Ids.Next("pm"), AccountId = c.Account.Id, Created = c.Now, Card = card,
            BillingDetails = billing, Metadata = metadata, AllowRedisplay = allowRedisplay,
        };
        c.Tx.Put(pm);
        return c.Respond(pm);
    }

    /// <summary>
    /// A new card payment method from <c>payment_method_data</c> (a confirm's, a ConfirmationToken's), with the telemetry
    /// Stripe.js nests there read and dropped. Not stored: the caller puts it once it is used.
    /// </summary>
    internal static PaymentMethod FromData(ApiContext c, Params data)
    {
        var type = data.RequiredString("type");
        if (type != "card")
            throw new StripeException(StripeError.InvalidValue(data.NameOf("type"),
                $"Invalid {data.NameOf("type")}: '{type}'. MockProcessor emulates card payment methods only so far."), beforeExecution: true);
        var billing = ReadBilling(data.Object("billing_details"));
        var card = data.Object("card") ?? throw new StripeException(StripeError.ParameterMissing(data.NameOf("card")), beforeExecution: true);
        var details = card.String("token") is { } tok
            ? ConsumeToken(c, tok, card.NameOf("token"))
            : CardForm.Read(card, c.Now, billing.Address?.PostalCode is not null, billing.Address?.Line1 is not null);
        var metadata = data.Metadata(Metadata.Empty);
        var allowRedisplay = data.Enum("allow_redisplay", AllowRedisplay) ?? "unspecified";
        StripeJsParameters.AcceptTelemetry(data);
        return new PaymentMethod
        {
            Id = c.Ids.Next("pm"), AccountId = c.Account.Id, Created = c.Now, Card = details, BillingDetails = billing, Metadata = metadata,
            AllowRedisplay = allowRedisplay,
        };
    }

    /// <summary>Uses a token once, as Stripe does; catalogue aliases such as tok_visa are reusable.</summary>
    internal static CardDetails ConsumeToken(ApiContext c, string tokenId, string param)
    {
        if (TestCardCatalogue.Default.ByTokenAlias(tokenId) is { } test) return CardForm.FromAlias(test, tokenId, c.Now);
        var token = c.Tx.Get<Token>(tokenId) ?? throw new StripeException(StripeError.ResourceMissing("token", tokenId, param));
        if (token.Used) throw new StripeException(StripeError.TokenAlreadyUsed(tokenId));
        c.Tx.Put(token with { Used = true });
        return token.Card;
    }

    internal static BillingDetails ReadBilling(Params? b) =>
        b is null
            ? BillingDetails.Empty
            : new BillingDetails(AddressForm.Read(b.Object("address")), b.String("email", 512), b.String("name", 256), b.String("phone", 30));

    /// <summary>
    /// The payment method an id names: a stored one, or for a catalogue alias (<c>pm_card_visa</c>) a fresh
    /// one made from the test card, as Stripe makes a new pm_ each time an alias is used.
    /// </summary>
    public static PaymentMethod Resolve(ApiContext c, string id, string param)
    {
        if (TestCardCatalogue.Default.ByPaymentMethodAlias(id) is { } test)
        {
            var pm = new PaymentMethod
            {
                Id = c.Ids.Next("pm"), AccountId = c.Account.Id, Created = c.Now, Card = CardForm.FromAlias(test, id, c.Now),
            };
            c.Tx.Put(pm);
            return pm;
        }
        return c.Load<PaymentMethod>(id, "PaymentMethod", param);
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(Resolve(c, c.Route("id"), "id"));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = c.Load<PaymentMethod>(c.Route("id"), "PaymentMethod");
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.Object("billing_details") is { } b)
        {
            var address = AddressForm.Patch(b, "address", before.BillingDetails.Address);
            after = after with
            {
                BillingDetails = new BillingDetails(address,
                    Patch(b.StringPatch("email", 512), before.BillingDetails.Email),
                    Patch(b.StringPatch("name", 256), before.BillingDetails.Name),
                    Patch(b.StringPatch("phone", 30), before.BillingDetails.Phone)),
            };
        }
        if (p.Enum("allow_redisplay", AllowRedisplay) is { } redisplay) after = after with { AllowRedisplay = redisplay };
        if (p.Object("card") is { } card)
        {
            var month = card.Long("exp_month");
            var year = card.Long("exp_year");
            if (month is < 1 or > 12) throw new StripeException(StripeError.InvalidExpiryMonth());
            var y = year is < 100 ? year + 2000 : year;
            if (y is not null && y < DateTimeOffset.FromUnixTimeSeconds(c.Now).Year) throw new StripeException(StripeError.InvalidExpiryYear());
            after = after with { Card = after.Card with { ExpMonth = (int)(month ?? after.Card.ExpMonth), ExpYear = (int)(y ?? after.Card.ExpYear) } };
        }
        if (before.Customer is null)
            throw new StripeException(StripeError.InvalidValue("id",
                $"You must save this PaymentMethod to a customer before you can update it."));
        return c.Update(before, after, "payment_method.updated");
    }

    private static string? Patch(Patch<string> patch, string? current) => patch.IsSet ? patch.Value : current;

    private static ApiResult AttachEndpoint(ApiContext c)
    {
        var customerId = c.P.RequiredString("customer");
        var result = Attach(c, c.Route("id"), customerId, "customer");
        return result.IsError ? ApiResult.Fail(result.Error!) : c.Respond(result.Value);
    }

    /// <summary>
    /// Attaches a payment method to a customer. Cards that the issuer declines cannot be saved: Stripe
    /// verifies them on attach and answers with the decline (402), so that error is returned, not thrown.
    /// </summary>
    internal static Outcome<PaymentMethod> Attach(ApiContext c, string pmId, string customerId, string customerParam)
    {
        var customer = c.Tx.Get<Customer>(customerId);
        if (customer is null || customer.Deleted) throw new StripeException(StripeError.ResourceMissing("customer", customerId, customerParam));
        var pm = Resolve(c, pmId, "id");
        if (pm.Customer == customerId) return pm;
        if (pm.Customer is not null) throw new StripeException(StripeError.PaymentMethodAlreadyAttached(pm.Id));
        var test = c.Service<TestCards>().Resolve(pm.Card.TestCardKey);
        if (test?.DeclineOnSave(cvcSupplied: pm.Card.CvcCheck is not null) is { } declined) return declined;
        var attached = pm with { Customer = customerId };
        c.Tx.Put(attached);
        c.Emit("payment_method.attached", attached);
        return attached;
    }

    private static ApiResult Detach(ApiContext c)
    {
        var pm = c.Load<PaymentMethod>(c.Route("id"), "PaymentMethod");
        if (pm.Customer is null) throw new StripeException(StripeError.PaymentMethodNotAttached(pm.Id));
        var detached = pm with { Customer = null };
        c.Tx.Put(detached);
        if (c.Tx.Get<Customer>(pm.Customer) is { } customer && customer.DefaultPaymentMethod == pm.Id)
            c.Tx.Put(customer with { DefaultPaymentMethod = null });
        c.Emit("payment_method.detached", detached, new JsonObject { ["customer"] = pm.Customer });
        return c.Respond(detached);
    }

    private static ApiResult List(ApiContext c)
    {
        var customer = c.P.String("customer");
        if (customer is not null && c.Tx.Get<Customer>(customer) is null or { Deleted: true })
            throw new StripeException(StripeError.ResourceMissing("customer", customer, "customer"));
        return ListFor(c, customer, "/v1/payment_methods");
    }

    internal static ApiResult ListFor(ApiContext c, string? customerId, string url)
    {
        var lp = ListParams.Read(c.P);
        var type = c.P.String("type");
        c.P.Accept("allow_redisplay");
        var (page, more) = Lists.Page(c.Tx.FindOrAll(ByCustomer, customerId), lp,
            pm => (customerId is null || pm.Customer == customerId) && (type is null || pm.Type == type), "payment_method");
        return Lists.Render(page, more, url, c.Render, c.Expand);
    }
}
