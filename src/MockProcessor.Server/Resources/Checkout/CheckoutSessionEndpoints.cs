using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Checkout;

/// <summary>Checkout Sessions under <c>/v1/checkout/sessions</c> (docs/checkout.md).</summary>
public static class CheckoutSessionEndpoints
{
    public static readonly SecondaryIndex<CheckoutSession> ByPaymentIntent = new("checkout.session", "payment_intent", s => s.PaymentIntent);
    public static readonly SecondaryIndex<CheckoutSession> BySetupIntent = new("checkout.session", "setup_intent", s => s.SetupIntent);
    public static readonly SecondaryIndex<CheckoutSession> ByCustomer = new("checkout.session", "customer", s => s.Customer);

    /// <summary>Every session by id, store-wide: the hosted page is reached without an API key.</summary>
    public static readonly LookupIndex<CheckoutSession> ById = new("checkout.session", "id", s => s.Id);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/checkout/sessions", "checkout.session", Create)
        {
            Params = "allow_promotion_codes allowed_payment_method_types billing_address_collection cancel_url client_reference_id currency customer customer_creation customer_email discounts excluded_payment_method_types expires_at line_items locale metadata mode payment_intent_data payment_method_types return_url setup_intent_data submit_type subscription_data success_url ui_mode",
        },
        new("GET", "/v1/checkout/sessions", "list:checkout.session", List)
            { Params = "created customer ending_before limit payment_intent setup_intent starting_after status" },
        new("GET", "/v1/checkout/sessions/{id}", "checkout.session", Retrieve) { Params = "" },
        new("POST", "/v1/checkout/sessions/{id}", "checkout.session", Update) { Params = "metadata" },
        new("GET", "/v1/checkout/sessions/{id}/line_items", "list:item", LineItems) { Params = "ending_before limit starting_after" },
        new("POST", "/v1/checkout/sessions/{id}/expire", "checkout.session", Expire) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var session = CheckoutSessionForm.ReadCreate(c);
        c.Tx.Put(session);
        // Stripe sends no event when a session is created.
        return c.Respond(session);
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<CheckoutSession>(c.Route("id"), "checkout.session"));

    private static ApiResult Update(ApiContext c)
    {
        var before = c.Load<CheckoutSession>(c.Route("id"), "checkout.session");
        var after = before with { Metadata = c.P.Metadata(before.Metadata) };
        if (after != before) c.Tx.Put(after);
        // Stripe has no checkout.session.updated event.
        return c.Respond(after);
    }

    private static ApiResult Expire(ApiContext c)
    {
        var session = c.Load<CheckoutSession>(c.Route("id"), "checkout.session");
        return c.Respond(CheckoutFlow.Expire(c, session));
    }

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var customer = p.String("customer");
        var paymentIntent = p.String("payment_intent");
        var setupIntent = p.String("setup_intent");
        var status = p.Enum<CheckoutStatus>("status");
        var source = paymentIntent is not null ? c.Tx.Find(ByPaymentIntent, paymentIntent)
            : setupIntent is not null ? c.Tx.Find(BySetupIntent, setupIntent)
            : c.Tx.FindOrAll(ByCustomer, customer);
        var (page, more) = Lists.Page(source, lp, s =>
            (customer is null || s.Customer == customer) && (paymentIntent is null || s.PaymentIntent == paymentIntent)
            && (setupIntent is null || s.SetupIntent == setupIntent) && (status is null || s.Status == status), "checkout.session");
        return Lists.Render(page, more, "/v1/checkout/sessions", c.Render, c.Expand);
    }

    /// <summary>The session's line items in the order given at creation, paged by their <c>li_</c> ids.</summary>
    private static ApiResult LineItems(ApiContext c)
    {
        var p = c.P;
        var session = c.Load<CheckoutSession>(c.Route("id"), "checkout.session");
        var limit = (int)(p.Long("limit") ?? 10);
        if (limit is < 1 or > 100)
            throw new StripeException(StripeError.InvalidValue("limit", "Invalid limit: must be between 1 and 100"), beforeExecution: true);
        var after = p.String("starting_after");
        var before = p.String("ending_before");
        if (after is not null && before is not null)
            throw new StripeException(StripeError.ParametersExclusive("starting_after", "ending_before"), beforeExecution: true);
        var all = session.LineItems;
        int IndexOf(string id, string param) => all.ToList().FindIndex(l => l.Id == id) is var i and >= 0 ? i
            : throw new StripeException(StripeError.ResourceMissing("line item", id, param));
        List<CheckoutLineItem> page;
        bool more;
        if (before is not null)
        {
            var end = IndexOf(before, "ending_before");
            var start = Math.Max(0, end - limit);
            page = all.Skip(start).Take(end - start).ToList();
            more = start > 0;
        }
        else
        {
            var start = after is null ? 0 : IndexOf(after, "starting_after") + 1;
            page = all.Skip(start).Take(limit).ToList();
            more = start + page.Count < all.Count;
        }
        return CheckoutSessionJson.LineItemList(session, page, more, c.Render, c.Expand.Child("data"));
    }
}
