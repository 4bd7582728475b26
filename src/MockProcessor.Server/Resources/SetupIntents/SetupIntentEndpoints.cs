using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.SetupIntents;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.SetupIntents;

/// <summary>
/// /v1/setup_intents (docs/setup-intents.md). Retrieve and confirm also answer a publishable key with the client
/// secret, as Stripe.js's <c>confirmCardSetup</c>/<c>retrieveSetupIntent</c> call them.
/// Not emulated: verify_microdeposits (bank debits), setup_attempts (latest_attempt stays null).
/// </summary>
public static class SetupIntentEndpoints
{
    /// <summary>SetupIntents awaiting 3-D Secure, found by id from the authentication page, which has no API key.</summary>
    public static readonly Storage.LookupIndex<SetupIntent> AwaitingAction =
        new("setup_intent", "awaiting_action", si => si.Status is SetupIntentStatus.RequiresAction ? si.Id : null);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/setup_intents", "setup_intent", Create)
            { Params = "allowed_payment_method_types attach_to_self automatic_payment_methods confirm confirmation_token customer description excluded_payment_method_types flow_directions mandate_data metadata payment_method payment_method_data payment_method_options payment_method_types return_url single_use usage use_stripe_sdk" },
        new("GET", "/v1/setup_intents", "list:setup_intent", List) { Params = "attach_to_self created customer ending_before limit payment_method starting_after" },
        new("GET", "/v1/setup_intents/{id}", "setup_intent", Retrieve, AllowPublishable: true) { Params = "client_secret" },
        new("POST", "/v1/setup_intents/{id}", "setup_intent", Update)
            { Params = "allowed_payment_method_types attach_to_self customer description excluded_payment_method_types flow_directions metadata payment_method payment_method_data payment_method_options payment_method_types" },
        new("POST", "/v1/setup_intents/{id}/confirm", "setup_intent", Confirm, AllowPublishable: true)
            { Params = "allowed_payment_method_types client_secret confirmation_token mandate_data payment_method payment_method_data payment_method_options return_url use_stripe_sdk" },
        new("POST", "/v1/setup_intents/{id}/cancel", "setup_intent", Cancel) { Params = "cancellation_reason" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var confirm = p.Bool("confirm") ?? false;
        var cmd = SetupIntentForm.ReadCreate(p, c.Version, confirm);
        var confirmParams = SetupIntentForm.ReadConfirm(c, p, readPaymentMethod: false);
        if (cmd.Customer is not null) PaymentIntentEndpoints.LoadCustomer(c, cmd.Customer, "customer");
        // A catalogue alias or payment_method_data becomes a real pm_ before the SetupIntent refers to it.
        if (confirmParams.Token is not null && !confirm)
            throw new StripeException(StripeError.InvalidValue("confirmation_token", "You can only pass confirmation_token when confirm=true."), beforeExecution: true);
        var pmId = confirmParams.PaymentMethodId ?? cmd.PaymentMethod;
        if (confirmParams.Token is not null && cmd.PaymentMethod is not null)
            throw new StripeException(StripeError.ParametersExclusive("confirmation_token", "payment_method"), beforeExecution: true);
        var pm = confirmParams.NewPaymentMethod ?? (pmId is { } id ? PaymentMethodEndpoints.Resolve(c, id, "payment_method") : null);
        if (confirmParams.NewPaymentMethod is not null) c.Tx.Put(confirmParams.NewPaymentMethod);
        var created = SetupIntentRules.Create(cmd with { PaymentMethod = pm?.Id, ReturnUrl = cmd.ReturnUrl ?? confirmParams.Options.ReturnUrl },
            c.Account.Id, c.Now, c.Ids);
        Apply(c, created, null);
        if (confirmParams.Token is { } token) ConfirmationTokens.ConfirmationTokenEndpoints.MarkUsed(c, token, setupIntent: created.SetupIntent.Id);
        return confirm ? RunConfirm(c, created.SetupIntent, pm, confirmParams.Options) : c.Respond(created.SetupIntent);
    }

    private static ApiResult Retrieve(ApiContext c)
    {
        var si = c.Load<SetupIntent>(c.Route("id"), "setup_intent");
        var secret = c.P.String("client_secret");
        if (c.Publishable) RequireClientSecret(si, secret);
        return c.Respond(si);
    }

    /// <summary>A publishable key sees a SetupIntent only with its client secret, as Stripe.js does.</summary>
    private static void RequireClientSecret(SetupIntent si, string? secret)
    {
        if (secret is null) throw new StripeException(StripeError.ParameterMissing("client_secret"), beforeExecution: true);
        if (secret != si.ClientSecret)
            throw new StripeException(StripeError.InvalidValue("client_secret",
                "The client_secret provided does not match the client_secret associated with the SetupIntent."));
    }

    private static ApiResult Update(ApiContext c)
    {
        var si = c.Load<SetupIntent>(c.Route("id"), "setup_intent");
        var cmd = SetupIntentForm.ReadUpdate(c.P, si);
        var pmId = c.P.String("payment_method");
        var data = c.P.Object("payment_method_data") is { } d ? PaymentMethodEndpoints.FromData(c, d) : null;
        if (pmId is not null && data is not null)
            throw new StripeException(StripeError.ParametersExclusive("payment_method", "payment_method_data"), beforeExecution: true);
        if (cmd.Customer is not null) PaymentIntentEndpoints.LoadCustomer(c, cmd.Customer, "customer");
        if (data is not null) c.Tx.Put(data);
        var pm = data ?? (pmId is not null ? PaymentMethodEndpoints.Resolve(c, pmId, "payment_method") : null);
        var change = Decide(SetupIntentRules.Update(si, cmd with { PaymentMethod = pm?.Id }));
        Apply(c, change, null);
        return c.Respond(change.SetupIntent);
    }

    private static ApiResult Confirm(ApiContext c)
    {
        var si = c.Load<SetupIntent>(c.Route("id"), "setup_intent");
        var secret = c.P.String("client_secret");
        if (c.Publishable) RequireClientSecret(si, secret);
        var confirmParams = SetupIntentForm.ReadConfirm(c, c.P, readPaymentMethod: true);
        if (c.P.StringList("allowed_payment_method_types") is { } allowed)
            si = allowed.Contains("card")
                ? si with { PaymentMethodTypes = ["card"], AllowedPaymentMethodTypes = allowed, AutomaticPaymentMethods = null }
                : throw new StripeException(StripeError.NoUsablePaymentMethodTypes("allowed_payment_method_types"), beforeExecution: true);
        if (SetupIntentForm.ReadRequestThreeDSecure(c.P) is { } rts) si = si with { RequestThreeDSecure = rts };
        // A card needs no mandate: Stripe.js's customer acceptance is accepted and not kept.
        c.P.Accept("mandate_data");
        var pm = confirmParams.NewPaymentMethod;
        if (pm is not null) c.Tx.Put(pm);
        else if (confirmParams.PaymentMethodId is { } id) pm = PaymentMethodEndpoints.Resolve(c, id, "payment_method");
        else if (si.PaymentMethod is { } current) pm = c.Tx.Get<PaymentMethod>(current);
        if (confirmParams.Token is { } token) ConfirmationTokens.ConfirmationTokenEndpoints.MarkUsed(c, token, setupIntent: si.Id);
        return RunConfirm(c, si, pm, confirmParams.Options);
    }

    /// <summary>One verification of the card; a decline keeps the SetupIntent's last_setup_error and event, then answers 402.</summary>
    private static ApiResult RunConfirm(ApiContext c, SetupIntent si, PaymentMethod? pm, SetupConfirmOptions options)
    {
        var change = ConfirmAttempt(c, si, pm, options);
        return change.Error is { } error ? ApiResult.Fail(error) : c.Respond(change.SetupIntent);
    }

    /// <summary>One confirmation of the card, stored with its events; shared with Checkout's setup mode.</summary>
    internal static SetupIntentChange ConfirmAttempt(ApiContext c, SetupIntent si, PaymentMethod? pm, SetupConfirmOptions options)
    {
        var card = pm is null ? null : c.Service<TestCards>().Resolve(pm.Card.TestCardKey);
        var change = ThreeDSecureFlow.WithPageUrl(c, Decide(SetupIntentRules.Confirm(si, pm, card, options)));
        Apply(c, change, pm);
        return change;
    }

    /// <summary>Creates and stores a SetupIntent (with <c>setup_intent.created</c>); Checkout's setup mode creates its own.</summary>
    internal static SetupIntent CreateFor(ApiContext c, CreateSetupIntent cmd)
    {
        var created = SetupIntentRules.Create(cmd, c.Account.Id, c.Now, c.Ids);
        Apply(c, created, null);
        return created.SetupIntent;
    }

    /// <summary>
    /// The customer answered the 3-D Secure challenge (the test page or the control call). A SetupIntent not in
    /// requires_action throws Stripe's <c>setup_intent_unexpected_state</c>.
    /// </summary>
    internal static SetupIntentChange Authenticate(ApiContext c, SetupIntent si, bool succeeded)
    {
        if (SetupIntentRules.Guard(si, SetupIntentAction.Authenticate) is { } unexpected) throw new StripeException(unexpected);
        var (pm, card) = ThreeDSecureFlow.PaymentMethodOf(c, si.Id, si.PaymentMethod);
        var change = Decide(SetupIntentRules.Authenticate(si, pm, card, succeeded));
        Apply(c, change, pm);
        // A setup-mode Checkout Session completes once its SetupIntent is authenticated (docs/checkout.md).
        Checkout.CheckoutFlow.AfterAuthentication(c, change.SetupIntent);
        return change;
    }

    private static ApiResult Cancel(ApiContext c)
    {
        var si = c.Load<SetupIntent>(c.Route("id"), "setup_intent");
        var reason = c.P.Enum("cancellation_reason", [.. SetupIntentRules.UserCancellationReasons]);
        var change = Decide(SetupIntentRules.Cancel(si, reason));
        Apply(c, change, null);
        return c.Respond(change.SetupIntent);
    }

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var customer = c.P.String("customer");
        var paymentMethod = c.P.String("payment_method");
        var attachToSelf = c.P.Bool("attach_to_self");
        var (page, more) = Lists.Page(c.Tx.NewestFirst<SetupIntent>("setup_intent"), lp,
            si => (customer is null || si.Customer == customer) && (paymentMethod is null || si.PaymentMethod == paymentMethod)
                && (attachToSelf is null || (si.AttachToSelf ?? false) == attachToSelf),
            "setup_intent");
        return Lists.Render(page, more, "/v1/setup_intents", c.Render, c.Expand);
    }

    /// <summary>
    /// Stores a decision with its events. A set-up card is saved first (<c>payment_method.attached</c> before
    /// <c>setup_intent.succeeded</c>): attached to the SetupIntent's customer, and with <c>usage=off_session</c> marked
    /// as authenticated for later merchant-initiated payments.
    /// </summary>
    private static void Apply(ApiContext c, SetupIntentChange change, PaymentMethod? pm)
    {
        var si = change.SetupIntent;
        c.Tx.Put(si);
        if (change.Saved && pm is not null)
        {
            var current = c.Tx.Get<PaymentMethod>(pm.Id) ?? pm;
            var attach = si.Customer is not null && current.Customer is null;
            var saved = current with
            {
                Customer = attach ? si.Customer : current.Customer,
                SetUpForOffSession = current.SetUpForOffSession || si.Usage is SetupIntentUsage.OffSession,
            };
            if (saved != current) c.Tx.Put(saved);
            if (attach) c.Emit("payment_method.attached", saved);
        }
        foreach (var type in change.Events) c.Emit(type, si);
    }

    private static SetupIntentChange Decide(Outcome<SetupIntentChange> outcome) =>
        outcome.IsError ? throw new StripeException(outcome.Error!) : outcome.Value;
}
