using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Search;

// A parsed Stripe search query (docs: "Search query language"). Parse once per request, then test
// each candidate object with Matches.
public sealed class SearchQuery
{
    private readonly IReadOnlyList<SearchClause> _clauses;
    private readonly bool _anyClause;

    internal SearchQuery(IReadOnlyList<SearchClause> clauses, bool anyClause)
    {
        _clauses = clauses;
        _anyClause = anyClause;
    }

    // Errors are 400 invalid_request_error with param "query" and a message naming the position.
    public static Outcome<SearchQuery> Parse(string query, SearchSchema schema) => SearchParser.Parse(query, schema);

    public bool Matches(ISearchDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        return _anyClause ? _clauses.Any(c => c.Matches(doc)) : _clauses.All(c => c.Matches(doc));
    }

    // Canonical text (explicit AND/OR, double quotes); handy in logs and tests.
    public override string ToString() => string.Join(_anyClause ? " OR " : " AND ", _clauses);
}
