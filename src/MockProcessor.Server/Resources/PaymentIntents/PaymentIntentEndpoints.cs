using MockProcessor.Server.Storage;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Search;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.PaymentIntents;

public static class PaymentIntentEndpoints
{
    public static readonly SecondaryIndex<PaymentIntent> ByCustomer = new("payment_intent", "customer", pi => pi.Customer);

    /// <summary>Intents awaiting 3-D Secure, found by id from the authentication page, which has no API key.</summary>
    public static readonly LookupIndex<PaymentIntent> AwaitingAction =
        new("payment_intent", "awaiting_action", pi => pi.Status is PaymentIntentStatus.RequiresAction ? pi.Id : null);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/payment_intents", "payment_intent", Create)
            { Params = "allowed_payment_method_types amount application_fee_amount automatic_payment_methods capture_method confirm confirmation_method currency confirmation_token customer description error_on_requires_action excluded_payment_method_types mandate_data metadata off_session on_behalf_of payment_method payment_method_data payment_method_options payment_method_types radar_options receipt_email return_url setup_future_usage statement_descriptor statement_descriptor_suffix transfer_data transfer_group use_stripe_sdk" },
        new("GET", "/v1/payment_intents", "list:payment_intent", List) { Params = "created customer ending_before limit starting_after" },
        new("GET", "/v1/payment_intents/search", "search:payment_intent", Search) { Params = "limit page query" },
        new("GET", "/v1/payment_intents/{id}", "payment_intent", Retrieve, AllowPublishable: true) { Params = "client_secret" },
        new("POST", "/v1/payment_intents/{id}", "payment_intent", Update)
            { Params = "allowed_payment_method_types amount capture_method currency customer description excluded_payment_method_types metadata payment_method payment_method_types receipt_email setup_future_usage statement_descriptor_suffix" },
        new("POST", "/v1/payment_intents/{id}/confirm", "payment_intent", Confirm, AllowPublishable: true)
            { Params = "allowed_payment_method_types client_secret confirmation_token error_on_requires_action excluded_payment_method_types mandate_data off_session payment_method payment_method_data payment_method_options payment_method_types radar_options receipt_email return_url setup_future_usage use_stripe_sdk" },
        new("POST", "/v1/payment_intents/{id}/capture", "payment_intent", Capture) { Params = "amount_to_capture metadata" },
        new("POST", "/v1/payment_intents/{id}/cancel", "payment_intent", Cancel) { Params = "cancellation_reason" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var cmd = PaymentIntentForm.ReadCreate(p, c.Version);
        var confirm = p.Bool("confirm") ?? false;
        var confirmParams = PaymentIntentForm.ReadConfirm(c, p, readPaymentMethod: false);
        if (!confirm && confirmParams.OffSession)
            throw new StripeException(StripeError.InvalidValue("off_session", "off_session can only be used with confirm=true."), beforeExecution: true);
        if (cmd.Customer is not null) LoadCustomer(c, cmd.Customer, "customer");
        if (confirmParams.Token is { } token)
        {
            if (!confirm) throw new StripeException(StripeError.InvalidValue("confirmation_token", "confirmation_token can only be used with confirm=true."), beforeExecution: true);
            if (cmd.PaymentMethod is not null) throw new StripeException(StripeError.ParametersExclusive("confirmation_token", "payment_method"), beforeExecution: true);
            cmd = cmd with { ReturnUrl = confirmParams.ReturnUrl, SetupFutureUsage = cmd.SetupFutureUsage ?? token.SetupFutureUsage };
        }
        // A catalogue alias or payment_method_data becomes a real pm_ before the PaymentIntent refers to it.
        var pm = confirmParams.NewPaymentMethod
            ?? ((confirmParams.PaymentMethodId ?? cmd.PaymentMethod) is { } id ? PaymentMethodEndpoints.Resolve(c, id, "payment_method") : null);
        if (confirmParams.NewPaymentMethod is not null) c.Tx.Put(confirmParams.NewPaymentMethod);
        var created = Decide(c, PaymentIntentRules.Create(cmd with { PaymentMethod = pm?.Id }, c.Account.Id, c.Now, c.Ids));
        if (ReadConnect(c, cmd.Amount) is { } connect) created = created with { PaymentIntent = created.PaymentIntent with { Connect = connect } };
        Changes.Apply(c, created);
        if (confirmParams.Token is { } used) ConfirmationTokens.ConfirmationTokenEndpoints.MarkUsed(c, used, paymentIntent: created.PaymentIntent.Id);
        return confirm ? RunConfirm(c, created.PaymentIntent, pm, confirmParams) : c.Respond(created.PaymentIntent);
    }

    /// <summary>application_fee_amount, transfer_data and on_behalf_of (docs/connect.md); accounts must be the caller's connected accounts.</summary>
    private static Domain.Connect.ConnectPayment? ReadConnect(ApiContext c, long amount)
    {
        var p = c.P;
        var transfer = p.Object("transfer_data");
        var cp = new Domain.Connect.ConnectPayment(p.Long("application_fee_amount"),
            transfer?.RequiredString("destination", 100), transfer?.Long("amount"), p.String("on_behalf_of", 100));
        p.String("transfer_group", 500);
        if (cp.IsEmpty) return null;
        if (Domain.Connect.ConnectRules.Validate(cp, amount, c.Account.Platform is not null) is { } error)
            throw new StripeException(error, beforeExecution: true);
        if (cp.TransferDestination is { } d) Accounts.AccountEndpoints.LoadConnected(c, d, "transfer_data[destination]");
        if (cp.OnBehalfOf is { } o) Accounts.AccountEndpoints.LoadConnected(c, o, "on_behalf_of");
        return cp;
    }

    private static ApiResult Retrieve(ApiContext c)
    {
        var pi = c.Load<PaymentIntent>(c.Route("id"), "payment_intent");
        var secret = c.P.String("client_secret");
        if (c.Publishable) RequireClientSecret(pi, secret);
        return c.Respond(pi);
    }

    /// <summary>A publishable key sees a PaymentIntent only with its client secret, as stripe.js does.</summary>
    private static void RequireClientSecret(PaymentIntent pi, string? secret)
    {
        if (secret is null) throw new StripeException(StripeError.ParameterMissing("client_secret"), beforeExecution: true);
        if (secret != pi.ClientSecret)
            throw new StripeException(StripeError.InvalidValue("client_secret",
                "The client_secret provided does not match the client_secret associated with the PaymentIntent."));
    }

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var pi = c.Load<PaymentIntent>(c.Route("id"), "payment_intent");
        var metadataChanges = p.StringMap("metadata", out var clear);
        var pmId = p.String("payment_method");
        var cmd = new UpdatePaymentIntent
        {
            Amount = p.Long("amount"),
            Currency = p.String("currency")?.ToLowerInvariant(),
            CaptureMethod = p.Enum<CaptureMethod>("capture_method"),
            SetupFutureUsage = p.Enum<SetupFutureUsage>("setup_future_usage"),
            Customer = p.String("customer"),
            Description = p.String("description", 1000),
            ReceiptEmail = p.String("receipt_email", 800),
            StatementDescriptorSuffix = p.String("statement_descriptor_suffix", 22),
            Metadata = metadataChanges is null ? null : Metadata.Apply(pi.Metadata, metadataChanges, clear).OrThrow(),
        };
        var methods = PaymentIntentForm.ReadMethodTypes(p, apmGiven: false);
        cmd = cmd with
        {
            PaymentMethodTypes = methods.Types, AllowedPaymentMethodTypes = methods.Allowed, ExcludedPaymentMethodTypes = methods.Excluded,
        };
        if (cmd.Customer is not null) LoadCustomer(c, cmd.Customer, "customer");
        if (pmId is not null) cmd = cmd with { PaymentMethod = PaymentMethodEndpoints.Resolve(c, pmId, "payment_method").Id };
        var change = Decide(c, PaymentIntentRules.Update(pi, cmd));
        Changes.Apply(c, change);
        return c.Respond(change.PaymentIntent);
    }

    private static ApiResult Confirm(ApiContext c)
    {
        var pi = c.Load<PaymentIntent>(c.Route("id"), "payment_intent");
        var secret = c.P.String("client_secret");
        if (c.Publishable) RequireClientSecret(pi, secret);
        var confirmParams = PaymentIntentForm.ReadConfirm(c, c.P, readPaymentMethod: true);
        if (c.P.StringPatch("receipt_email") is { IsSet: true } email) pi = pi with { ReceiptEmail = email.Value };
        var sfu = c.P.Enum<SetupFutureUsage>("setup_future_usage") ?? confirmParams.Token?.SetupFutureUsage;
        if (sfu is not null) pi = pi with { SetupFutureUsage = sfu };
        var methods = PaymentIntentForm.ReadMethodTypes(c.P, apmGiven: false);
        if (methods.Types is not null)
            pi = pi with { PaymentMethodTypes = methods.Types, AllowedPaymentMethodTypes = methods.Allowed, AutomaticPaymentMethods = null };
        if (methods.Excluded is not null) pi = pi with { ExcludedPaymentMethodTypes = methods.Excluded };
        var pm = confirmParams.NewPaymentMethod;
        if (pm is not null) c.Tx.Put(pm);
        else if (confirmParams.PaymentMethodId is { } id) pm = PaymentMethodEndpoints.Resolve(c, id, "payment_method");
        else if (pi.PaymentMethod is { } current) pm = c.Tx.Get<PaymentMethod>(current);
        if (confirmParams.Token is { } token) ConfirmationTokens.ConfirmationTokenEndpoints.MarkUsed(c, token, paymentIntent: pi.Id);
        var result = RunConfirm(c, pi, pm, confirmParams);
        // An invoice's PaymentIntent confirmed by the customer (default_incomplete, or after a failed renewal) pays the invoice.
        if (c.Tx.Get<PaymentIntent>(pi.Id) is { } confirmed) Billing.BillingEngine.AfterAuthentication(c, confirmed);
        return result;
    }

    /// <summary>One attempt on the card network; a decline keeps its failed charge and events, then answers 402.</summary>
    private static ApiResult RunConfirm(ApiContext c, PaymentIntent pi, PaymentMethod? pm, PaymentIntentForm.ConfirmParams p)
    {
        var change = ConfirmAttempt(c, pi, pm, new ConfirmOptions { OffSession = p.OffSession, ReturnUrl = p.ReturnUrl, UseStripeSdk = p.UseStripeSdk });
        return change.Error is { } error ? ApiResult.Fail(error) : c.Respond(change.PaymentIntent);
    }

    /// <summary>
    /// One confirmation on the card network, stored with its events (a decline's failed charge too: the change's
    /// <c>Error</c>); shared with Checkout's hosted page. Invalid states throw Stripe's error.
    /// </summary>
    internal static PaymentIntentChange ConfirmAttempt(ApiContext c, PaymentIntent pi, PaymentMethod? pm, ConfirmOptions options)
    {
        var card = pm is null ? null : c.Service<TestCards>().Resolve(pm.Card.TestCardKey);
        options = NetworkRuleBook.WithRules(c, options with { SetupForOffSession = pm?.SetUpForOffSession ?? false }, pi);
        var change = ThreeDSecureFlow.WithPageUrl(c, Decide(c, PaymentIntentRules.Confirm(pi, pm, card, options, c.Now, c.Ids)));
        Changes.Apply(c, change);
        ThreeDSecureFlow.SaveForFutureUsage(c, change, pm);
        return change;
    }

    private static ApiResult Capture(ApiContext c)
    {
        var pi = c.Load<PaymentIntent>(c.Route("id"), "payment_intent");
        var amount = c.P.Long("amount_to_capture", min: 1);
        pi = pi with { Metadata = c.P.Metadata(pi.Metadata) };
        var charge = pi.LatestCharge is null ? null : c.Tx.Get<Charge>(pi.LatestCharge);
        if (charge is null)
            throw new StripeException(PaymentIntentRules.Guard(pi, PaymentIntentAction.Capture)
                ?? throw new InvalidOperationException($"{pi.Id} awaits capture but has no charge."));
        var change = Decide(c, PaymentIntentRules.Capture(pi, charge, amount, c.Now, c.Ids));
        Changes.Apply(c, change);
        return c.Respond(change.PaymentIntent);
    }

    private static ApiResult Cancel(ApiContext c)
    {
        var pi = c.Load<PaymentIntent>(c.Route("id"), "payment_intent");
        var parsed = c.P.Enum("cancellation_reason", [.. PaymentIntentRules.UserCancellationReasons]);
        var charge = pi.LatestCharge is null ? null : c.Tx.Get<Charge>(pi.LatestCharge);
        var change = Decide(c, PaymentIntentRules.Cancel(pi, charge, parsed, c.Now, c.Ids));
        Changes.Apply(c, change);
        return c.Respond(change.PaymentIntent);
    }

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var customer = c.P.String("customer");
        var (page, more) = Lists.Page(c.Tx.FindOrAll(ByCustomer, customer), lp,
            pi => customer is null || pi.Customer == customer, "payment_intent");
        return Lists.Render(page, more, "/v1/payment_intents", c.Render, c.Expand);
    }

    private static ApiResult Search(ApiContext c) =>
        SearchEndpoint.Run(c, StripeSearchSchemas.PaymentIntents, "/v1/payment_intents/search",
            c.Tx.NewestFirst<PaymentIntent>("payment_intent"), pi => new SearchDocument(pi));

    internal static void LoadCustomer(ApiContext c, string id, string param)
    {
        var customer = c.Tx.Get<Customer>(id);
        if (customer is null || customer.Deleted) throw new StripeException(StripeError.ResourceMissing("customer", id, param));
    }

    private static PaymentIntentChange Decide(ApiContext _, Outcome<PaymentIntentChange> outcome) =>
        outcome.IsError ? throw new StripeException(outcome.Error!) : outcome.Value;

    private sealed class SearchDocument(PaymentIntent pi) : ISearchDocument
    {
        public string? GetString(string field) => field switch
        {
            "currency" => pi.Currency, "customer" => pi.Customer, "status" => pi.Status.ToWire(), _ => null,
        };
        public long? GetNumber(string field) => field switch { "amount" => pi.Amount, "created" => pi.Created, _ => null };
        public string? GetMetadata(string key) => pi.Metadata.GetValueOrDefault(key);
    }
}
