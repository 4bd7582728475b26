using MockProcessor.Server.Storage;
using MockProcessor.Domain.Events;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Events;

public static class EventEndpoints
{
    public static readonly SecondaryIndex<Event> ByType = new("event", "type", e => e.Type);

    /// <summary>An object's events (the dashboard's payment page: the events of an intent, its charges, refunds, disputes).</summary>
    public static readonly SecondaryIndex<Event> ByObject = new("event", "object", e => e.Snapshot.Id);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/events", "list:event", List) { Params = "created delivery_success ending_before limit starting_after type types" },
        new("GET", "/v1/events/{id}", "event", Retrieve) { Params = "" },
    ];

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<Event>(c.Route("id"), "event"));

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var type = c.P.String("type");
        var types = c.P.StringList("types");
        c.P.Accept("delivery_success");
        // An exact type is an index read; a wildcard (charge.*) or a set of types filters the whole list.
        var source = type is not null && !type.EndsWith(".*", StringComparison.Ordinal) ? c.Tx.Find(ByType, type) : c.Tx.NewestFirst<Event>("event");
        var (page, more) = Lists.Page(source, lp, e =>
            (type is null || TypeMatches(type, e.Type)) && (types is null || types.Any(t => TypeMatches(t, e.Type))), "event");
        return Lists.Render(page, more, "/v1/events", c.Render, c.Expand);
    }

    /// <summary>Stripe's type filter accepts a trailing wildcard: <c>charge.*</c>.</summary>
    private static bool TypeMatches(string filter, string type) =>
        filter.EndsWith(".*", StringComparison.Ordinal)
            ? type.StartsWith(filter[..^1], StringComparison.Ordinal)
            : filter == type;
}
