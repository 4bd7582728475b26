namespace MockProcessor.Domain.Money;

// An amount in minor units with its lowercase ISO currency, as on the wire. Mixing currencies or
// overflowing is a bug in the caller, not a customer error, so both throw.
public readonly record struct Money(long Amount, string Currency)
{
    public static Money operator +(Money a, Money b)
    {
        RequireSameCurrency(a, b);
        return new(checked(a.Amount + b.Amount), a.Currency);
    }

    public static Money operator -(Money a, Money b)
    {
        RequireSameCurrency(a, b);
        return new(checked(a.Amount - b.Amount), a.Currency);
    }

    public static Money operator -(Money a) => new(checked(-a.Amount), a.Currency);

    public static Money Zero(string currency) => new(0, currency);

    public override string ToString() => Currencies.Format(Amount, Currency) + " " + Currency;

    private static void RequireSameCurrency(Money a, Money b)
    {
        if (!string.Equals(a.Currency, b.Currency, StringComparison.Ordinal))
            throw new InvalidOperationException($"Cannot combine {a.Currency} and {b.Currency} amounts.");
    }
}
