namespace MockProcessor.Domain.Payouts;

/// <summary>
/// The merchant's external account that payouts go to (a <c>ba_</c> bank account). Only the last four digits
/// of the number are kept; <see cref="FailureCode"/> records what Stripe's test account numbers do (§17).
/// </summary>
public sealed record BankAccount
{
    public required string Id { get; init; }
    public required string Last4 { get; init; }
    public string RoutingNumber { get; init; } = TestBankAccounts.UsRoutingNumber;
    public string Country { get; init; } = "US";
    public string Currency { get; init; } = "usd";
    public string BankName { get; init; } = "STRIPE TEST BANK";
    /// <summary>Why payouts to this account fail, or null when they succeed.</summary>
    public PayoutFailureCode? FailureCode { get; init; }
    /// <summary>
    /// A payout to it failed: Stripe marks the account <c>errored</c> and sends no more scheduled payouts until the
    /// bank details are updated (bank_account.status).
    /// </summary>
    public bool Errored { get; init; }
    public string Status => Errored ? "errored" : "new";
}

public enum PayoutFailureCode
{
    AccountClosed, AccountFrozen, BankAccountRestricted, BankOwnershipChanged, CouldNotProcess, DebitNotAuthorized,
    Declined, InsufficientFunds, InvalidAccountNumber, InvalidCurrency, NoAccount,
}

/// <summary>Stripe's test bank account numbers (STRIPE_BEHAVIOR §17) and what a payout to each does.</summary>
public static class TestBankAccounts
{
    public const string UsRoutingNumber = "110000000";
    public const string Succeeds = "000123456789";

    private static readonly Dictionary<string, PayoutFailureCode?> Numbers = new(StringComparer.Ordinal)
    {
        [Succeeds] = null,
        ["000111111116"] = PayoutFailureCode.NoAccount,
        ["000111111113"] = PayoutFailureCode.AccountClosed,
        ["000222222227"] = PayoutFailureCode.InsufficientFunds,
        ["000333333335"] = PayoutFailureCode.DebitNotAuthorized,
        ["000444444440"] = PayoutFailureCode.InvalidCurrency,
        ["DE89370400440532013000"] = null,
        ["DE89370400440532013001"] = PayoutFailureCode.NoAccount,
        ["DE89370400440532013002"] = PayoutFailureCode.AccountClosed,
        ["DE89370400440532013003"] = PayoutFailureCode.InsufficientFunds,
        ["DE89370400440532013004"] = PayoutFailureCode.DebitNotAuthorized,
        ["DE89370400440532013005"] = PayoutFailureCode.InvalidCurrency,
    };

    public static IEnumerable<string> All => Numbers.Keys;

    /// <summary>True with the failure (or null) for a known test number; false for any other number.</summary>
    public static bool TryLookUp(string accountNumber, out PayoutFailureCode? failure) =>
        Numbers.TryGetValue(accountNumber, out failure);

    public static BankAccount Create(string id, string accountNumber)
    {
        if (!TryLookUp(accountNumber, out var failure))
            throw new ArgumentException($"{accountNumber} is not one of Stripe's test bank account numbers.", nameof(accountNumber));
        var iban = accountNumber.StartsWith("DE", StringComparison.Ordinal);
        return new BankAccount
        {
            Id = id, Last4 = accountNumber[^4..], FailureCode = failure,
            Country = iban ? "DE" : "US", Currency = iban ? "eur" : "usd",
            RoutingNumber = iban ? "" : UsRoutingNumber,
        };
    }

    // Our wording of each failure; Stripe's messages are not documented for every code.
    public static string Message(PayoutFailureCode code) => code switch
    {
        PayoutFailureCode.NoAccount => "The bank account details on file are probably incorrect. No bank account could be located with those details.",
        PayoutFailureCode.AccountClosed => "The bank account has been closed.",
        PayoutFailureCode.InsufficientFunds => "The bank account has insufficient funds to cover the payout reversal.",
        PayoutFailureCode.DebitNotAuthorized => "Debit transactions are not approved on the bank account.",
        PayoutFailureCode.InvalidCurrency => "The bank account cannot accept payouts in this currency.",
        _ => "The payout could not be processed by the bank.",
    };
}
