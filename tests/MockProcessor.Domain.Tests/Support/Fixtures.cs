using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;

namespace MockProcessor.Domain.Tests.Support;

// Builders for the payments tests: a seeded id source, test cards by alias, a PaymentMethod for a card.
public static class Fixtures
{
    public const string Account = "acct_test0000000000";
    public const long Now = 1_700_000_000; // 2023-11-14T22:13:20Z

    public static IdGenerator NewIds() => new(seed: 42);

    public static TestCard Card(string pmAlias) =>
        TestCardCatalogue.Default.ByPaymentMethodAlias(pmAlias) ?? throw new ArgumentException($"no test card {pmAlias}");

    public static PaymentMethod PaymentMethodFor(TestCard card, IdGenerator ids, bool cvc = true) => new()
    {
        Id = ids.Next("pm"), AccountId = Account, Created = Now,
        Card = new CardDetails(card.Brand, card.DisplayBrand, card.Country, 12, 2034, "fp" + card.Last4, card.Funding, card.Last4,
            cvc ? "unchecked" : null, null, null) { TestCardKey = card.Number },
    };

    public static T Ok<T>(Outcome<T> outcome)
    {
        Assert.True(!outcome.IsError, outcome.Error?.Message);
        return outcome.Value;
    }

    public static StripeError Err<T>(Outcome<T> outcome)
    {
        Assert.True(outcome.IsError, "expected an error, got a value");
        return outcome.Error!;
    }

    public static PaymentIntent NewIntent(IdGenerator ids, long amount = 2000, string currency = "usd",
        CaptureMethod capture = CaptureMethod.Automatic, ConfirmationMethod confirmation = ConfirmationMethod.Automatic) =>
        // Card-only, as server-side integrations that confirm without a return_url create them.
        Ok(PaymentIntentRules.Create(new CreatePaymentIntent(amount, currency) { CaptureMethod = capture, ConfirmationMethod = confirmation, PaymentMethodTypes = ["card"] },
            Account, Now, ids)).PaymentIntent;

    // Create + confirm with a test card, as create(confirm=true) does.
    public static PaymentIntentChange Pay(string pmAlias, IdGenerator ids, long amount = 2000, string currency = "usd",
        CaptureMethod capture = CaptureMethod.Automatic, ConfirmOptions? options = null, bool cvc = true)
    {
        var card = Card(pmAlias);
        var pi = NewIntent(ids, amount, currency, capture);
        return Ok(PaymentIntentRules.Confirm(pi, PaymentMethodFor(card, ids, cvc), card, options ?? new ConfirmOptions(), Now, ids));
    }
}
