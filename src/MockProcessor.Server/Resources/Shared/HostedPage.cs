using System.Net;
using Microsoft.AspNetCore.Http;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Control;
using MockProcessor.Server.Resources.Checkout;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Shared;

/// <summary>
/// What the emulator's hosted pages share (Checkout, the hosted invoice page, the customer portal): one self-contained
/// HTML shell (inline style, no scripts, nothing loaded from elsewhere), the card fields, reading the posted form, and
/// turning the typed card into a PaymentMethod through the API's card checks (<see cref="CheckoutCard"/>; no number kept).
/// </summary>
public static class HostedPage
{
    public static string Enc(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>The card inputs (number, expiry, CVC, name); the expiry and name typed before are shown again, never the number or CVC.</summary>
    public static string CardFields(string? expiry = null, string? name = null) => $"""
          <label>Card number<input name="number" id="number" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required></label>
          <div class="row">
            <label>Expiry<input name="expiry" id="expiry" autocomplete="cc-exp" placeholder="MM / YY" required value="{Enc(expiry)}"></label>
            <label>CVC<input name="cvc" id="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="123"></label>
          </div>
          <label>Name on card<input name="name" id="name" autocomplete="cc-name" value="{Enc(name)}"></label>
        """;

    /// <summary>The posted form, or null when the body is not a readable form.</summary>
    public static async Task<IFormCollection?> ReadForm(HttpContext http)
    {
        try { return http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null; }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException) { return null; }
    }

    /// <summary>A trimmed field of <paramref name="form"/>, null when empty.</summary>
    public static string? Field(IFormCollection form, string name) => form[name].ToString() is { Length: > 0 } v ? v.Trim() : null;

    /// <summary>
    /// The card of the form's fields as a new PaymentMethod, or the message to show when a field is incomplete. A card
    /// the API refuses (number, expiry, CVC) throws its <see cref="StripeException"/>, and the caller's unit of work keeps nothing.
    /// </summary>
    public static (PaymentMethod? Card, string? Error) Card(ApiContext c, IFormCollection form, string? email)
    {
        var (month, year) = CheckoutCard.SplitExpiry(Field(form, "expiry") ?? "");
        if (Field(form, "number") is not { } number) return (null, "Your card number is incomplete.");
        if (month.Length == 0 || year.Length == 0) return (null, "Your card's expiration date is incomplete.");
        return (CheckoutCard.FromFields(c, number, month, year, Field(form, "cvc"), email, Field(form, "name")), null);
    }

    /// <summary>A form may only be posted from the emulator's own pages: a browser's <c>Origin</c>, when sent, must be this host.</summary>
    public static bool SameOrigin(HttpContext http) => Dashboard.DashboardActions.SameOrigin(http);

    public static IResult Html(int status, string html) => ThreeDSecurePage.Respond(status, html, null);

    public static IResult Redirect(string location) => ThreeDSecurePage.Respond(303, null, location);

    /// <summary>A page that only says something (unknown link, expired session, bad request).</summary>
    public static string Message(string product, string heading, string message) =>
        Document(heading, product, $"<h1>{Enc(heading)}</h1><p class=\"error\">{Enc(message)}</p>");

    public static string Document(string title, string product, string body) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>{{Enc(title)}} · {{Enc(product)}}</title>
        <style>
          body { font-family: system-ui, sans-serif; background: #f6f8fa; color: #1a1f36; margin: 0; }
          main { max-width: 30rem; margin: 2.5rem auto; background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 1.5rem 2rem; }
          h1 { font-size: 1.3rem; margin: .25rem 0 1rem; } h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
          .muted { color: #6a737d; font-size: .9rem; } .small { font-size: .8rem; }
          table.items { width: 100%; border-collapse: collapse; margin-bottom: 1.25rem; }
          .items td { padding: .5rem 0; border-bottom: 1px solid #eaeef2; vertical-align: top; } .num { text-align: right; white-space: nowrap; }
          .total td { font-weight: 600; font-size: 1.1rem; border-bottom: 0; }
          .due { font-size: 1.2rem; font-weight: 600; } .paid, .notice { color: #0a7d43; font-weight: 600; }
          label { display: block; font-size: .85rem; color: #4f566b; margin-bottom: .75rem; }
          input, select { display: block; width: 100%; box-sizing: border-box; margin-top: .25rem; padding: .6rem; font-size: 1rem; border: 1px solid #cfd7df; border-radius: 6px; }
          .row { display: flex; gap: .75rem; } .row label { flex: 1; }
          button { width: 100%; padding: .8rem; border: 0; border-radius: 6px; background: #635bff; color: #fff; font-size: 1rem; font-weight: 600; cursor: pointer; }
          button.secondary { background: #fff; color: #b42318; border: 1px solid #d8dee4; margin-top: .5rem; }
          code { word-break: break-all; } .error { color: #b42318; } a.back { color: #4f566b; text-decoration: none; font-size: .9rem; }
          section { border-top: 1px solid #eaeef2; margin-top: 1rem; }
          footer { color: #6a737d; font-size: .8rem; margin-top: 1.5rem; }
        </style>
        </head>
        <body>
        <main>
        {{body}}
        <footer>{{Enc(product)}} — test mode; no real bank is contacted.</footer>
        </main>
        </body>
        </html>
        """;
}
