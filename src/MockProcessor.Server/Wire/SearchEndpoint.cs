using System.Text;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Search;

namespace MockProcessor.Server.Wire;

/// <summary>
/// Stripe's <c>/search</c> endpoints, once for every resource: <c>query</c>, <c>limit</c>, <c>page</c>
/// (the opaque cursor from <c>next_page</c>) and <c>expand[]=total_count</c>.
/// Deviation: Stripe's search index lags writes by up to a minute; ours is consistent at once.
/// </summary>
public static class SearchEndpoint
{
    public static ApiResult Run<T>(ApiContext c, SearchSchema schema, string url, IEnumerable<T> newestFirst, Func<T, ISearchDocument> doc)
        where T : StripeObject
    {
        var p = c.P;
        var text = p.RequiredString("query", 10_000);
        var limit = p.Long("limit");
        if (limit is < 1 or > 100)
            throw new StripeException(StripeError.InvalidValue("limit", "Invalid limit: must be between 1 and 100"), beforeExecution: true);
        var page = p.String("page");
        var query = SearchQuery.Parse(text, schema);
        if (query.IsError) throw new StripeException(query.Error!, beforeExecution: true);
        var after = page is null ? null : DecodePage(page);

        var matches = newestFirst.Where(o => query.Value.Matches(doc(o)));
        var source = after is null ? matches : matches.SkipWhile(o => o.Id != after).Skip(1);
        var take = (int)(limit ?? 10);
        var items = source.Take(take + 1).ToList();
        var hasMore = items.Count > take;
        if (hasMore) items.RemoveAt(items.Count - 1);

        var data = new JsonArray();
        var itemExpand = c.Expand.Child("data") ?? ExpandNode.None;
        foreach (var o in items) data.Add(c.Render.Render(o, itemExpand));
        var result = new JsonObject
        {
            ["object"] = "search_result",
            ["data"] = data,
            ["has_more"] = hasMore,
            ["next_page"] = hasMore ? EncodePage(items[^1].Id) : null,
            ["url"] = url,
        };
        if (c.Expand.Child("total_count") is not null) result["total_count"] = matches.Count();
        return result;
    }

    private static string EncodePage(string lastId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("after:" + lastId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodePage(string page)
    {
        try
        {
            var b64 = page.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            if (text.StartsWith("after:", StringComparison.Ordinal)) return text[6..];
        }
        catch (FormatException) { }
        throw new StripeException(StripeError.InvalidValue("page", $"Invalid page: '{page}' is not a page token returned by this search."), beforeExecution: true);
    }
}
