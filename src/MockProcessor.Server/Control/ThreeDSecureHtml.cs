using System.Globalization;
using System.Net;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;

namespace MockProcessor.Server.Control;

/// <summary>
/// The 3-D Secure test page's HTML: self-contained (inline style, no scripts, no external assets) so it works
/// offline, in a headless browser and behind any proxy. Every value from a request or a record is HTML-encoded.
/// </summary>
internal static class ThreeDSecureHtml
{
    public const string Title = "MockProcessor 3-D Secure test page";

    /// <summary>The challenge: what is being paid, with a button to complete and one to fail authentication.</summary>
    public static string Challenge(PaymentIntent pi, PaymentMethod? pm, bool embedded = false)
    {
        var embeddedField = embedded ? $"<input type=\"hidden\" name=\"{ThreeDSecurePage.EmbeddedField}\" value=\"1\">" : "";
        var action = Enc($"/_mock/3ds/{pi.Id}");
        var card = pm is null ? "" : $"<p class=\"card\">{Enc(Brand(pm.Card.Brand))} •••• {Enc(pm.Card.Last4)}</p>";
        return Page(Title, $"""
            <p class="amount">{Enc(Amount(pi.Amount, pi.Currency))}</p>
            {card}
            <p>PaymentIntent <code>{Enc(pi.Id)}</code> is waiting for the customer to authenticate.
               This page stands in for the card issuer's challenge.</p>
            <form method="post" action="{action}">
              <input type="hidden" name="client_secret" value="{Enc(pi.ClientSecret)}">{embeddedField}
              <button type="submit" name="outcome" value="complete" class="ok">Complete authentication</button>
              <button type="submit" name="outcome" value="fail" class="fail">Fail authentication</button>
            </form>
            """);
    }

    /// <summary>Shown after the challenge when the PaymentIntent has no return_url to send the customer back to.</summary>
    public static string Result(PaymentIntent pi, string redirectStatus, string? errorMessage)
    {
        var heading = redirectStatus == "succeeded" ? "Authentication complete" : "Authentication failed";
        var error = errorMessage is null ? "" : $"<p class=\"error\">{Enc(errorMessage)}</p>";
        return Page(heading, $"""
            <p class="amount">{Enc(Amount(pi.Amount, pi.Currency))}</p>
            <p>PaymentIntent <code>{Enc(pi.Id)}</code> is now <strong id="status">{Enc(pi.Status.ToWire())}</strong>
               (redirect_status: <code>{Enc(redirectStatus)}</code>).</p>
            {error}
            <p>{(pi.ReturnUrl is null ? "The PaymentIntent has no <code>return_url</code>, so there is nowhere to send you back to. You may close this page." : "You may close this window.")}</p>
            """);
    }

    /// <summary>An error page (unknown PaymentIntent or wrong client_secret, not awaiting authentication, bad form).</summary>
    public static string Error(string heading, string message) =>
        Page(heading, $"<p class=\"error\">{Enc(message)}</p>");

    /// <summary>"20.00 USD", "500 JPY": the amount in the currency's major unit, as a customer would read it.</summary>
    public static string Amount(long minor, string currency)
    {
        var exponent = Currencies.Exponent(currency);
        var major = minor / (decimal)Math.Pow(10, exponent);
        return major.ToString("N" + exponent, CultureInfo.InvariantCulture) + " " + currency.ToUpperInvariant();
    }

    private static string Brand(string brand) => brand switch
    {
        "amex" => "American Express", "diners" => "Diners Club", "jcb" => "JCB", "unionpay" => "UnionPay",
        "mastercard" => "Mastercard", "visa" => "Visa", "discover" => "Discover",
        _ => brand,
    };

    internal static string Enc(string s) => WebUtility.HtmlEncode(s);

    internal static string Page(string heading, string body, string title = Title, string footer = "test mode; no real bank is contacted.") => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>{{Enc(title)}}</title>
        <style>
          body { font-family: system-ui, sans-serif; background: #f6f8fa; color: #1a1f36; margin: 0; }
          main { max-width: 28rem; margin: 3rem auto; background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 1.5rem 2rem; }
          h1 { font-size: 1.2rem; } .amount { font-size: 1.6rem; font-weight: 600; margin: .5rem 0; }
          .card { color: #4f566b; } .error { color: #b42318; } code { font-size: .9em; }
          form { display: flex; gap: .75rem; margin-top: 1.5rem; }
          button { flex: 1; padding: .7rem; border-radius: 6px; border: 1px solid transparent; font-size: 1rem; cursor: pointer; }
          .ok { background: #1a7f37; color: #fff; } .fail { background: #fff; color: #b42318; border-color: #b42318; }
          footer { color: #6a737d; font-size: .8rem; margin-top: 1.5rem; }
        </style>
        </head>
        <body>
        <main>
        <h1>{{Enc(heading)}}</h1>
        {{body}}
        <footer>{{Enc(title)}} — {{Enc(footer)}}</footer>
        </main>
        </body>
        </html>
        """;
}
