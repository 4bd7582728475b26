using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Wire;
using MockProcessor.Server.Wire.Versions;

namespace MockProcessor.Server.Resources.PaymentIntents;

/// <summary>PaymentIntent parameters → domain commands, with Stripe's parameter errors.</summary>
public static class PaymentIntentForm
{
    public static CreatePaymentIntent ReadCreate(Params p, ApiVersion version)
    {
        var amount = p.RequiredLong("amount");
        var currency = p.RequiredString("currency").ToLowerInvariant();
        var metadata = p.Metadata(Metadata.Empty);
        var apmGiven = p.Has("automatic_payment_methods");
        var apm = p.Object("automatic_payment_methods");
        var apmEnabled = apm?.Bool("enabled");
        var allowRedirects = apm?.Enum("allow_redirects", "always", "never");
        var methods = ReadMethodTypes(p, apmGiven);
        var types = methods.Types is { Count: > 0 } && apmEnabled != true ? methods.Types : null;
        // Before 2023-08-16 a PaymentIntent that names neither got card only, not automatic payment methods (C20).
        if (types is null && !apmGiven && ApiChanges.Predates(version, ApiChanges.AutomaticPaymentMethodsDefault)) types = ["card"];
        return new CreatePaymentIntent(amount, currency)
        {
            CaptureMethod = p.Enum<CaptureMethod>("capture_method")
                ?? (ApiChanges.Predates(version, ApiChanges.AsyncCaptureDefault) ? CaptureMethod.Automatic : CaptureMethod.AutomaticAsync),
            ConfirmationMethod = p.Enum<ConfirmationMethod>("confirmation_method") ?? ConfirmationMethod.Automatic,
            PaymentMethod = p.String("payment_method"),
            PaymentMethodTypes = types,
            AllowedPaymentMethodTypes = methods.Allowed,
            ExcludedPaymentMethodTypes = methods.Excluded,
            AllowRedirects = allowRedirects,
            Customer = p.String("customer"),
            Description = p.String("description", 1000),
            Metadata = metadata,
            ReceiptEmail = p.String("receipt_email", 800),
            SetupFutureUsage = p.Enum<SetupFutureUsage>("setup_future_usage"),
            StatementDescriptor = p.String("statement_descriptor", 22),
            StatementDescriptorSuffix = p.String("statement_descriptor_suffix", 22),
            ReturnUrl = p.String("return_url", 2048),
        };
    }

    /// <summary>
    /// The payment method types a create, update or confirm asks for. <c>allowed_payment_method_types</c> (dahlia on)
    /// filters silently to the types that can be used — <c>card</c> here — and turns automatic payment methods off;
    /// <c>payment_method_types</c> is the explicit list of callers before endive (refused from endive on, see
    /// <see cref="ApiChanges"/>); <c>excluded_payment_method_types</c> narrows automatic payment methods.
    /// </summary>
    public sealed record MethodTypes(IReadOnlyList<string>? Types, IReadOnlyList<string>? Allowed, IReadOnlyList<string>? Excluded);

    public static MethodTypes ReadMethodTypes(Params p, bool apmGiven)
    {
        const string AllowedParam = "allowed_payment_method_types", ExcludedParam = "excluded_payment_method_types";
        var legacy = p.StringList("payment_method_types");
        var allowed = p.StringList(AllowedParam);
        var excluded = p.StringList(ExcludedParam);
        if (allowed is not null && legacy is not null) throw Exclusive(AllowedParam, "payment_method_types");
        if (allowed is not null && excluded is not null) throw Exclusive(AllowedParam, ExcludedParam);
        if (allowed is not null && apmGiven) throw Exclusive(AllowedParam, "automatic_payment_methods");
        foreach (var (name, list) in new[] { (AllowedParam, allowed), (ExcludedParam, excluded), ("payment_method_types", legacy) })
            for (var i = 0; i < (list?.Count ?? 0); i++)
                if (list![i].Length == 0 || !list[i].All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_'))
                    throw new StripeException(Domain.Errors.StripeError.InvalidValue($"{name}[{i}]",
                        $"Invalid {name}[{i}]: '{list[i]}' is not a payment method type."), beforeExecution: true);
        IReadOnlyList<string>? types = legacy is { Count: > 0 } ? legacy : null;
        if (allowed is not null)
            types = allowed.Contains("card")
                ? ["card"]
                : throw new StripeException(Domain.Errors.StripeError.NoUsablePaymentMethodTypes(AllowedParam), beforeExecution: true);
        if (excluded is not null && excluded.Contains("card"))
            throw new StripeException(Domain.Errors.StripeError.NoUsablePaymentMethodTypes(ExcludedParam), beforeExecution: true);
        return new MethodTypes(types, allowed, excluded is { Count: > 0 } ? excluded : null);
    }

    private static StripeException Exclusive(string a, string b) =>
        new(Domain.Errors.StripeError.ParametersExclusive(a, b), beforeExecution: true);

    /// <summary>Parameters shared by create-with-confirm and confirm.</summary>
    public sealed record ConfirmParams(PaymentMethod? NewPaymentMethod, string? PaymentMethodId, bool OffSession, string? ReturnUrl, bool UseStripeSdk)
    {
        /// <summary>The ConfirmationToken whose payment details this confirmation uses (its payment method is <see cref="PaymentMethodId"/>).</summary>
        public Domain.ConfirmationTokens.ConfirmationToken? Token { get; init; }
    }

    public static ConfirmParams ReadConfirm(ApiContext c, Params p, bool readPaymentMethod)
    {
        var pmId = readPaymentMethod ? p.String("payment_method") : null;
        var data = p.Object("payment_method_data");
        if (pmId is not null && data is not null)
            throw new StripeException(Domain.Errors.StripeError.ParametersExclusive("payment_method", "payment_method_data"), beforeExecution: true);
        // off_session is a boolean, or "one_off"/"recurring" as Stripe also accepts.
        var offSession = p.IsHash("off_session") ? false : p.String("off_session") switch
        {
            null => false,
            "one_off" or "recurring" => true,
            var v => Params.ParseBool(v) ?? throw new StripeException(Domain.Errors.StripeError.InvalidBoolean("off_session", v), beforeExecution: true),
        };
        p.Accept("payment_method_options");
        // Radar's session from Stripe.js (radar_options[session]): accepted and not used, as in test mode.
        p.Object("radar_options")?.String("session", 5000);
        p.Accept("error_on_requires_action");
        p.Accept("mandate_data");
        var returnUrl = p.String("return_url", 2048);
        var useSdk = p.Bool("use_stripe_sdk") ?? false;
        var created = data is null ? null : PaymentMethodEndpoints.FromData(c, data);
        // A ConfirmationToken stands for the payment method and the settings Stripe.js collected; parameters given
        // with the confirmation win over the token's (return_url here, setup_future_usage in the endpoints).
        if (p.String("confirmation_token") is { } tokenId)
        {
            if (pmId is not null || data is not null)
                throw new StripeException(Domain.Errors.StripeError.ParametersExclusive("confirmation_token", pmId is not null ? "payment_method" : "payment_method_data"), beforeExecution: true);
            var token = ConfirmationTokens.ConfirmationTokenEndpoints.Redeem(c, tokenId, "confirmation_token");
            return new ConfirmParams(null, token.PaymentMethod, offSession, returnUrl ?? token.ReturnUrl, useSdk || token.UseStripeSdk) { Token = token };
        }
        return new ConfirmParams(created, pmId, offSession, returnUrl, useSdk);
    }
}
