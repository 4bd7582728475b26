using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Control;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Checkout;

/// <summary>
/// The hosted Checkout page at a session's <c>url</c> (docs/checkout.md): <c>GET /checkout/pay/{id}</c> shows it,
/// the form posts back to the same address, which pays through <see cref="CheckoutFlow"/> and answers 303 to the
/// success URL, to the 3-D Secure page, or the form again with the decline. No API key: the session id is the
/// credential, as on Stripe's page. Stripe.js's <c>redirectToCheckout</c> uses the same path.
/// </summary>
public static class CheckoutPage
{
    public const string PathPrefix = "/checkout/pay/";
    public const string SessionIdTemplate = "{CHECKOUT_SESSION_ID}";

    public static void Map(WebApplication app)
    {
        app.MapGet(PathPrefix + "{id}", Show);
        app.MapPost(PathPrefix + "{id}", Submit);
    }

    private static async Task<IResult> Show(string id, HttpContext http, ObjectStore store, StripeApi api)
    {
        if (store.FindTreeOf(id, "checkout.session", CheckoutSessionEndpoints.ById) is not { } state) return Unknown();
        string? owner;
        lock (state.Gate) owner = store.Begin(state).GetInTree<CheckoutSession>(id)?.AccountId;
        if (owner is null) return Unknown();
        var redirectStatus = http.Request.Query["redirect_status"].ToString();
        // Read under the merchant's lock with the merchant's clock; nothing is written.
        return await api.RunAsCustomer(http, state, c =>
        {
            var s = c.Tx.Get<CheckoutSession>(id)!;
            // Back from 3-D Secure: the authentication already completed the session, or failed and the form shows why.
            if (s.Status == CheckoutStatus.Complete && redirectStatus.Length > 0) return Redirect(CheckoutFlow.SuccessUrl(s));
            if (Closed(s, c.Now) is { } closed) return closed;
            string? error = null;
            if (redirectStatus == "failed" && s.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { } pi)
                error = pi.LastPaymentError?.Message ?? "We are unable to authenticate your payment method. Please choose a different payment method and try again.";
            return FormPage(c, s, error is null ? 200 : 402, error, new CheckoutHtml.Entered(null, null, null));
        }, owner);
    }

    private static async Task<IResult> Submit(string id, HttpContext http, ObjectStore store, StripeApi api, ILoggerFactory logs)
    {
        if (await Shared.HostedPage.ReadForm(http) is not { } form) return Html(400, CheckoutHtml.Message("Unreadable form", "The request body is not a valid form."));
        string? Field(string name) => Shared.HostedPage.Field(form, name);
        var entered = new CheckoutHtml.Entered(Field("email"), Field("name"), Field("expiry"));
        if (store.FindTreeOf(id, "checkout.session", CheckoutSessionEndpoints.ById) is not { } state) return Unknown();
        string? owner;
        lock (state.Gate) owner = store.Begin(state).GetInTree<CheckoutSession>(id)?.AccountId;
        if (owner is null) return Unknown();

        // A card the API would refuse (bad number, expiry, CVC) changes nothing: the form comes back with Stripe's message.
        (IResult Page, string? Log) result;
        try
        {
            result = await api.RunAsCustomer(http, state, c =>
            {
                var s = c.Tx.Get<CheckoutSession>(id)!;
                if (Closed(s, c.Now) is { } closed) return (closed, (string?)null);
                // The promotion code box (allow_promotion_codes): apply the code and show the page again.
                if (Field("apply") is not null && s.AllowPromotionCodes == true && s.Discounts.Count == 0)
                {
                    if (Field("promotion_code") is not { } typed) return (FormPage(c, s, 400, "Enter a promotion code.", entered), null);
                    c.Tx.Put(Discounts.CheckoutDiscounts.ApplyCode(c, s, typed));
                    return (Redirect(PathPrefix + s.Id), "promotion code applied");
                }
                var askEmail = s.Customer is null;
                if (askEmail && (entered.Email is null || !entered.Email.Contains('@')))
                    return (FormPage(c, s, 400, "Your email address is incomplete.", entered), null);
                var (pm, incomplete) = Shared.HostedPage.Card(c, form, askEmail ? entered.Email : null);
                if (pm is null) return (FormPage(c, s, 400, incomplete, entered), null);
                var attempt = CheckoutFlow.Pay(c, s, pm);
                if (attempt.Error is { } error) return (FormPage(c, attempt.Session, 402, error.Message, entered), $"declined ({error.DeclineCode ?? error.Code})");
                if (attempt.AuthenticateAt is { } page) return (Redirect(page), "requires_action");
                return (Redirect(CheckoutFlow.SuccessUrl(attempt.Session)), "complete");
            }, owner);
        }
        catch (StripeException ex)
        {
            // Nothing was kept; show the form again (read afresh) with the card error.
            return await api.RunAsCustomer(http, state, c => FormPage(c, c.Tx.Get<CheckoutSession>(id)!, ex.Error.Status, ex.Error.Message, entered), owner);
        }
        if (result.Log is { } line)
            logs.CreateLogger(typeof(CheckoutPage)).LogInformation("Checkout {Session}: {Outcome} ({AccountId})", id, line, owner);
        return result.Page;
    }

    private static IResult? Closed(CheckoutSession s, long now) => s.Status switch
    {
        CheckoutStatus.Complete => Html(410, CheckoutHtml.Message("This checkout is complete",
            "This Checkout Session has already been paid. You may close this page.")),
        CheckoutStatus.Expired => Expired(),
        _ when now >= s.ExpiresAt => Expired(),
        _ => null,
    };

    private static IResult Expired() => Html(410, CheckoutHtml.Message("This checkout has expired",
        "This Checkout Session has expired. Return to the shop and start again."));

    private static IResult Unknown() => Html(404, CheckoutHtml.Message("No such checkout",
        "There is no Checkout Session with this id."));

    private static IResult FormPage(ApiContext c, CheckoutSession s, int status, string? error, CheckoutHtml.Entered entered)
    {
        var merchant = c.Tx.Get<Account>(s.AccountId)?.Profile.Name ?? s.AccountId;
        var lines = s.LineItems.Select(l => new CheckoutHtml.Line(l, c.Tx.Get<Price>(l.Price))).ToList();
        var label = s.Discounts.Count > 0 && c.Tx.Get<Domain.Billing.Discount>(s.Discounts[0]) is { } d
            ? (d.PromotionCode is { } pc ? c.Tx.Get<Domain.Billing.PromotionCode>(pc)?.Code : null) ?? c.Tx.Get<Domain.Billing.Coupon>(d.Coupon)?.Name
            : null;
        return Html(status, CheckoutHtml.Form(s, merchant, lines, s.Customer is null, error, entered, label is null ? null : $"Discount ({label})"));
    }

    private static IResult Redirect(string location) => ThreeDSecurePage.Respond(303, null, location);

    private static IResult Html(int status, string html) => ThreeDSecurePage.Respond(status, html, null);
}
