using System.Net;
using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Control;

namespace MockProcessor.Server.Resources.Checkout;

/// <summary>
/// The hosted Checkout page's HTML: self-contained (inline style, no scripts, nothing loaded from elsewhere), every value
/// from a request or a record HTML-encoded. It shows the merchant, the line items and total, and a card form.
/// </summary>
internal static class CheckoutHtml
{
    public const string Title = "MockProcessor Checkout";

    /// <summary>What a line shows: its description, quantity and amount, with the price's unit amount.</summary>
    public sealed record Line(CheckoutLineItem Item, Price? Price);

    /// <summary>A form value the customer typed, shown again after an error (never the card number or CVC).</summary>
    public sealed record Entered(string? Email, string? Name, string? Expiry);

    public static string Form(CheckoutSession s, string merchant, IReadOnlyList<Line> lines, bool askEmail, string? error, Entered entered,
        string? discountLabel = null)
    {
        var items = string.Concat(lines.Select(l => $"""
            <tr><td>{Enc(l.Item.Description)}<div class="muted">Qty {l.Item.Quantity}{Each(l)}{Every(l)}</div></td>
                <td class="num">{Enc(ThreeDSecureHtml.Amount(l.Item.AmountSubtotal, l.Item.Currency))}</td></tr>
            """));
        if (s.AmountDiscount > 0)
            items += $"""<tr id="discount"><td>{Enc(discountLabel ?? "Discount")}</td><td class="num">−{Enc(ThreeDSecureHtml.Amount(s.AmountDiscount, s.Currency ?? "usd"))}</td></tr>""";
        var summary = s.Mode == CheckoutMode.Setup
            ? "<p class=\"muted\">Save a card for future payments. You will not be charged now.</p>"
            : $"""
              <table class="items">{items}
              <tr class="total"><td>Total due</td><td class="num" id="total">{Enc(ThreeDSecureHtml.Amount(s.AmountTotal ?? 0, s.Currency ?? "usd"))}</td></tr></table>
              """;
        var trialDays = s.Mode == CheckoutMode.Subscription ? s.SubscriptionData?.TrialPeriodDays : null;
        if (trialDays is > 0)
            summary += $"""<p class="muted" id="trial">{trialDays} days free, then billed each period as listed above.</p>""";
        var email = askEmail
            ? $"""<label>Email<input name="email" type="email" autocomplete="email" required value="{Enc(entered.Email ?? s.CustomerDetails?.Email ?? "")}"></label>"""
            : $"""<p class="muted">Paying as {Enc(s.CustomerDetails?.Email ?? s.Customer ?? "")}</p>""";
        var errorHtml = error is null ? "" : $"""<p class="error" id="error" role="alert">{Enc(error)}</p>""";
        var button = s.Mode switch
        {
            CheckoutMode.Setup => "Save card",
            CheckoutMode.Subscription => trialDays is > 0 ? "Start trial" : "Subscribe",
            _ => $"Pay {ThreeDSecureHtml.Amount(s.AmountTotal ?? 0, s.Currency ?? "usd")}",
        };
        // allow_promotion_codes: a code box until a discount is applied (its own form, so no card field is needed).
        var promo = s.AllowPromotionCodes == true && s.Mode != CheckoutMode.Setup && s.Discounts.Count == 0
            ? $"""
              <form method="post" action="{Enc(CheckoutPage.PathPrefix + s.Id)}" id="promo" class="row">
                <label>Promotion code<input name="promotion_code" autocomplete="off"></label>
                <button type="submit" id="apply" name="apply" value="1" style="width:auto;align-self:center">Apply</button>
              </form>
              """ : "";
        var cancel = s.CancelUrl is { } url ? $"""<p><a class="back" id="cancel" href="{Enc(url)}">← Cancel and return to {Enc(merchant)}</a></p>""" : "";
        return Page(merchant, $"""
            {cancel}
            <h1>{Enc(merchant)}</h1>
            {summary}
            {promo}
            <form method="post" action="{Enc(CheckoutPage.PathPrefix + s.Id)}" autocomplete="on">
              {email}
              {Shared.HostedPage.CardFields(entered.Expiry, entered.Name)}
              {errorHtml}
              <button type="submit" id="submit">{Enc(button)}</button>
            </form>
            <p class="muted small">Session <code>{Enc(s.Id)}</code>. Use a test card such as 4242 4242 4242 4242 with any future expiry.</p>
            """);
    }

    private static string Each(Line l) =>
        l.Item.Quantity > 1 && l.Price?.UnitAmount is { } unit && PriceRules.Whole(unit) is { } whole
            ? $" × {Enc(ThreeDSecureHtml.Amount(whole, l.Item.Currency))}" : "";

    /// <summary>A recurring line's billing period ("/ month", "/ 3 months").</summary>
    private static string Every(Line l) => l.Price?.Recurring is not { } r ? ""
        : r.IntervalCount == 1 ? $" / {r.Interval.ToWire()}" : $" / {r.IntervalCount} {r.Interval.ToWire()}s";

    /// <summary>A session that cannot be paid (unknown, expired, complete) or a bad request: a readable page, no stack trace.</summary>
    public static string Message(string heading, string message) =>
        Page(heading, $"<h1>{Enc(heading)}</h1><p class=\"error\">{Enc(message)}</p>");

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private static string Page(string title, string body) => Shared.HostedPage.Document(title, Title, body);
}
