using System.Text.Json.Nodes;
using MockProcessor.Domain.Customers;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Shared;

/// <summary>Stripe's address hash, read from a form and rendered back (every field present, null when unset).</summary>
public static class AddressForm
{
    public static Address? Read(Params? p)
    {
        if (p is null) return null;
        return new Address(p.String("line1"), p.String("line2"), p.String("city"), p.String("state"),
            p.String("postal_code"), p.String("country"));
    }

    /// <summary>For updates: absent keeps <paramref name="current"/>; <c>key=</c> (empty) unsets; a hash replaces.</summary>
    public static Address? Patch(Params p, string key, Address? current) =>
        p.Has(key) ? Read(p.Object(key)) : current;

    public static JsonObject Render(Address? a) => new()
    {
        ["city"] = a?.City, ["country"] = a?.Country, ["line1"] = a?.Line1, ["line2"] = a?.Line2,
        ["postal_code"] = a?.PostalCode, ["state"] = a?.State,
    };
}
