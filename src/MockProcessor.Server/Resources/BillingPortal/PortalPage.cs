using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Resources.Checkout;
using MockProcessor.Server.Resources.Invoices;
using MockProcessor.Server.Resources.Subscriptions;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;
using static MockProcessor.Server.Resources.Shared.HostedPage;

namespace MockProcessor.Server.Resources.BillingPortal;

/// <summary>
/// The customer portal page at a portal session's <c>url</c> (docs/portal.md): <c>GET /billing_portal/session/{id}/{token}</c>
/// shows the customer's live subscriptions, default card and invoices, as far as the session's configuration enables
/// them; each button posts back to the same address. Cancel, renew and plan switches run the subscription routes
/// themselves through <see cref="StripeApi.Invoke"/> (same parameters, code and events as the API); a card update goes
/// through the hosted pages' card code. No API key: the secret token is the credential and it expires.
/// </summary>
public static class PortalPage
{
    public const string PathPrefix = "/billing_portal/session/";
    private const string Product = "MockProcessor customer portal";

    public static void Map(WebApplication app)
    {
        app.MapGet(PathPrefix + "{id}/{token}", Show);
        app.MapPost(PathPrefix + "{id}/{token}", Submit);
    }

    /// <summary>What a finished action tells the page afterwards (<c>?done=</c>).</summary>
    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["canceled"] = "Your plan has been canceled.",
        ["cancel_at_period_end"] = "Your plan will be canceled at the end of the current period.",
        ["renewed"] = "Your plan will renew.",
        ["switched"] = "Your plan has been updated.",
        ["payment_method"] = "Your payment method has been updated.",
    };

    private static string? Owner(ObjectStore store, string id, string token, out AccountState? state)
    {
        state = store.FindTreeOf(id, PortalJson.SessionObject, PortalEndpoints.SessionsById);
        if (state is null) return null;
        lock (state.Gate)
            return store.Begin(state).GetInTree<PortalSession>(id) is { } s
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(s.Token), Encoding.UTF8.GetBytes(token)) ? s.AccountId : null;
    }

    private static async Task<IResult> Show(string id, string token, HttpContext http, ObjectStore store, StripeApi api)
    {
        if (Owner(store, id, token, out var state) is not { } owner) return Unknown();
        var done = http.Request.Query["done"].ToString();
        return await api.RunAsCustomer(http, state!, c =>
        {
            var s = c.Tx.Get<PortalSession>(id)!;
            if (!PortalRules.Usable(s, c.Now)) return Expired();
            // The first visit starts the session's life.
            if (s.VisitedAt is null) c.Tx.Put(s = s with { VisitedAt = c.Now, ExpiresAt = c.Now + PortalRules.LastsSeconds });
            return Page(c, s, 200, Notices.GetValueOrDefault(done), null);
        }, owner);
    }

    /// <summary>What a posted button leads to: a page now (refused or failed), or an API call to run, or done.</summary>
    private sealed record Plan(IResult? Page, ApiCall? Call, string? Done);

    private sealed record ApiCall(string Method, string Pattern, string Id, string Body, string Done);

    private static async Task<IResult> Submit(string id, string token, HttpContext http, ObjectStore store, StripeApi api, ILoggerFactory logs)
    {
        if (await ReadForm(http) is not { } form) return Html(400, Message(Product, "Unreadable form", "The request body is not a valid form."));
        // The token in the address is the credential; a browser's cross-site post is refused besides.
        if (!SameOrigin(http)) return Html(403, Message(Product, "Refused", "This form can only be sent from the portal page."));
        if (Owner(store, id, token, out var state) is not { } owner) return Unknown();
        Plan plan;
        try
        {
            plan = await api.RunAsCustomer(http, state!, c => Decide(c, c.Tx.Get<PortalSession>(id)!, form), owner);
        }
        catch (StripeException ex)
        {
            // A card the API refuses keeps nothing: the page comes back with Stripe's message.
            return await api.RunAsCustomer(http, state!, c => Page(c, c.Tx.Get<PortalSession>(id)!, ex.Error.Status, null, ex.Error.Message), owner);
        }
        if (plan.Page is { } page) return page;
        var done = plan.Done;
        if (plan.Call is { } call)
        {
            http.Request.RouteValues = new RouteValueDictionary { ["id"] = call.Id };
            var answer = await api.Invoke(http, Dashboard.DashboardActions.Route(call.Method, call.Pattern), state!,
                FormReader.Parse(null, call.Body));
            if (answer.Status >= 300)
                return await api.RunAsCustomer(http, state!, c => Page(c, c.Tx.Get<PortalSession>(id)!, answer.Status, null, answer.Error), owner);
            done = call.Done;
        }
        logs.CreateLogger(typeof(PortalPage)).LogInformation("Portal {Session}: {Outcome} ({AccountId})", id, done, owner);
        var after = await api.RunAsCustomer(http, state!, c => c.Tx.Get<PortalSession>(id)!.Flow, owner);
        // A flow may send the customer on once its action is done (flow_data[after_completion][redirect]).
        if (after is { AfterCompletion: "redirect", RedirectUrl: { } url }) return Redirect(url);
        return Redirect($"{PathPrefix}{id}/{token}?done={done}");
    }

    private static Plan Refuse(ApiContext c, PortalSession s, int status, string message) => new(Page(c, s, status, null, message), null, null);

    /// <summary>Checks a posted action against the session and its configuration; a card update is done here and now.</summary>
    private static Plan Decide(ApiContext c, PortalSession s, IFormCollection form)
    {
        if (!PortalRules.Usable(s, c.Now)) return new(Expired(), null, null);
        var f = c.Tx.Get<PortalConfiguration>(s.Configuration)!.Features;
        var action = Field(form, "action");
        if (action == "payment_method")
        {
            if (!f.PaymentMethodUpdateEnabled) return Refuse(c, s, 403, "Updating the payment method is not available here.");
            return UpdateCard(c, s, form);
        }
        var sub = Field(form, "subscription") is { } subId ? c.Tx.Get<Subscription>(subId) : null;
        if (sub is null || sub.Customer != s.Customer || SubscriptionRules.IsTerminal(sub.Status))
            return Refuse(c, s, 400, "This subscription cannot be changed here.");
        var path = "/v1/subscriptions/{id}";
        switch (action)
        {
            case "cancel":
                if (!f.CancelEnabled) return Refuse(c, s, 403, "Canceling is not available here.");
                var feedback = Field(form, "reason") is { } reason && f.CancellationReasonEnabled && f.CancellationReasonOptions.Contains(reason)
                    ? "&cancellation_details[feedback]=" + reason : "";
                if (f.CancelMode == PortalCancelMode.AtPeriodEnd)
                    return new(null, new ApiCall("POST", path, sub.Id, "cancel_at_period_end=true" + feedback, "cancel_at_period_end"), null);
                var prorate = f.CancelProration == ProrationBehavior.None ? "false" : "true";
                var invoiceNow = f.CancelProration == ProrationBehavior.AlwaysInvoice ? "true" : "false";
                return new(null, new ApiCall("DELETE", path, sub.Id, $"prorate={prorate}&invoice_now={invoiceNow}{feedback}", "canceled"), null);
            case "renew":
                if (!f.CancelEnabled || !sub.CancelAtPeriodEnd) return Refuse(c, s, 403, "Renewing is not available here.");
                return new(null, new ApiCall("POST", path, sub.Id, "cancel_at_period_end=false", "renewed"), null);
            case "switch":
                if (!CanSwitch(f, sub)) return Refuse(c, s, 403, "Changing the plan is not available here.");
                var price = Field(form, "price");
                if (price is null || !f.UpdateProducts.Any(p => p.Prices.Contains(price)) || price == sub.Items[0].Price)
                    return Refuse(c, s, 400, "Choose one of the plans offered.");
                return new(null, new ApiCall("POST", path, sub.Id,
                    $"items[0][id]={sub.Items[0].Id}&items[0][price]={Uri.EscapeDataString(price)}&proration_behavior={f.UpdateProration.ToWire()}", "switched"), null);
            default:
                return Refuse(c, s, 400, "Unknown action.");
        }
    }

    private static bool CanSwitch(PortalFeatures f, Subscription sub) =>
        f.UpdateEnabled && f.UpdateDefaultAllowed.Contains("price") && sub.Items.Count == 1;

    /// <summary>
    /// The typed card becomes a PaymentMethod attached to the customer (<c>payment_method.attached</c>) and its
    /// <c>invoice_settings.default_payment_method</c> (<c>customer.updated</c>); live subscriptions that name a default
    /// payment method of their own get the new card too (<c>customer.subscription.updated</c>), so renewals use it.
    /// </summary>
    private static Plan UpdateCard(ApiContext c, PortalSession s, IFormCollection form)
    {
        var customer = c.Tx.Get<Customer>(s.Customer)!;
        var (card, incomplete) = Card(c, form, null);
        if (card is null) return Refuse(c, s, 400, incomplete!);
        card = CheckoutFlow.AttachTo(c, card, customer.Id);
        c.Change(customer, customer with { DefaultPaymentMethod = card.Id }, "customer.updated");
        foreach (var sub in c.Tx.Find(SubscriptionEndpoints.ByCustomer, customer.Id).ToList())
            if (!SubscriptionRules.IsTerminal(sub.Status) && sub.DefaultPaymentMethod is { } old && old != card.Id)
                BillingEngine.Save(c.AtTime(BillingClock.Now(c, customer.Id)), sub, sub with { DefaultPaymentMethod = card.Id });
        return new(null, null, "payment_method");
    }

    // ------------------------------------------------------------------ the page

    private static IResult Page(ApiContext c, PortalSession s, int status, string? notice, string? error)
    {
        var config = c.Tx.Get<PortalConfiguration>(s.Configuration)!;
        var f = config.Features;
        var customer = c.Tx.Get<Customer>(s.Customer)!;
        var merchant = c.Tx.Get<Account>(s.AccountId)?.Profile.Name ?? s.AccountId;
        var self = $"{PathPrefix}{s.Id}/{s.Token}";
        var b = new StringBuilder();
        if (s.ReturnUrl is { } back) b.Append($"<p><a class=\"back\" id=\"return\" href=\"{Enc(back)}\">← Return to {Enc(merchant)}</a></p>");
        b.Append($"<h1>{Enc(merchant)}</h1>");
        if (config.Headline is { } headline) b.Append($"<p class=\"muted\">{Enc(headline)}</p>");
        b.Append($"<p class=\"muted\">Signed in as {Enc(customer.Email ?? customer.Name ?? customer.Id)}</p>");
        if (notice is not null)
        {
            var text = s.Flow is { AfterCompletion: "hosted_confirmation", CustomMessage: { } custom } ? custom : notice;
            b.Append($"<p class=\"notice\" id=\"notice\" role=\"status\">{Enc(text)}</p>");
        }
        if (error is not null) b.Append($"<p class=\"error\" id=\"error\" role=\"alert\">{Enc(error)}</p>");

        // A flow opens on its one action until that is done; then the page is the portal's home (or only the confirmation).
        var flow = notice is null ? s.Flow : null;
        if (notice is not null && s.Flow is { AfterCompletion: "hosted_confirmation" })
            return Html(status, Document("Done", Product, b.ToString()));
        var subs = c.Tx.Find(SubscriptionEndpoints.ByCustomer, customer.Id)
            .Where(x => !SubscriptionRules.IsTerminal(x.Status) && (flow?.Subscription is null || x.Id == flow.Subscription)).ToList();
        var showSubs = flow is null || flow.Type is "subscription_cancel" or "subscription_update";
        if (showSubs)
        {
            b.Append("<section id=\"subscriptions\"><h2>Current plan</h2>");
            if (subs.Count == 0) b.Append("<p class=\"muted\">No active subscriptions.</p>");
            foreach (var sub in subs) Subscription(c, b, self, f, sub, flow?.Type);
            b.Append("</section>");
        }
        if (f.PaymentMethodUpdateEnabled && (flow is null || flow.Type == "payment_method_update"))
        {
            b.Append("<section id=\"payment-method\"><h2>Payment method</h2>");
            // The card renewals use: the customer's default, else the one a live subscription names (Checkout sets only that).
            var pmId = customer.DefaultPaymentMethod ?? c.Tx.Find(SubscriptionEndpoints.ByCustomer, customer.Id)
                .Where(x => !SubscriptionRules.IsTerminal(x.Status)).Select(x => x.DefaultPaymentMethod).FirstOrDefault(x => x is not null);
            var current = pmId is null ? null : c.Tx.Get<PaymentMethod>(pmId);
            b.Append(current is null ? "<p class=\"muted\" id=\"card\">No default payment method.</p>"
                : $"<p id=\"card\">{Enc(current.Card.DisplayBrand ?? current.Card.Brand)} •••• {Enc(current.Card.Last4)}, expires {current.Card.ExpMonth:00}/{current.Card.ExpYear}</p>");
            b.Append($"""
                <form method="post" action="{Enc(self)}">
                <input type="hidden" name="action" value="payment_method">
                {CardFields()}
                <button type="submit" id="save-card">Save card</button>
                </form></section>
                """);
        }
        if (f.InvoiceHistoryEnabled && flow is null)
        {
            b.Append("<section id=\"invoices\"><h2>Invoice history</h2><table class=\"items\">");
            var invoices = c.Tx.Find(InvoiceEndpoints.ByCustomer, customer.Id).Where(i => i.Status != InvoiceStatus.Draft).Take(24).ToList();
            if (invoices.Count == 0) b.Append("<tr><td class=\"muted\">No invoices yet.</td></tr>");
            foreach (var inv in invoices)
            {
                var date = DateTimeOffset.FromUnixTimeSeconds(inv.FinalizedAt ?? inv.Created).ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
                var amount = Enc(Currencies.Display(InvoiceRules.Total(inv), inv.Currency));
                var link = InvoiceJson.HostedUrl(inv) is { } url ? $" <a href=\"{Enc(url)}\">View</a>" : "";
                b.Append($"<tr class=\"invoice\"><td>{date}<div class=\"muted\">{Enc(inv.Number ?? inv.Id)} · {Enc(inv.Status.ToWire())}</div></td><td class=\"num\">{amount}{link}</td></tr>");
            }
            b.Append("</table></section>");
        }
        b.Append($"<p class=\"muted small\">Portal session <code>{Enc(s.Id)}</code>. Use a test card such as 4242 4242 4242 4242 with any future expiry.</p>");
        return Html(status, Document(merchant, Product, b.ToString()));
    }

    private static void Subscription(ApiContext c, StringBuilder b, string self, PortalFeatures f, Subscription sub, string? flow)
    {
        var prices = sub.Items.Select(i => (Item: i, Price: c.Tx.Get<Price>(i.Price))).ToList();
        var names = string.Join(", ", prices.Select(p => p.Price is null ? p.Item.Price
            : (p.Item.Quantity > 1 ? $"{p.Item.Quantity} × " : "") + BillingEngine.ProductName(c, p.Price)));
        var total = prices.Sum(p => p.Price is null ? 0 : PriceRules.AmountFor(p.Price, p.Item.Quantity) ?? 0);
        string Date(long t) => DateTimeOffset.FromUnixTimeSeconds(t).ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        b.Append($"<div class=\"subscription\" id=\"sub-{Enc(sub.Id)}\"><p><strong>{Enc(names)}</strong><br>");
        b.Append($"<span class=\"amount\">{Enc(Currencies.Display(total, sub.Currency))} {Enc(Every(sub))}</span><br>");
        var when = sub.CancelAtPeriodEnd ? $"Cancels on {Date(sub.CurrentPeriodEnd)}"
            : sub.CancelAt is { } at ? $"Cancels on {Date(at)}"
            : sub.Status == SubscriptionStatus.Trialing && sub.TrialEnd is { } te ? $"Trial ends on {Date(te)}"
            : $"Renews on {Date(sub.CurrentPeriodEnd)}";
        b.Append($"<span class=\"muted\" id=\"status-{Enc(sub.Id)}\">{Enc(when)} · {Enc(sub.Status.ToWire())}</span></p>");
        string Hidden(string action) => $"<input type=\"hidden\" name=\"action\" value=\"{action}\"><input type=\"hidden\" name=\"subscription\" value=\"{Enc(sub.Id)}\">";
        if (CanSwitch(f, sub) && flow is null or "subscription_update")
        {
            foreach (var offered in f.UpdateProducts.SelectMany(p => p.Prices).Where(p => p != sub.Items[0].Price))
            {
                if (c.Tx.Get<Price>(offered) is not { Active: true } price) continue;
                var label = $"Switch to {BillingEngine.ProductName(c, price)} — {Currencies.Display(PriceRules.AmountFor(price, sub.Items[0].Quantity) ?? 0, price.Currency)} {Every(price.Recurring)}";
                b.Append($"<form method=\"post\" action=\"{Enc(self)}\">{Hidden("switch")}<input type=\"hidden\" name=\"price\" value=\"{Enc(price.Id)}\">" +
                         $"<button type=\"submit\" class=\"switch\" id=\"switch-{Enc(price.Id)}\">{Enc(label)}</button></form>");
            }
        }
        if (f.CancelEnabled && flow is null or "subscription_cancel")
        {
            if (sub.CancelAtPeriodEnd)
                b.Append($"<form method=\"post\" action=\"{Enc(self)}\">{Hidden("renew")}<button type=\"submit\" id=\"renew-{Enc(sub.Id)}\">Renew plan</button></form>");
            else
            {
                b.Append($"<form method=\"post\" action=\"{Enc(self)}\">{Hidden("cancel")}");
                if (f.CancellationReasonEnabled && f.CancellationReasonOptions.Count > 0)
                    b.Append("<label>Why are you canceling?<select name=\"reason\"><option value=\"\"></option>" +
                             string.Concat(f.CancellationReasonOptions.Select(o => $"<option value=\"{Enc(o)}\">{Enc(o.Replace('_', ' '))}</option>")) + "</select></label>");
                var text = f.CancelMode == PortalCancelMode.Immediately ? "Cancel plan now" : "Cancel plan";
                b.Append($"<button type=\"submit\" class=\"secondary\" id=\"cancel-{Enc(sub.Id)}\">{text}</button></form>");
            }
        }
        b.Append("</div>");
    }

    private static string Every(Subscription sub) => Every(sub.Interval, sub.IntervalCount);

    private static string Every(Recurring? r) => r is null ? "" : Every(r.Interval, r.IntervalCount);

    private static string Every(RecurringInterval interval, long count) => count == 1 ? $"per {interval.ToWire()}" : $"every {count} {interval.ToWire()}s";

    private static IResult Unknown() => Html(404, Message(Product, "No such portal session", "There is no customer portal session at this address."));

    private static IResult Expired() => Html(410, Message(Product, "This portal session has expired",
        "Portal links are short-lived. Return to the shop and open the customer portal again."));
}
