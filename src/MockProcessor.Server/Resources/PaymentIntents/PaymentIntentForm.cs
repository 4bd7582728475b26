using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.PaymentIntents;

/// <summary>PaymentIntent parameters → domain commands, with Stripe's parameter errors.</summary>
public static class PaymentIntentForm
{
    public static CreatePaymentIntent ReadCreate(Params p)
    {
        var amount = p.RequiredLong("amount");
        var currency = p.RequiredString("currency").ToLowerInvariant();
        var metadata = p.Metadata(Metadata.Empty);
        var apm = p.Object("automatic_payment_methods");
        var apmEnabled = apm?.Bool("enabled");
        var allowRedirects = apm?.Enum("allow_redirects", "always", "never");
        var types = p.StringList("payment_method_types");
        return new CreatePaymentIntent(amount, currency)
        {
            CaptureMethod = p.Enum<CaptureMethod>("capture_method") ?? CaptureMethod.Automatic,
            ConfirmationMethod = p.Enum<ConfirmationMethod>("confirmation_method") ?? ConfirmationMethod.Automatic,
            PaymentMethod = p.String("payment_method"),
            // Since 2023-08-16 a PI without payment_method_types gets automatic payment methods.
            PaymentMethodTypes = types is { Count: > 0 } && apmEnabled != true ? types : null,
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

    /// <summary>Parameters shared by create-with-confirm and confirm.</summary>
    public sealed record ConfirmParams(PaymentMethod? NewPaymentMethod, string? PaymentMethodId, bool OffSession, string? ReturnUrl, bool UseStripeSdk);

    public static ConfirmParams ReadConfirm(ApiContext c, Params p, bool readPaymentMethod)
    {
        var pmId = readPaymentMethod ? p.String("payment_method") : null;
        var data = p.Object("payment_method_data");
        if (pmId is not null && data is not null)
            throw new StripeException(Domain.Errors.StripeError.ParametersExclusive("payment_method", "payment_method_data"), beforeExecution: true);
        // off_session is a boolean, or "one_off"/"recurring" as Stripe also accepts.
        var offSession = p.IsHash("off_session") ? false : p.String("off_session") switch
        {
            null or "false" => false,
            "true" or "one_off" or "recurring" => true,
            var v => throw new StripeException(Domain.Errors.StripeError.InvalidBoolean("off_session", v), beforeExecution: true),
        };
        p.Accept("payment_method_options");
        p.Accept("error_on_requires_action");
        p.Accept("mandate_data");
        var returnUrl = p.String("return_url", 2048);
        var useSdk = p.Bool("use_stripe_sdk") ?? false;
        PaymentMethod? created = null;
        if (data is not null)
        {
            var type = data.RequiredString("type");
            if (type != "card")
                throw new StripeException(Domain.Errors.StripeError.InvalidValue("payment_method_data[type]",
                    $"Invalid payment_method_data[type]: '{type}'. MockProcessor emulates card payment methods only so far."), beforeExecution: true);
            var billing = PaymentMethodEndpoints.ReadBilling(data.Object("billing_details"));
            var card = data.Object("card") ?? throw new StripeException(Domain.Errors.StripeError.ParameterMissing("payment_method_data[card]"), beforeExecution: true);
            var details = card.String("token") is { } tok
                ? PaymentMethodEndpoints.ConsumeToken(c, tok, "payment_method_data[card][token]")
                : CardForm.Read(card, c.Now, billing.Address?.PostalCode is not null, billing.Address?.Line1 is not null);
            var metadata = data.Metadata(Metadata.Empty);
            created = new PaymentMethod
            {
                Id = c.Ids.Next("pm"), AccountId = c.Account.Id, Created = c.Now, Card = details, BillingDetails = billing, Metadata = metadata,
            };
        }
        return new ConfirmParams(created, pmId, offSession, returnUrl, useSdk);
    }
}
