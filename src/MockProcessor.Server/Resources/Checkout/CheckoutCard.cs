using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Checkout;

/// <summary>
/// The card a customer enters on the hosted page (or a control call names) as a new PaymentMethod, through the same
/// card checks as the API (<see cref="CardForm"/>: Stripe's card errors for a wrong number, expiry or CVC). The number
/// is never stored: the PaymentMethod keeps last4, brand and the test card's key.
/// </summary>
public static class CheckoutCard
{
    public static PaymentMethod FromFields(ApiContext c, string number, string expMonth, string expYear, string? cvc, string? email, string? name)
    {
        var form = new FormObject();
        form.Set("number", new FormString(number));
        form.Set("exp_month", new FormString(expMonth));
        form.Set("exp_year", new FormString(expYear));
        if (!string.IsNullOrEmpty(cvc)) form.Set("cvc", new FormString(cvc));
        var details = CardForm.Read(new Params(form), c.Now, postalSupplied: false, line1Supplied: false);
        var pm = new PaymentMethod
        {
            Id = c.Ids.Next("pm"), AccountId = c.Account.Id, Created = c.Now, Card = details,
            BillingDetails = new BillingDetails(null, email, name, null),
        };
        c.Tx.Put(pm);
        return pm;
    }

    /// <summary>An existing PaymentMethod or a catalogue alias (<c>pm_card_visa</c>), with the page's email and name.</summary>
    public static PaymentMethod FromPaymentMethod(ApiContext c, string id, string? email, string? name, string param)
    {
        var pm = PaymentMethodEndpoints.Resolve(c, id, param);
        if (email is null && name is null) return pm;
        var billing = pm.BillingDetails with { Email = email ?? pm.BillingDetails.Email, Name = name ?? pm.BillingDetails.Name };
        var updated = pm with { BillingDetails = billing };
        c.Tx.Put(updated);
        return updated;
    }

    /// <summary>"12 / 34", "12/2034", "1234": month and year as the page's single expiry field has them.</summary>
    public static (string Month, string Year) SplitExpiry(string raw)
    {
        var digits = new string(raw.Where(char.IsAsciiDigit).ToArray());
        var slash = raw.IndexOf('/');
        if (slash >= 0)
            return (new string(raw[..slash].Where(char.IsAsciiDigit).ToArray()), new string(raw[(slash + 1)..].Where(char.IsAsciiDigit).ToArray()));
        return digits.Length >= 3 ? (digits[..2], digits[2..]) : (digits, "");
    }
}
