using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.PaymentMethods;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.Customers;

public class CardSourceRulesTests
{
    private static CardSource NewCard(string pmAlias, IdGenerator ids, long created = Now, bool cvc = true, bool postal = false)
    {
        var card = Card(pmAlias);
        return new CardSource
        {
            Id = ids.Next("card"), AccountId = Account, Created = created,
            Details = new CardDetails(card.Brand, card.DisplayBrand, card.Country, 12, 2034, "fp" + card.Last4, card.Funding, card.Last4,
                cvc ? "unchecked" : null, null, postal ? "unchecked" : null) { TestCardKey = card.Number },
        };
    }

    private static Customer NewCustomer(string? defaultSource = null) =>
        new() { Id = "cus_test00000000", AccountId = Account, Created = Now, DefaultSource = defaultSource };

    [Fact]
    public void Attach_runs_the_checks_of_the_values_supplied_and_names_the_customer()
    {
        var ids = NewIds();
        var saved = Ok(CardSourceRules.Attach(NewCard("pm_card_visa", ids, postal: true), "cus_1", Card("pm_card_visa")));
        Assert.Equal(("cus_1", "pass", "pass", (string?)null), (saved.Customer, saved.Details.CvcCheck, saved.Details.AddressPostalCodeCheck, saved.Details.AddressLine1Check));
        // A CVC check fails only on a CVC that was supplied: without one the cvcCheckFail card saves.
        var noCvc = Ok(CardSourceRules.Attach(NewCard("pm_card_cvcCheckFail", ids, cvc: false), "cus_1", Card("pm_card_cvcCheckFail")));
        Assert.Null(noCvc.Details.CvcCheck);
        Assert.Equal("incorrect_cvc", Err(CardSourceRules.Attach(NewCard("pm_card_cvcCheckFail", ids), "cus_1", Card("pm_card_cvcCheckFail"))).Code);
        var avs = Ok(CardSourceRules.Attach(NewCard("pm_card_avsZipFail", ids, postal: true), "cus_1", Card("pm_card_avsZipFail")));
        Assert.Equal("fail", avs.Details.AddressPostalCodeCheck);
    }

    [Theory]
    [InlineData("pm_card_visa_chargeDeclined", "card_declined", "generic_decline")]
    [InlineData("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds")]
    public void Attach_refuses_a_card_the_issuer_declines(string alias, string code, string declineCode)
    {
        var error = Err(CardSourceRules.Attach(NewCard(alias, NewIds()), "cus_1", Card(alias)));
        Assert.Equal((402, "card_error", code, declineCode), (error.Status, error.Type, error.Code, error.DeclineCode));
    }

    [Fact]
    public void Attach_accepts_the_card_that_fails_only_its_charges()
    {
        Assert.Equal("cus_1", Ok(CardSourceRules.Attach(NewCard("pm_card_chargeCustomerFail", NewIds()), "cus_1", Card("pm_card_chargeCustomerFail"))).Customer);
    }

    [Fact]
    public void A_new_card_becomes_the_default_only_when_there_is_none()
    {
        var ids = NewIds();
        var first = NewCard("pm_card_visa", ids);
        var second = NewCard("pm_card_mastercard", ids);
        var customer = CardSourceRules.AfterAdding(NewCustomer(), first);
        Assert.Equal(first.Id, customer.DefaultSource);
        Assert.Equal(first.Id, CardSourceRules.AfterAdding(customer, second).DefaultSource);
    }

    [Fact]
    public void Deleting_the_default_makes_the_most_recently_added_card_the_default()
    {
        var ids = NewIds();
        var oldest = NewCard("pm_card_visa", ids, Now);
        var middle = NewCard("pm_card_mastercard", ids, Now + 10);
        var newest = NewCard("pm_card_amex", ids, Now + 20);
        var customer = NewCustomer(middle.Id);
        Assert.Equal(newest.Id, CardSourceRules.AfterDeleting(customer, middle, [newest, middle, oldest]).DefaultSource);
        Assert.Same(customer, CardSourceRules.AfterDeleting(customer, oldest, [newest, middle]));
        Assert.Null(CardSourceRules.AfterDeleting(NewCustomer(oldest.Id), oldest, [oldest]).DefaultSource);
    }

    [Theory]
    [InlineData(13L, null, "invalid_expiry_month")]
    [InlineData(0L, null, "invalid_expiry_month")]
    [InlineData(null, 2020L, "invalid_expiry_year")]
    [InlineData(10L, 2023L, "invalid_expiry_month")] // Now is November 2023
    public void Expiry_updates_are_checked(long? month, long? year, string code)
    {
        Assert.Equal(code, Err(CardSourceRules.UpdateExpiry(NewCard("pm_card_visa", NewIds()), month, year, Now)).Code);
    }

    [Fact]
    public void Expiry_update_reads_two_digit_years_and_keeps_what_is_not_given()
    {
        var updated = Ok(CardSourceRules.UpdateExpiry(NewCard("pm_card_visa", NewIds()), null, 31, Now));
        Assert.Equal((12, 2031), (updated.Details.ExpMonth, updated.Details.ExpYear));
    }

    [Fact]
    public void A_saved_card_is_charged_as_a_payment_method_with_its_own_id()
    {
        var card = NewCard("pm_card_visa", NewIds()) with { Customer = "cus_1", Name = "Jenny", Address = new Address("1 Main", null, null, null, "94107", "US") };
        var pm = card.AsPaymentMethod();
        Assert.Equal((card.Id, "cus_1", "Jenny", "94107"), (pm.Id, pm.Customer, pm.BillingDetails.Name, pm.BillingDetails.Address!.PostalCode));
    }
}
