using System.Collections.Immutable;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Accounts;

/// <summary>Reads the account parameters onboarding (control API) and <c>/v1/accounts</c> share into an <see cref="AccountProfile"/>.</summary>
public static class AccountForm
{
    public static string Country(Params p, string current)
    {
        var c = p.String("country", 2);
        if (c is null) return current;
        if (!Countries.IsKnown(c))
            throw new StripeException(StripeError.InvalidValue("country",
                $"Country '{c}' is unknown: use a two-letter ISO 3166-1 country code, such as US or DE."), beforeExecution: true);
        return c.ToUpperInvariant();
    }

    public static string Currency(Params p, string current)
    {
        var c = p.String("default_currency", 3)?.ToLowerInvariant();
        if (c is null) return current;
        Currencies.ValidateCurrency(c, "default_currency").OrThrow();
        return c;
    }

    /// <summary><c>business_profile[...]</c> of /v1/accounts: absent fields keep their values.</summary>
    public static AccountProfile BusinessProfile(Params p, AccountProfile current)
    {
        if (p.Object("business_profile") is not { } bp) return current;
        return current with
        {
            Name = bp.String("name") ?? current.Name,
            BusinessUrl = bp.String("url") ?? current.BusinessUrl,
            SupportEmail = bp.String("support_email") ?? current.SupportEmail,
            Mcc = bp.String("mcc", 4) ?? current.Mcc,
        };
    }

    /// <summary><c>capabilities[card_payments][requested]=true</c>: requested capabilities start inactive until onboarding completes.</summary>
    public static ImmutableSortedDictionary<string, string> Capabilities(Params p, ImmutableSortedDictionary<string, string> current, bool active)
    {
        if (p.Object("capabilities") is not { } caps) return current;
        var result = current;
        foreach (var name in caps.Keys.ToList())
        {
            var requested = caps.Object(name)?.Bool("requested");
            if (requested is true) result = result.SetItem(name, active ? "active" : "inactive");
            else if (requested is false) result = result.Remove(name);
        }
        return result;
    }

    /// <summary>Onboarding's <c>business[...]</c>: address, tax id, url, mcc.</summary>
    public static AccountProfile Business(Params p, AccountProfile current)
    {
        if (p.Object("business") is not { } b) return current;
        return current with
        {
            Address = AddressForm.Patch(b, "address", current.Address),
            TaxId = b.String("tax_id", 100) ?? current.TaxId,
            BusinessUrl = b.String("url") ?? current.BusinessUrl,
            Mcc = b.String("mcc", 4) ?? current.Mcc,
        };
    }
}
