using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.PaymentIntents;

public enum PaymentIntentStatus
{
    RequiresPaymentMethod, RequiresConfirmation, RequiresAction, Processing, RequiresCapture, Succeeded, Canceled,
}

public enum CaptureMethod { Automatic, AutomaticAsync, Manual }

public enum ConfirmationMethod { Automatic, Manual }

public enum SetupFutureUsage { OnSession, OffSession }

// Users may pass only Abandoned, Duplicate, Fraudulent and RequestedByCustomer; Stripe sets the rest.
public enum CancellationReason { Abandoned, Automatic, Duplicate, Expired, FailedInvoice, Fraudulent, RequestedByCustomer, VoidInvoice }

public enum NextActionType { RedirectToUrl, UseStripeSdk }

public sealed record AutomaticPaymentMethods(bool Enabled, string? AllowRedirects);

// next_action. The redirect URL is the emulator's own 3DS page, so the server builds it from its base
// address and the PI id; the domain only decides that an action is needed and which kind.
public sealed record NextAction(NextActionType Type, string? ReturnUrl)
{
    // Set by the server from the confirming request (scheme://host), so the response, later retrieves and
    // event payloads all show the same absolute page URL. Null in rows written before it existed.
    public string? PageBaseUrl { get; init; }
}

// last_payment_error: the error of the latest failed attempt, with the ids the wire embeds.
public sealed record PaymentError(string Type, string? Code, string? DeclineCode, string Message, string? Param)
{
    public string? AdviceCode { get; init; }
    public string? PaymentMethodId { get; init; }
    public string? ChargeId { get; init; }
    public string? DocUrl => Code is null ? null : "https://stripe.com/docs/error-codes/" + Code.Replace('_', '-');

    public static PaymentError From(StripeError e) =>
        new(e.Type, e.Code, e.DeclineCode, e.Message, e.Param) { AdviceCode = e.AdviceCode, PaymentMethodId = e.PaymentMethodId, ChargeId = e.ChargeId };
}

// Rendered in the current API shape (§11.1): no `charges` list, `latest_charge` instead.
public sealed record PaymentIntent : StripeObject
{
    public override string ObjectType => "payment_intent";
    public required long Amount { get; init; }
    public long AmountCapturable { get; init; }
    public long AmountReceived { get; init; }
    public required string Currency { get; init; }
    public required PaymentIntentStatus Status { get; init; }
    public CaptureMethod CaptureMethod { get; init; } = CaptureMethod.Automatic;
    public ConfirmationMethod ConfirmationMethod { get; init; } = ConfirmationMethod.Automatic;
    public string? PaymentMethod { get; init; }
    public IReadOnlyList<string> PaymentMethodTypes { get; init; } = ["card"];
    // What the caller asked for since dahlia: the types it allows (PaymentMethodTypes then holds the usable ones) or excludes.
    public IReadOnlyList<string>? AllowedPaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? ExcludedPaymentMethodTypes { get; init; }
    public AutomaticPaymentMethods? AutomaticPaymentMethods { get; init; }
    public string? Customer { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public string? LatestCharge { get; init; }
    public PaymentError? LastPaymentError { get; init; }
    public NextAction? NextAction { get; init; }
    public long? CanceledAt { get; init; }
    public CancellationReason? CancellationReason { get; init; }
    public required string ClientSecret { get; init; }
    public string? ReceiptEmail { get; init; }
    public SetupFutureUsage? SetupFutureUsage { get; init; }
    public string? StatementDescriptor { get; init; }
    public string? StatementDescriptorSuffix { get; init; }

    // Kept, not rendered: where the 3DS page sends the customer back to.
    public string? ReturnUrl { get; init; }

    // Emulator-only, not rendered: the customer completed 3DS for the current payment method, so the next
    // confirmation (manual confirmation_method) goes to the issuer without another challenge.
    public bool AuthenticationCompleted { get; init; }

    /// <summary>application_fee_amount, transfer_data, on_behalf_of (docs/connect.md); null without Connect.</summary>
    public Connect.ConnectPayment? Connect { get; init; }
}
