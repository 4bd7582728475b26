using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Ids;

namespace MockProcessor.Domain.Connect;

/// <summary>The arithmetic of Connect money movement (docs/connect.md); the server stores and announces what it returns.</summary>
public static class ConnectRules
{
    /// <summary>
    /// Checks a PaymentIntent's Connect parameters: a fee needs a direct charge (made as a connected account) or a
    /// destination; fee and transfer amount fit in the payment; a connected account cannot send to another.
    /// </summary>
    public static StripeError? Validate(ConnectPayment cp, long amount, bool asConnectedAccount)
    {
        if (cp.ApplicationFeeAmount is { } fee)
        {
            if (!asConnectedAccount && cp.TransferDestination is null)
                return StripeError.InvalidValue("application_fee_amount",
                    "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).");
            if (fee < 0 || fee > amount)
                return StripeError.InvalidValue("application_fee_amount", $"The application_fee_amount ({fee}) must be between 0 and the amount ({amount}).");
        }
        if (asConnectedAccount && cp.TransferDestination is not null)
            return StripeError.InvalidValue("transfer_data[destination]", "A connected account cannot make destination charges; make the call as the platform.");
        if (cp.TransferAmount is { } t && (t < 0 || t > amount))
            return StripeError.InvalidValue("transfer_data[amount]", $"The transfer amount ({t}) must be between 0 and the amount ({amount}).");
        if (cp.TransferAmount is not null && cp.ApplicationFeeAmount is not null)
            return StripeError.ParametersExclusive("application_fee_amount", "transfer_data[amount]");
        return null;
    }

    /// <summary>What a destination charge transfers of a captured amount: transfer_data[amount], else the amount less the fee.</summary>
    public static long TransferAmount(ConnectPayment cp, long captured) =>
        Math.Clamp(cp.TransferAmount ?? captured - (cp.ApplicationFeeAmount ?? 0), 0, captured);

    /// <summary>
    /// The share of <paramref name="total"/> a refund gives back, proportional to the charge's refunded part and
    /// computed on the cumulative refunded amount (floor), so a full refund returns exactly the rest.
    /// </summary>
    public static long ProportionalShare(long total, long alreadyReturned, long chargeAmount, long refundedAfter)
    {
        if (chargeAmount <= 0) return 0;
        var target = refundedAfter >= chargeAmount ? total : checked(total * refundedAfter / chargeAmount);
        return Math.Max(0, target - alreadyReturned);
    }

    /// <summary>A Connect balance transaction: no Stripe fee, available with the money it follows.</summary>
    public static BalanceTransaction Book(IdGenerator ids, string accountId, long now, long amount, string currency,
        BalanceTransactionType type, ReportingCategory category, string source, long availableOn, string? description = null) => new()
    {
        Id = ids.Next("txn"), AccountId = accountId, Created = now, Amount = amount, Currency = currency,
        Type = type, ReportingCategory = category, Source = source, AvailableOn = availableOn, Description = description,
    };
}
