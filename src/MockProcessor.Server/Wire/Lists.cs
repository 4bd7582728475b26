using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Server.Wire;

/// <summary>Stripe's list parameters: <c>limit</c> (1..100, default 10), cursors, and the <c>created</c> range filter.</summary>
public sealed record ListParams(int Limit, string? StartingAfter, string? EndingBefore, RangeFilter? Created)
{
    /// <summary><paramref name="created"/> false: a list without Stripe's <c>created</c> filter (tax IDs).</summary>
    public static ListParams Read(Params p, bool created = true)
    {
        var limit = p.Long("limit");
        if (limit is < 1 or > 100)
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, null,
                $"Invalid limit: must be between 1 and 100", "limit"), beforeExecution: true);
        var after = p.String("starting_after");
        var before = p.String("ending_before");
        if (after is not null && before is not null)
            throw new StripeException(StripeError.ParametersExclusive("starting_after", "ending_before"), beforeExecution: true);
        return new ListParams((int)(limit ?? 10), after, before, created ? RangeFilter.Read(p, "created") : null);
    }
}

/// <summary><c>created=N</c> or <c>created[gt|gte|lt|lte]=N</c>.</summary>
public sealed record RangeFilter(long? Eq, long? Gt, long? Gte, long? Lt, long? Lte)
{
    public static RangeFilter? Read(Params p, string key)
    {
        if (!p.Has(key)) { p.Accept(key); return null; }
        if (p.IsHash(key) && p.Object(key) is { } o)
        {
            var f = new RangeFilter(null, o.Long("gt"), o.Long("gte"), o.Long("lt"), o.Long("lte"));
            return f;
        }
        return p.Long(key) is { } eq ? new RangeFilter(eq, null, null, null, null) : null;
    }

    public bool Matches(long v) =>
        (Eq is null || v == Eq) && (Gt is null || v > Gt) && (Gte is null || v >= Gte) && (Lt is null || v < Lt) && (Lte is null || v <= Lte);
}

public static class Lists
{
    /// <summary>
    /// One page of a newest-first sequence. <c>starting_after</c> returns what follows the cursor;
    /// <c>ending_before</c> returns the items just before it, still newest first.
    /// </summary>
    public static (List<T> Page, bool HasMore) Page<T>(IEnumerable<T> newestFirst, ListParams lp, Func<T, bool>? filter, string objectName)
        where T : StripeObject
    {
        bool Keep(T o) => (lp.Created is null || lp.Created.Matches(o.Created)) && (filter is null || filter(o));

        // A listing from the store seeks to the cursor in its index; anything else is walked from the newest.
        if (newestFirst is Storage.Listing<T> listing)
        {
            if (lp.StartingAfter is { } cursor && listing.OlderThan(cursor) is { } older)
                return TakePage(older, Keep, lp.Limit);
            if (lp.EndingBefore is { } end && listing.NewerThan(end) is { } newer)
            {
                var (oldestFirst, more) = TakePage(newer, Keep, lp.Limit);
                oldestFirst.Reverse();
                return (oldestFirst, more);
            }
        }

        if (lp.EndingBefore is { } before)
        {
            var preceding = new List<T>();
            var found = false;
            foreach (var o in newestFirst)
            {
                if (o.Id == before) { found = true; break; }
                if (Keep(o)) preceding.Add(o);
            }
            if (!found) throw CursorMissing(objectName, before, "ending_before");
            var start = Math.Max(0, preceding.Count - lp.Limit);
            return (preceding.GetRange(start, preceding.Count - start), start > 0);
        }

        var page = new List<T>(Math.Min(lp.Limit + 1, 101));
        var passedCursor = lp.StartingAfter is null;
        foreach (var o in newestFirst)
        {
            if (!passedCursor)
            {
                passedCursor = o.Id == lp.StartingAfter;
                continue;
            }
            if (!Keep(o)) continue;
            page.Add(o);
            if (page.Count > lp.Limit) break;
        }
        if (!passedCursor) throw CursorMissing(objectName, lp.StartingAfter!, "starting_after");
        var hasMore = page.Count > lp.Limit;
        if (hasMore) page.RemoveAt(page.Count - 1);
        return (page, hasMore);
    }

    private static (List<T> Page, bool HasMore) TakePage<T>(IEnumerable<T> items, Func<T, bool> keep, int limit)
    {
        var page = new List<T>(Math.Min(limit + 1, 101));
        foreach (var o in items)
        {
            if (!keep(o)) continue;
            page.Add(o);
            if (page.Count > limit) break;
        }
        var hasMore = page.Count > limit;
        if (hasMore) page.RemoveAt(page.Count - 1);
        return (page, hasMore);
    }

    private static StripeException CursorMissing(string objectName, string id, string param) =>
        new(StripeError.ResourceMissing(objectName, id, param));

    public static JsonObject Render<T>(List<T> page, bool hasMore, string url, RenderContext ctx, ExpandNode expand) where T : StripeObject
    {
        var data = new JsonArray();
        var itemExpand = expand.Child("data") ?? ExpandNode.None;
        foreach (var o in page) data.Add(ctx.Render(o, itemExpand));
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = hasMore, ["url"] = url };
    }
}
