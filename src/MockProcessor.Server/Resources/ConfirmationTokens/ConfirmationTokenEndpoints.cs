using MockProcessor.Domain.ConfirmationTokens;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.ConfirmationTokens;

/// <summary>
/// ConfirmationTokens (docs/stripe-js.md): Stripe.js creates them with the publishable key
/// (<c>POST /v1/confirmation_tokens</c>, what <c>stripe.createConfirmationToken</c> sends); a server test creates them
/// with <c>POST /v1/test_helpers/confirmation_tokens</c> from a saved payment method or a test card alias; the merchant
/// retrieves them with its secret key and confirms an intent with <c>confirmation_token</c>.
/// </summary>
public static class ConfirmationTokenEndpoints
{
    private const string CreateParams = "mandate_data payment_method payment_method_data payment_method_options return_url setup_future_usage shipping";

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/confirmation_tokens", "confirmation_token", Create, AllowPublishable: true) { Params = CreateParams + " client_context" },
        new("POST", "/v1/test_helpers/confirmation_tokens", "confirmation_token", Create) { Params = CreateParams },
        new("GET", "/v1/confirmation_tokens/{id}", "confirmation_token", Retrieve) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var pmId = p.String("payment_method");
        var data = p.Object("payment_method_data");
        if (pmId is not null && data is not null)
            throw new StripeException(StripeError.ParametersExclusive("payment_method", "payment_method_data"), beforeExecution: true);
        var returnUrl = p.String("return_url", 2048);
        var sfu = p.Enum<SetupFutureUsage>("setup_future_usage");
        var shipping = p.Object("shipping") is { } s
            ? new ShippingDetails(AddressForm.Read(s.Object("address")), s.RequiredString("name", 5000), s.String("phone", 5000))
            : null;
        // What the Payment Element knows of the intent it was set up for, and the customer's online acceptance: not used here.
        if (p.Has("client_context")) p.Accept("client_context"); // Stripe.js's route only
        p.Accept("mandate_data");
        p.Accept("payment_method_options");
        PaymentMethod pm;
        if (data is not null)
        {
            pm = PaymentMethodEndpoints.FromData(c, data);
            c.Tx.Put(pm);
        }
        else if (pmId is not null) pm = PaymentMethodEndpoints.Resolve(c, pmId, "payment_method");
        else throw new StripeException(StripeError.ParameterMissing("payment_method_data"), beforeExecution: true);
        var token = new ConfirmationToken
        {
            Id = c.Ids.Next("ctoken"), AccountId = c.Account.Id, Created = c.Now, ExpiresAt = c.Now + ConfirmationToken.Lifetime,
            PaymentMethod = pm.Id, ReturnUrl = returnUrl, SetupFutureUsage = sfu, Shipping = shipping,
            UseStripeSdk = c.Publishable,
        };
        c.Tx.Put(token);
        return c.Respond(token);
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<ConfirmationToken>(c.Route("id"), "confirmation_token"));

    /// <summary>
    /// The token a confirmation names (<paramref name="param"/>), checked: it exists, has not expired and was not used.
    /// The caller records the use with <see cref="MarkUsed"/> once the intent is known.
    /// </summary>
    public static ConfirmationToken Redeem(ApiContext c, string id, string param)
    {
        var token = c.Load<ConfirmationToken>(id, "confirmation_token", param);
        if (token.Used)
            throw new StripeException(StripeError.InvalidValue(param,
                $"ConfirmationToken {id} has already been used to confirm a PaymentIntent or SetupIntent; create a new one."), beforeExecution: true);
        if (c.Now >= token.ExpiresAt)
            throw new StripeException(StripeError.InvalidValue(param,
                $"ConfirmationToken {id} has expired; create a new one."), beforeExecution: true);
        return token;
    }

    public static void MarkUsed(ApiContext c, ConfirmationToken token, string? paymentIntent = null, string? setupIntent = null) =>
        c.Tx.Put(token with { PaymentIntent = paymentIntent, SetupIntent = setupIntent });
}
