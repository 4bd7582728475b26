using System.Globalization;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.TaxRates;

/// <summary>
/// <c>/v1/tax_rates</c> (docs/discounts.md, "Tax rates"): create, retrieve, update, list. <c>percentage</c> and
/// <c>inclusive</c> are fixed once created; there is no DELETE (archive with <c>active=false</c>, which only blocks new use).
/// </summary>
public static class TaxRateEndpoints
{
    private const string Base = "/v1/tax_rates";

    private static readonly string[] TaxTypes =
    [
        "admissions_tax", "amusement_tax", "attendance_tax", "communications_tax", "digital_excise_tax", "entertainment_tax", "get_fund",
        "gross_receipts_tax", "gst", "hospitality_tax", "hst", "igst", "jct", "lease_tax", "luxury_tax", "mass_transit_parking_tax", "nhil",
        "parking_tax", "pst", "qst", "resort_tax", "retail_delivery_fee", "rst", "sales_tax", "service_tax", "tourism_tax", "utility_users_tax", "vat",
    ];

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", Base, "tax_rate", Create)
            { Params = "active country description display_name inclusive jurisdiction metadata percentage state tax_type" },
        new("GET", Base, "list:tax_rate", List) { Params = "active created ending_before inclusive limit starting_after" },
        new("GET", Base + "/{id}", "tax_rate", Retrieve) { Params = "" },
        new("POST", Base + "/{id}", "tax_rate", Update)
            { Params = "active country description display_name jurisdiction metadata state tax_type" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var displayName = p.RequiredString("display_name", 50);
        var percentText = p.RequiredString("percentage", 20);
        if (!decimal.TryParse(percentText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percentage) || percentage < 0 || percentage > 100)
            throw new StripeException(StripeError.InvalidValue("percentage", $"Invalid percentage: {percentText}; it must be between 0 and 100."));
        var inclusive = p.Bool("inclusive") ?? throw new StripeException(StripeError.ParameterMissing("inclusive"), beforeExecution: true);
        var rate = new TaxRate
        {
            Id = c.Ids.Next("txr"), AccountId = c.Account.Id, Created = c.Now, DisplayName = displayName, Percentage = percentage,
            Inclusive = inclusive, Active = p.Bool("active") ?? true, Country = Country(p), State = p.String("state", 2),
            Jurisdiction = p.String("jurisdiction", 50), Description = p.String("description", 500), TaxType = p.Enum("tax_type", TaxTypes),
            Metadata = p.Metadata(Metadata.Empty),
        };
        c.Tx.Put(rate);
        c.Emit("tax_rate.created", rate);
        return c.Respond(rate);
    }

    private static string? Country(Params p)
    {
        var country = p.String("country", 2)?.ToUpperInvariant();
        if (country is not null && (country.Length != 2 || !country.All(char.IsAsciiLetter)))
            throw new StripeException(StripeError.InvalidValue("country", "country must be a two-letter ISO code."));
        return country;
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<TaxRate>(c.Route("id"), "tax_rate"));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = c.Load<TaxRate>(c.Route("id"), "tax_rate");
        var after = before with { Metadata = p.Metadata(before.Metadata), Active = p.Bool("active") ?? before.Active };
        if (p.String("display_name", 50) is { Length: > 0 } name) after = after with { DisplayName = name };
        if (p.Has("country")) after = after with { Country = p.IsEmpty("country") ? null : Country(p) };
        if (p.StringPatch("state", 2) is { IsSet: true } state) after = after with { State = state.Value };
        if (p.StringPatch("jurisdiction", 50) is { IsSet: true } j) after = after with { Jurisdiction = j.Value };
        if (p.StringPatch("description", 500) is { IsSet: true } d) after = after with { Description = d.Value };
        if (p.Has("tax_type")) after = after with { TaxType = p.Enum("tax_type", TaxTypes) };
        return c.Update(before, after, "tax_rate.updated");
    }

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var active = p.Bool("active");
        var inclusive = p.Bool("inclusive");
        var (page, more) = Lists.Page(c.Tx.NewestFirst<TaxRate>("tax_rate"), lp,
            r => (active is null || r.Active == active) && (inclusive is null || r.Inclusive == inclusive), "tax_rate");
        return Lists.Render(page, more, Base, c.Render, c.Expand);
    }

    public static JsonObject Render(TaxRate r, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = r.Id,
        ["object"] = "tax_rate",
        ["active"] = r.Active,
        ["country"] = r.Country,
        ["created"] = r.Created,
        ["description"] = r.Description,
        ["display_name"] = r.DisplayName,
        ["effective_percentage"] = (double)r.Percentage,
        ["flat_amount"] = null,
        ["inclusive"] = r.Inclusive,
        ["jurisdiction"] = r.Jurisdiction,
        ["jurisdiction_level"] = null,
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(r.Metadata),
        ["percentage"] = (double)r.Percentage,
        ["rate_type"] = "percentage",
        ["state"] = r.State,
        ["tax_type"] = r.TaxType,
    };
}
