using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Ids;

namespace MockProcessor.Domain.Charges;

public static class ChargeRules
{
    // Card authorizations stay capturable for 7 days (§11.3; Visa MIT 5 days, not emulated).
    public const long AuthorizationValiditySeconds = 7 * BalanceRules.SecondsPerDay;

    // Books the money a capture brings in: a `charge` transaction for the captured amount with Stripe's
    // fee, available after the payout delay (or at once for bypassPending cards).
    // Deviation: on a partial capture Stripe books the full authorization and a partial_capture_reversal
    // for the remainder (§16.3); we book only the captured amount, which leaves the same net balance.
    public static (Charge Charge, BalanceTransaction Transaction) BookCapture(
        Charge charge, long amount, string accountCountry, long now, IdGenerator ids)
    {
        var cardCountry = charge.PaymentMethodDetails?.Country ?? accountCountry;
        var fees = Fees.CardProcessing(amount, charge.Currency, cardCountry, accountCountry);
        var txn = new BalanceTransaction
        {
            Id = ids.Next("txn"), AccountId = charge.AccountId, Created = now,
            Amount = amount, Currency = charge.Currency, Fee = fees.Total, FeeDetails = fees.Details,
            Type = BalanceTransactionType.Charge, ReportingCategory = ReportingCategory.Charge,
            Source = charge.Id, Description = charge.Description,
            AvailableOn = BalanceRules.AvailableOn(now, charge.Funds),
        };
        var captured = charge with { Captured = true, AmountCaptured = amount, BalanceTransaction = txn.Id };
        return (captured, txn);
    }
}
