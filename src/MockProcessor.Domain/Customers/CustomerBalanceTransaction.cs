using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Customers;

/// <summary>
/// One movement of a customer's invoice balance (<c>cbtxn_</c>, <c>customer_balance_transaction</c>): negative is
/// credit (lowers the next invoice), positive is debit. <see cref="EndingBalance"/> is the customer's balance after it.
/// Only <see cref="Description"/> and <see cref="Metadata"/> change after creation; there is no delete.
/// </summary>
public sealed record CustomerBalanceTransaction : StripeObject
{
    public override string ObjectType => "customer_balance_transaction";
    public required string Customer { get; init; }
    public long Amount { get; init; }
    public required string Currency { get; init; }
    public long EndingBalance { get; init; }
    /// <summary>adjustment, initial, applied_to_invoice, unapplied_from_invoice, invoice_too_small, …</summary>
    public required string Type { get; init; }
    public string? Description { get; init; }
    public string? Invoice { get; init; }
    /// <summary>The credit note that credited (or, voided, took back) this amount (type <c>credit_note</c>).</summary>
    public string? CreditNote { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

public static class CustomerBalanceRules
{
    /// <summary>The customer's balance is kept in one currency: the first movement fixes it, later ones must match.</summary>
    public static StripeError? CheckCurrency(Customer customer, string currency, string param = "currency") =>
        customer.Currency is { } own && own != currency
            ? StripeError.InvalidValue(param,
                $"The currency {currency} does not match the customer's currency {own}; a customer's balance is kept in one currency.")
            : null;
}
