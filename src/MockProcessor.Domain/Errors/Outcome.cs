namespace MockProcessor.Domain.Errors;

/// <summary>A value or the Stripe error that explains why there is none. Expected failures travel as this, not as exceptions.</summary>
public readonly struct Outcome<T>
{
    private readonly T? _value;

    private Outcome(T? value, StripeError? error)
    {
        _value = value;
        Error = error;
    }

    public StripeError? Error { get; }
    public bool IsError => Error is not null;
    public T Value => Error is null ? _value! : throw new InvalidOperationException($"Outcome holds an error: {Error.Message}");

    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(StripeError error) => new(default, error);
}
