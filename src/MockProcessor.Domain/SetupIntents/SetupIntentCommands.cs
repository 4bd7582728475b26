using System.Collections.Immutable;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.SetupIntents;

public enum SetupIntentAction { UpdateDetails, UpdatePayment, Confirm, Authenticate, Cancel }

public sealed record CreateSetupIntent
{
    public string? PaymentMethod { get; init; }
    public SetupIntentUsage Usage { get; init; } = SetupIntentUsage.OffSession;
    // Null means "not passed": since 2023-08-16 that turns automatic_payment_methods on (C22).
    public IReadOnlyList<string>? PaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? AllowedPaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? ExcludedPaymentMethodTypes { get; init; }
    public string? AllowRedirects { get; init; }
    public string? Customer { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string>? Metadata { get; init; }
    public string? ReturnUrl { get; init; }
    public string? RequestThreeDSecure { get; init; }
    public bool? AttachToSelf { get; init; }
    public IReadOnlyList<string>? FlowDirections { get; init; }
}

// Null fields are "not passed". Metadata is the already-merged result of Common.Metadata.Apply.
public sealed record UpdateSetupIntent
{
    public string? PaymentMethod { get; init; }
    public IReadOnlyList<string>? PaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? AllowedPaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? ExcludedPaymentMethodTypes { get; init; }
    public string? Customer { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string>? Metadata { get; init; }
    public string? RequestThreeDSecure { get; init; }
    public bool? AttachToSelf { get; init; }
    public IReadOnlyList<string>? FlowDirections { get; init; }
}

public sealed record SetupConfirmOptions
{
    public string? ReturnUrl { get; init; }
    public bool UseStripeSdk { get; init; }
}

/// <summary>
/// What one SetupIntent decision changed. <see cref="Saved"/> is set when the card was set up: the server attaches
/// it to the SetupIntent's customer and records it as usable off session. <see cref="Error"/> (a decline) is
/// answered as a 402 after the change is stored, like a PaymentIntent's.
/// </summary>
public sealed record SetupIntentChange(SetupIntent SetupIntent, IReadOnlyList<string> Events, StripeError? Error = null)
{
    public bool Saved { get; init; }
}
