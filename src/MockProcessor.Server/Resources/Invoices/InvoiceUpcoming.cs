using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Wire;
using MockProcessor.Server.Wire.Versions;

namespace MockProcessor.Server.Resources.Invoices;

/// <summary>
/// <c>GET /v1/invoices/upcoming</c> and <c>/upcoming/lines</c> (docs/billing.md): the preview of the next invoice at the
/// API versions that still had them (before <c>2025-03-31.basil</c>, API_VERSIONS C40), answered by the code of
/// <c>POST /v1/invoices/create_preview</c> with the old parameter names. At basil and later the path is what it is for
/// Stripe's router then, an invoice retrieve of the id <c>upcoming</c>: 404 <c>resource_missing</c>.
/// </summary>
public static class InvoiceUpcoming
{
    public static readonly ApiVersion RemovedIn = ApiVersions.Known("2025-03-31.basil");
    private const string Base = "/v1/invoices/upcoming";
    private const string Common = "currency customer subscription subscription_items subscription_proration_behavior subscription_proration_date";

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", Base, InvoiceJson.Object, Upcoming) { Params = Common },
        new("GET", Base + "/lines", "list:line_item", Lines) { Params = Common + " ending_before limit starting_after" },
    ];

    private static JsonObject Build(ApiContext c)
    {
        if (c.Version.CompareTo(RemovedIn) >= 0)
            throw new StripeException(StripeError.ResourceMissing("invoice", "upcoming", "id"));
        var p = c.P;
        var items = p.ObjectList("subscription_items");
        var behavior = p.Enum<ProrationBehavior>("subscription_proration_behavior");
        var date = p.Long("subscription_proration_date");
        var change = items is null && behavior is null && date is null ? null
            : new InvoiceEndpoints.PreviewChange(behavior, date, items, "subscription_items");
        return InvoiceEndpoints.BuildPreview(c, p.String("subscription", 100), p.String("customer", 100), p.String("currency", 3)?.ToLowerInvariant(), change);
    }

    private static ApiResult Upcoming(ApiContext c) => Build(c);

    /// <summary>The preview's lines as a list (the <c>il_tmp_</c> ids are new on every call, as the preview's are).</summary>
    private static ApiResult Lines(ApiContext c)
    {
        var p = c.P;
        var limit = p.Long("limit");
        if (limit is < 1 or > 100) throw new StripeException(StripeError.InvalidValue("limit", "Invalid limit: must be between 1 and 100"), beforeExecution: true);
        var after = p.String("starting_after", 100);
        var before = p.String("ending_before", 100);
        if (after is not null && before is not null) throw new StripeException(StripeError.ParametersExclusive("starting_after", "ending_before"), beforeExecution: true);
        var lines = Build(c)["lines"]!["data"]!.AsArray().Select(l => l!.DeepClone()).ToList();
        int Index(string id, string param) => lines.FindIndex(l => (string?)l["id"] == id) is var i and >= 0 ? i
            : throw new StripeException(StripeError.ResourceMissing("line_item", id, param));
        var take = (int)(limit ?? 10);
        var start = after is not null ? Index(after, "starting_after") + 1 : before is not null ? Math.Max(0, Index(before, "ending_before") - take) : 0;
        var end = before is not null ? Index(before, "ending_before") : Math.Min(lines.Count, start + take);
        var data = new JsonArray();
        foreach (var l in lines.Skip(start).Take(end - start)) data.Add(l);
        return new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["has_more"] = before is not null ? start > 0 : end < lines.Count, ["url"] = Base + "/lines",
        };
    }
}
