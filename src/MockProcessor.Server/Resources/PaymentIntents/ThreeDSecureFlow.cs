using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.SetupIntents;
using MockProcessor.Server.Resources.Charges;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.SetupIntents;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.PaymentIntents;

/// <summary>
/// The server's half of 3-D Secure (docs/three-d-secure.md), for PaymentIntents and SetupIntents alike. The domain
/// decides when a challenge is needed and what completing it does (<see cref="PaymentIntentRules.Authenticate"/>,
/// <see cref="SetupIntentRules.Authenticate"/>); this stamps the challenge page's address on a new
/// <c>next_action</c>, renders it, and runs a completion for both callers: the HTML test page a customer's browser
/// posts to, and the control API tests call with the merchant's key.
/// </summary>
public static class ThreeDSecureFlow
{
    public const string PagePath = "/_mock/3ds/";

    /// <summary>
    /// The challenge page of an intent awaiting action. Absolute when the confirming request's address was
    /// recorded (always, since it exists); relative for rows stored before then.
    /// </summary>
    public static string PageUrl(PaymentIntent pi) => PageUrl(pi.NextAction, pi.Id, pi.ClientSecret);

    public static string PageUrl(SetupIntent si) => PageUrl(si.NextAction, si.Id, si.ClientSecret);

    private static string PageUrl(NextAction? action, string id, string clientSecret) =>
        $"{action?.PageBaseUrl}{PagePath}{id}?client_secret={Uri.EscapeDataString(clientSecret)}";

    /// <summary>
    /// A change that asks the customer to authenticate records where the emulator was reached, so the
    /// confirm response, later retrieves and the <c>*.requires_action</c> event all show the
    /// same absolute URL (rendering has no request to ask; webhooks are rendered with none at all).
    /// </summary>
    public static PaymentIntentChange WithPageUrl(ApiContext c, PaymentIntentChange change) =>
        Stamped(c, change.PaymentIntent.NextAction) is { } action
            ? change with { PaymentIntent = change.PaymentIntent with { NextAction = action } }
            : change;

    public static SetupIntentChange WithPageUrl(ApiContext c, SetupIntentChange change) =>
        Stamped(c, change.SetupIntent.NextAction) is { } action
            ? change with { SetupIntent = change.SetupIntent with { NextAction = action } }
            : change;

    private static NextAction? Stamped(ApiContext c, NextAction? action) =>
        action is { PageBaseUrl: null } && c.BaseUrl is { } baseUrl ? action with { PageBaseUrl = baseUrl } : null;

    /// <summary>
    /// The 3-D Secure step on the wire. Server-side confirms with a <c>return_url</c> get a redirect to the emulator's
    /// own challenge page; stripe.js-style confirms get an opaque <c>use_stripe_sdk</c> payload.
    /// Deviation: Stripe's URLs are https://hooks.stripe.com/...; ours is the emulator's test page at the
    /// address the confirm request used (docs/three-d-secure.md).
    /// </summary>
    public static JsonObject? RenderNextAction(NextAction? action, string pageUrl, string? paymentMethod) => action switch
    {
        null => null,
        { Type: NextActionType.RedirectToUrl } a => new JsonObject
        {
            ["redirect_to_url"] = new JsonObject { ["return_url"] = a.ReturnUrl, ["url"] = pageUrl },
            ["type"] = "redirect_to_url",
        },
        _ => new JsonObject
        {
            ["type"] = "use_stripe_sdk",
            ["use_stripe_sdk"] = new JsonObject
            {
                ["type"] = "three_d_secure_redirect", ["stripe_js"] = pageUrl, ["source"] = paymentMethod,
            },
        },
    };

    /// <summary>
    /// What the challenge page needs of an intent of either kind: what is shown, the credential, and how the
    /// customer is sent back (<c>payment_intent=…&amp;payment_intent_client_secret=…</c>, or <c>setup_intent…</c>).
    /// </summary>
    public sealed record Challenge(
        string Id, string Kind, string ReturnParam, string ClientSecret, string Status, bool AwaitingAction,
        long? Amount, string? Currency, string? PaymentMethod, string? ReturnUrl, string? LastError);

    public static Challenge? ChallengeOf(StripeObject? intent) => intent switch
    {
        PaymentIntent pi => new(pi.Id, "PaymentIntent", "payment_intent", pi.ClientSecret, pi.Status.ToWire(),
            pi.Status is PaymentIntentStatus.RequiresAction, pi.Amount, pi.Currency, pi.PaymentMethod, pi.ReturnUrl, pi.LastPaymentError?.Message),
        SetupIntent si => new(si.Id, "SetupIntent", "setup_intent", si.ClientSecret, si.Status.ToWire(),
            si.Status is SetupIntentStatus.RequiresAction, null, null, si.PaymentMethod, si.ReturnUrl, si.LastSetupError?.Message),
        _ => null,
    };

    /// <summary>
    /// Runs the customer's answer to the challenge of a PaymentIntent or SetupIntent: the intent afterwards, and the
    /// decline when the issuer refused after authentication.
    /// </summary>
    public static (Challenge After, StripeError? Error) Complete(ApiContext c, StripeObject intent, bool succeeded)
    {
        switch (intent)
        {
            case PaymentIntent pi:
                var payment = Authenticate(c, pi, succeeded);
                return (ChallengeOf(payment.PaymentIntent)!, payment.Error);
            case SetupIntent si:
                var setup = SetupIntentEndpoints.Authenticate(c, si, succeeded);
                return (ChallengeOf(setup.SetupIntent)!, setup.Error);
            default:
                throw new ArgumentException($"{intent.Id} is not an intent that can be authenticated.", nameof(intent));
        }
    }

    /// <summary>
    /// The customer completed (<paramref name="succeeded"/>) or failed the challenge of <paramref name="pi"/>.
    /// Stores the outcome with its events; a decline after authentication comes back as the change's
    /// <c>Error</c> (its failed charge is kept). A PaymentIntent not in requires_action throws Stripe's
    /// <c>payment_intent_unexpected_state</c>.
    /// </summary>
    public static PaymentIntentChange Authenticate(ApiContext c, PaymentIntent pi, bool succeeded)
    {
        if (PaymentIntentRules.Guard(pi, PaymentIntentAction.Authenticate) is { } unexpected) throw new StripeException(unexpected);
        var (pm, card) = PaymentMethodOf(c, pi.Id, pi.PaymentMethod);
        var outcome = PaymentIntentRules.Authenticate(pi, pm, card, succeeded, c.Now, c.Ids, ChargeEndpoints.AccountCountry,
            NetworkRuleBook.WithRules(c, new ConfirmOptions(), pi));
        if (outcome.IsError) throw new StripeException(outcome.Error!);
        var change = outcome.Value;
        Changes.Apply(c, change);
        SaveForFutureUsage(c, change, pm);
        // A Checkout Session's payment completes its session once authenticated (docs/checkout.md).
        Checkout.CheckoutFlow.AfterAuthentication(c, change.PaymentIntent);
        // An invoice's PaymentIntent that went through pays its invoice (docs/billing.md).
        Billing.BillingEngine.AfterAuthentication(c, change.PaymentIntent);
        return change;
    }

    /// <summary>The payment method an intent in requires_action is authenticating, with its test-card behaviour.</summary>
    internal static (PaymentMethod Pm, Domain.CardNetwork.TestCard Card) PaymentMethodOf(ApiContext c, string intentId, string? pmId)
    {
        var pm = (pmId is { } id ? c.Tx.Get<PaymentMethod>(id) : null)
            ?? throw new InvalidOperationException($"{intentId} awaits authentication without a payment method.");
        var card = c.Service<TestCards>().Resolve(pm.Card.TestCardKey)
            ?? throw new InvalidOperationException($"{pm.Id} refers to unknown test card {pm.Card.TestCardKey}.");
        return (pm, card);
    }

    /// <summary>
    /// <c>setup_future_usage</c> saves the card on the customer once the payment went through; <c>off_session</c> also
    /// records that the customer authenticated it for later merchant-initiated payments (STRIPE_BEHAVIOR §11.6).
    /// </summary>
    public static void SaveForFutureUsage(ApiContext c, PaymentIntentChange change, PaymentMethod? pm)
    {
        var after = change.PaymentIntent;
        if (change.Error is not null || after.SetupFutureUsage is null || pm is null
            || after.Status is not (PaymentIntentStatus.Succeeded or PaymentIntentStatus.RequiresCapture)) return;
        var attach = after.Customer is not null && pm.Customer is null;
        var saved = pm with
        {
            Customer = attach ? after.Customer : pm.Customer,
            SetUpForOffSession = pm.SetUpForOffSession || after.SetupFutureUsage is SetupFutureUsage.OffSession,
        };
        if (saved == pm) return;
        c.Tx.Put(saved);
        if (attach) c.Emit("payment_method.attached", saved);
    }
}
