using MockProcessor.Domain.Errors;

namespace MockProcessor.Server.Wire;

/// <summary>
/// Carries a <see cref="StripeError"/> out of the request pipeline to the one place that writes it.
/// <see cref="BeforeExecution"/> marks parameter validation failures: Stripe does not save those as an
/// idempotent result, so a client may retry them with the same key.
/// </summary>
public sealed class StripeException(StripeError error, bool beforeExecution = false) : Exception(error.Message)
{
    public StripeError Error { get; } = error;
    public bool BeforeExecution { get; } = beforeExecution;
}

public static class OutcomeExtensions
{
    /// <summary>Unwraps a domain decision at the endpoint edge.</summary>
    public static T OrThrow<T>(this Outcome<T> outcome) =>
        outcome.IsError ? throw new StripeException(outcome.Error!) : outcome.Value;
}
