using System.Collections.Immutable;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentMethods;

namespace MockProcessor.Domain.Customers;

/// <summary>
/// A card saved on a customer through the card-era API (<c>card_</c>, <c>object: "card"</c>): the customer's
/// <c>sources</c>. As with a PaymentMethod, only what Stripe shows back is kept (never the number or CVC).
/// A deleted card stays stored (charges keep a copy of it) but is gone from its customer.
/// </summary>
public sealed record CardSource : StripeObject
{
    public override string ObjectType => "card";
    public required CardDetails Details { get; init; }
    public string? Customer { get; init; }
    public string? Name { get; init; }
    public Address? Address { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public bool Deleted { get; init; }

    /// <summary>
    /// The card as the card network sees a payment instrument. Stripe reports a source charge's
    /// <c>payment_method</c> as the card's own id, and its billing details from the card's name and address.
    /// </summary>
    public PaymentMethod AsPaymentMethod() => new()
    {
        Id = Id, AccountId = AccountId, Created = Created, Card = Details, Customer = Customer,
        BillingDetails = new BillingDetails(Address, null, Name, null), Metadata = Metadata,
    };
}

/// <summary>The rules of a customer's saved cards: attaching, the default source, expiry updates.</summary>
public static class CardSourceRules
{
    /// <summary>
    /// Saving a card to a customer: Stripe verifies it with the issuer, so a card the issuer declines cannot be
    /// saved (402 with the decline, §18.3; the same answer as attaching such a PaymentMethod), and the checks of
    /// the values that were supplied (CVC, address line 1, postal code) are run and reported on the card.
    /// </summary>
    public static Outcome<CardSource> Attach(CardSource card, string customerId, TestCard? test)
    {
        if (test?.DeclineOnSave(cvcSupplied: card.Details.CvcCheck is not null) is { } declined) return declined;
        var d = card.Details;
        if (test is not null)
        {
            var behavior = test.Behavior;
            d = d with
            {
                CvcCheck = d.CvcCheck is null ? null : behavior.CvcCheck.ToWire(),
                AddressLine1Check = d.AddressLine1Check is null ? null : behavior.AddressLine1Check.ToWire(),
                AddressPostalCodeCheck = d.AddressPostalCodeCheck is null ? null : behavior.AddressPostalCodeCheck.ToWire(),
            };
        }
        return card with { Customer = customerId, Details = d };
    }

    /// <summary>A new card becomes the default only when the customer has none (Stripe's card creation docs).</summary>
    public static Customer AfterAdding(Customer customer, CardSource card) =>
        customer.DefaultSource is null ? customer with { DefaultSource = card.Id } : customer;

    /// <summary>
    /// The customer after one of its cards is deleted: deleting the default makes the most recently added
    /// remaining card the default, or none when it was the last (Stripe's "Delete a card" docs).
    /// </summary>
    public static Customer AfterDeleting(Customer customer, CardSource deleted, IEnumerable<CardSource> remainingNewestFirst) =>
        customer.DefaultSource != deleted.Id
            ? customer
            : customer with { DefaultSource = remainingNewestFirst.FirstOrDefault(c => c.Id != deleted.Id)?.Id };

    /// <summary>A new expiry on a saved card: month 1–12, a four-digit (or two-digit) year not in the past.</summary>
    public static Outcome<CardSource> UpdateExpiry(CardSource card, long? month, long? year, long now)
    {
        if (month is < 1 or > 12) return StripeError.InvalidExpiryMonth();
        var y = year is < 100 ? year + 2000 : year;
        var today = DateTimeOffset.FromUnixTimeSeconds(now).UtcDateTime;
        if (y is not null && (y < today.Year || y > today.Year + 50)) return StripeError.InvalidExpiryYear();
        var details = card.Details with { ExpMonth = (int)(month ?? card.Details.ExpMonth), ExpYear = (int)(y ?? card.Details.ExpYear) };
        if (details.ExpYear == today.Year && details.ExpMonth < today.Month) return StripeError.InvalidExpiryMonth();
        return card with { Details = details };
    }
}
