using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.SetupIntents;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Wire;
using MockProcessor.Server.Wire.Versions;

namespace MockProcessor.Server.Resources.SetupIntents;

/// <summary>SetupIntent parameters → domain commands, with Stripe's parameter errors.</summary>
public static class SetupIntentForm
{
    public static CreateSetupIntent ReadCreate(Params p, ApiVersion version, bool confirm)
    {
        var apmGiven = p.Has("automatic_payment_methods");
        var apm = p.Object("automatic_payment_methods");
        var apmEnabled = apm?.Bool("enabled");
        var allowRedirects = apm?.Enum("allow_redirects", "always", "never");
        var methods = PaymentIntentForm.ReadMethodTypes(p, apmGiven);
        var types = methods.Types is { Count: > 0 } && apmEnabled != true ? methods.Types : null;
        // Before 2023-08-16 a SetupIntent that names neither got card only, not automatic payment methods (C22).
        if (types is null && !apmGiven && ApiChanges.Predates(version, ApiChanges.SetupIntentAutomaticPaymentMethodsDefault)) types = ["card"];
        var returnUrl = p.String("return_url", 2048);
        if (returnUrl is not null && !confirm) throw OnlyWithConfirm("return_url");
        if (p.Has("mandate_data") && !confirm) throw OnlyWithConfirm("mandate_data");
        // A card needs no mandate: mandate_data (Stripe.js sends customer acceptance) is accepted and not kept.
        p.Accept("mandate_data");
        ReadSingleUse(p);
        return new CreateSetupIntent
        {
            PaymentMethod = p.String("payment_method"),
            Usage = p.Enum<SetupIntentUsage>("usage") ?? SetupIntentUsage.OffSession,
            PaymentMethodTypes = types,
            AllowedPaymentMethodTypes = methods.Allowed,
            ExcludedPaymentMethodTypes = methods.Excluded,
            AllowRedirects = allowRedirects,
            Customer = p.String("customer"),
            Description = p.String("description", 1000),
            Metadata = p.Metadata(Metadata.Empty),
            ReturnUrl = returnUrl,
            RequestThreeDSecure = ReadRequestThreeDSecure(p),
            AttachToSelf = p.Bool("attach_to_self"),
            FlowDirections = ReadFlowDirections(p),
        };
    }

    public static UpdateSetupIntent ReadUpdate(Params p, SetupIntent si)
    {
        var metadataChanges = p.StringMap("metadata", out var clear);
        var methods = PaymentIntentForm.ReadMethodTypes(p, apmGiven: false);
        return new UpdateSetupIntent
        {
            PaymentMethodTypes = methods.Types, AllowedPaymentMethodTypes = methods.Allowed, ExcludedPaymentMethodTypes = methods.Excluded,
            Customer = p.String("customer"),
            Description = p.String("description", 1000),
            Metadata = metadataChanges is null ? null : Metadata.Apply(si.Metadata, metadataChanges, clear).OrThrow(),
            RequestThreeDSecure = ReadRequestThreeDSecure(p),
            AttachToSelf = p.Bool("attach_to_self"),
            FlowDirections = ReadFlowDirections(p),
        };
    }

    /// <summary>Parameters shared by create-with-confirm and confirm.</summary>
    public sealed record ConfirmParams(PaymentMethod? NewPaymentMethod, string? PaymentMethodId, SetupConfirmOptions Options)
    {
        // The ConfirmationToken the call redeemed (Stripe.js's createConfirmationToken), marked used once the SetupIntent is known.
        public Domain.ConfirmationTokens.ConfirmationToken? Token { get; init; }
    }

    public static ConfirmParams ReadConfirm(ApiContext c, Params p, bool readPaymentMethod)
    {
        var pmId = readPaymentMethod ? p.String("payment_method") : null;
        var data = p.Object("payment_method_data");
        if (pmId is not null && data is not null)
            throw new StripeException(StripeError.ParametersExclusive("payment_method", "payment_method_data"), beforeExecution: true);
        var returnUrl = p.String("return_url", 2048);
        var useSdk = p.Bool("use_stripe_sdk") ?? false;
        // A ConfirmationToken stands for the payment method and return_url Stripe.js collected; the call's own win.
        if (p.String("confirmation_token") is { } tokenId)
        {
            if (pmId is not null || data is not null)
                throw new StripeException(StripeError.ParametersExclusive("confirmation_token", pmId is not null ? "payment_method" : "payment_method_data"), beforeExecution: true);
            var token = ConfirmationTokens.ConfirmationTokenEndpoints.Redeem(c, tokenId, "confirmation_token");
            return new ConfirmParams(null, token.PaymentMethod,
                new SetupConfirmOptions { ReturnUrl = returnUrl ?? token.ReturnUrl, UseStripeSdk = useSdk || token.UseStripeSdk }) { Token = token };
        }
        var created = data is null ? null : PaymentMethods.PaymentMethodEndpoints.FromData(c, data);
        return new ConfirmParams(created, pmId, new SetupConfirmOptions { ReturnUrl = returnUrl, UseStripeSdk = useSdk });
    }

    /// <summary>
    /// <c>payment_method_options[card][request_three_d_secure]</c> (<c>any</c>/<c>challenge</c> ask for a challenge on
    /// every card that supports 3-D Secure); the other card options and other methods' options are accepted and unused.
    /// </summary>
    public static string? ReadRequestThreeDSecure(Params p)
    {
        var options = p.Object("payment_method_options");
        if (options is null) return null;
        var card = options.Object("card");
        var value = card?.Enum("request_three_d_secure", "any", "automatic", "challenge");
        foreach (var key in card?.Keys.ToList() ?? []) card!.Accept(key);
        foreach (var key in options.Keys.ToList()) options.Accept(key);
        return value;
    }

    private static List<string>? ReadFlowDirections(Params p)
    {
        var list = p.StringList("flow_directions");
        for (var i = 0; i < (list?.Count ?? 0); i++)
            if (list![i] is not ("inbound" or "outbound"))
                throw new StripeException(StripeError.InvalidEnum($"flow_directions[{i}]", list[i], ["inbound", "outbound"]), beforeExecution: true);
        return list is { Count: > 0 } ? list : null;
    }

    // single_use[amount|currency]: the amount a one-time mandate would cover; cards need no mandate, so only checked.
    private static void ReadSingleUse(Params p)
    {
        if (p.Object("single_use") is not { } single) return;
        single.RequiredLong("amount");
        single.RequiredString("currency");
    }

    private static StripeException OnlyWithConfirm(string param) =>
        new(StripeError.InvalidValue(param, $"You can only pass {param} when confirm=true."), beforeExecution: true);
}
