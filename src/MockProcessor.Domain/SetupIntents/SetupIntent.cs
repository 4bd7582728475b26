using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;

namespace MockProcessor.Domain.SetupIntents;

public enum SetupIntentStatus { RequiresPaymentMethod, RequiresConfirmation, RequiresAction, Processing, Succeeded, Canceled }

public enum SetupIntentUsage { OffSession, OnSession }

public enum SetupIntentCancellationReason { Abandoned, Duplicate, RequestedByCustomer }

/// <summary>
/// A SetupIntent (BILLING_CHECKOUT §8): saves a card for later without charging it. Shares the PaymentIntent's
/// <see cref="NextAction"/> (the same 3-D Secure page) and error record (<c>last_setup_error</c> has the shape of
/// <c>last_payment_error</c>).
/// </summary>
public sealed record SetupIntent : StripeObject
{
    public override string ObjectType => "setup_intent";
    public required SetupIntentStatus Status { get; init; }
    public SetupIntentUsage Usage { get; init; } = SetupIntentUsage.OffSession;
    public string? Customer { get; init; }
    public string? PaymentMethod { get; init; }
    public IReadOnlyList<string> PaymentMethodTypes { get; init; } = ["card"];
    public IReadOnlyList<string>? AllowedPaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? ExcludedPaymentMethodTypes { get; init; }
    public AutomaticPaymentMethods? AutomaticPaymentMethods { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public required string ClientSecret { get; init; }
    public PaymentError? LastSetupError { get; init; }
    public NextAction? NextAction { get; init; }
    public SetupIntentCancellationReason? CancellationReason { get; init; }
    public bool? AttachToSelf { get; init; }
    public IReadOnlyList<string>? FlowDirections { get; init; }
    // payment_method_options[card][request_three_d_secure]: automatic (default), any or challenge.
    public string RequestThreeDSecure { get; init; } = "automatic";

    // Kept, not rendered: where the 3DS page sends the customer back to.
    public string? ReturnUrl { get; init; }
}
