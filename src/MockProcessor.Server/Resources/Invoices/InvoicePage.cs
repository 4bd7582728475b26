using MockProcessor.Domain.Money;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Server.Control;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Invoices;

/// <summary>
/// The hosted invoice page at <c>hosted_invoice_url</c> (docs/billing.md): <c>GET /invoice/pay/{id}/{token}</c> shows the
/// lines and the amount due with a card form; the form posts back to the same address and pays through
/// <see cref="BillingEngine.Attempt"/> like <c>/pay</c> (test cards decide; 3-D Secure goes through the emulator's page and
/// returns here). No API key: the secret token is the credential, as in Stripe's invoice links. A wrong token is 404.
/// </summary>
public static class InvoicePage
{
    public const string PathPrefix = "/invoice/pay/";

    public static void Map(WebApplication app)
    {
        app.MapGet(PathPrefix + "{id}/{token}", Show);
        app.MapPost(PathPrefix + "{id}/{token}", Submit);
    }

    /// <summary>
    /// The page token of an invoice finalized without one drawn at creation: HMAC-SHA256 of its id under a key derived
    /// from the seed when the emulator runs seeded (same seed, same URLs), else from the database's secret key
    /// (<see cref="ObjectStore.FingerprintKey"/>, per process with <c>--in-memory</c>). Nothing is drawn from the id generator.
    /// </summary>
    public static string TokenFor(ApiContext c, string invoiceId)
    {
        var mac = HMACSHA256.HashData(PageKey(c), Encoding.UTF8.GetBytes(invoiceId));
        return "tok_" + Convert.ToHexStringLower(mac, 0, 16);
    }

    // The key of the page tokens, derived once per seed and store (every finalization asks for it).
    private sealed record DerivedKey(long? Seed, byte[] Fingerprint, byte[] Key);
    private static DerivedKey? _pageKey;

    private static byte[] PageKey(ApiContext c)
    {
        var seed = c.Service<Hosting.MockProcessorOptions>().Seed;
        var fingerprint = c.Service<ObjectStore>().FingerprintKey;
        if (_pageKey is { } known && known.Seed == seed && ReferenceEquals(known.Fingerprint, fingerprint)) return known.Key;
        var key = seed is { } s
            ? SHA256.HashData(Encoding.UTF8.GetBytes($"mockprocessor/invoice-page/v1/seed:{s}"))
            : HMACSHA256.HashData(fingerprint, "mockprocessor/invoice-page/v1"u8);
        _pageKey = new DerivedKey(seed, fingerprint, key);
        return key;
    }

    private static string? Owner(ObjectStore store, string id, string token, out AccountState? state)
    {
        state = store.FindTreeOf(id, "invoice", InvoiceEndpoints.ById);
        if (state is null) return null;
        lock (state.Gate)
            return store.Begin(state).GetInTree<Invoice>(id) is { Deleted: false, HostedToken: { } secret } inv
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(token)) ? inv.AccountId : null;
    }

    private static async Task<IResult> Show(string id, string token, HttpContext http, ObjectStore store, StripeApi api)
    {
        if (Owner(store, id, token, out var state) is not { } owner) return Unknown();
        var redirectStatus = http.Request.Query["redirect_status"].ToString();
        return await api.RunAsCustomer(http, state!, c =>
        {
            var inv = c.Tx.Get<Invoice>(id)!;
            string? error = null;
            if (inv.Status == InvoiceStatus.Open && redirectStatus == "failed" && inv.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { } pi)
                error = pi.LastPaymentError?.Message ?? "We are unable to authenticate your payment method. Please choose a different payment method and try again.";
            return Page(c, inv, error is null ? 200 : 402, error);
        }, owner);
    }

    private static async Task<IResult> Submit(string id, string token, HttpContext http, ObjectStore store, StripeApi api, ILoggerFactory logs)
    {
        if (await HostedPage.ReadForm(http) is not { } form) return Html(400, Message("Unreadable form", "The request body is not a valid form."));
        if (Owner(store, id, token, out var state) is not { } owner) return Unknown();
        var self = http.Request.Path.Value ?? "";
        (IResult Page, string? Log) result;
        try
        {
            result = await api.RunAsCustomer(http, state!, c =>
            {
                var inv = c.Tx.Get<Invoice>(id)!;
                if (inv.Status != InvoiceStatus.Open) return (Page(c, inv, 409, null), (string?)null);
                var (pm, incomplete) = HostedPage.Card(c, form, null);
                if (pm is null) return (Page(c, inv, 400, incomplete), null);
                c = InvoiceEndpoints.AtClock(c, inv);
                var payment = BillingEngine.Attempt(c, inv, pm.Id, automatic: false, returnUrl: $"{inv.PageBaseUrl ?? c.BaseUrl}{self}");
                if (payment.Invoice.Status == InvoiceStatus.Paid) return (Redirect(self), "paid");
                if (payment.Invoice.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { Status: PaymentIntentStatus.RequiresAction } pi)
                    return (Redirect(PaymentIntents.ThreeDSecureFlow.PageUrl(pi)), "requires_action");
                var message = payment.Error?.Message ?? "Your card was declined.";
                return (Page(c, payment.Invoice, 402, message), $"declined ({payment.Error?.DeclineCode ?? payment.Error?.Code})");
            }, owner);
        }
        catch (StripeException ex)
        {
            // A card the API refuses (number, expiry, CVC) keeps nothing: the page comes back with the message.
            return await api.RunAsCustomer(http, state!, c => Page(c, c.Tx.Get<Invoice>(id)!, ex.Error.Status, ex.Error.Message), owner);
        }
        if (result.Log is { } line)
            logs.CreateLogger(typeof(InvoicePage)).LogInformation("Invoice page {Invoice}: {Outcome} ({AccountId})", id, line, owner);
        return result.Page;
    }

    private static string DiscountName(ApiContext c, string discountId) =>
        c.Tx.Get<Discount>(discountId) is { } d && c.Tx.Get<Coupon>(d.Coupon) is { } co
            ? $"{co.Name ?? co.Id} ({(co.PercentOff is { } p ? Discounts.Discounting.Percent(p) + "% off" : "amount off")})"
            : "Discount";

    private static string TaxName(ApiContext c, LineTax t) =>
        c.Tx.Get<TaxRate>(t.TaxRate) is { } r
            ? $"{r.DisplayName} ({Discounts.Discounting.Percent(r.Percentage)}%{(r.Inclusive ? ", included" : "")})"
            : "Tax";

    private static IResult Page(ApiContext c, Invoice inv, int status, string? error)
    {
        var merchant = c.Tx.Get<Account>(inv.AccountId)?.Profile.Name ?? inv.AccountId;
        var b = new StringBuilder();
        string H(string? s) => WebUtility.HtmlEncode(s ?? "");
        var due = InvoiceRules.AmountRemaining(inv);
        b.Append($"<h1>{H(merchant)}</h1><p class=\"number\">Invoice {H(inv.Number ?? inv.Id)}</p>");
        // The customer's tax IDs as the invoice recorded them at finalization (docs/credit-notes.md).
        foreach (var t in inv.CustomerTaxIds ?? [])
            b.Append($"<p class=\"tax-id\">Tax ID ({H(t.Type)}): {H(t.Value)}</p>");
        if (inv.Description is { } d) b.Append($"<p>{H(d)}</p>");
        b.Append("<table class=\"items lines\">");
        foreach (var l in inv.Lines)
            b.Append($"<tr><td>{H(l.Description)}</td><td class=\"num\">{H(Currencies.Display(l.Amount, inv.Currency))}</td></tr>");
        // Discount and tax rows (docs/discounts.md): one per discount and per tax rate, summed over the lines.
        foreach (var off in InvoiceTotals.DiscountsByDiscount(inv.Lines))
            b.Append($"<tr class=\"discount\"><td>{H(DiscountName(c, off.Discount))}</td><td class=\"num\">−{H(Currencies.Display(off.Amount, inv.Currency))}</td></tr>");
        foreach (var t in InvoiceTotals.TaxesByRate(inv.Lines))
            b.Append($"<tr class=\"tax\"><td>{H(TaxName(c, t))}</td><td class=\"num\">{H(Currencies.Display(t.Amount, inv.Currency))}</td></tr>");
        b.Append($"<tr class=\"total\"><td>Total</td><td class=\"num\">{H(Currencies.Display(InvoiceRules.Total(inv), inv.Currency))}</td></tr></table>");
        if (inv.PrePaymentCreditNotesAmount > 0)
            b.Append($"<p class=\"credit-notes\">Credit notes: {H(Currencies.Display(-inv.PrePaymentCreditNotesAmount, inv.Currency))}</p>");
        switch (inv.Status)
        {
            case InvoiceStatus.Open:
                b.Append($"<p class=\"due\" id=\"amount-due\">Amount due {H(Currencies.Display(due, inv.Currency))}");
                if (inv.DueDate is { } dueDate) b.Append($" by {DateTimeOffset.FromUnixTimeSeconds(dueDate):d MMM yyyy}");
                b.Append("</p>");
                if (error is not null) b.Append($"<p class=\"error\" id=\"error\" role=\"alert\">{H(error)}</p>");
                b.Append($"""
                    <form method="post">
                    {HostedPage.CardFields()}
                    <button type="submit" id="pay">Pay</button>
                    </form>
                    """);
                break;
            case InvoiceStatus.Paid:
                b.Append($"<p class=\"paid\" id=\"status\">Paid {H(Currencies.Display(inv.AmountPaid, inv.Currency))}");
                if (inv.PaidAt is { } at) b.Append($" on {DateTimeOffset.FromUnixTimeSeconds(at):d MMM yyyy}");
                b.Append(". Thank you.</p>");
                break;
            default:
                b.Append($"<p id=\"status\">This invoice is {H(inv.Status.ToWire())} and cannot be paid here.</p>");
                break;
        }
        return Html(status, Document($"Invoice {inv.Number ?? inv.Id}", b.ToString()));
    }

    private const string Product = "MockProcessor Invoice";

    private static string Message(string title, string text) => HostedPage.Message(Product, title, text);

    private static string Document(string title, string body) => HostedPage.Document(title, Product, body);

    private static IResult Unknown() => Html(404, Message("No such invoice", "There is no invoice at this address."));

    private static IResult Redirect(string location) => HostedPage.Redirect(location);

    private static IResult Html(int status, string html) => HostedPage.Html(status, html);
}
