namespace MockProcessor.Domain.Search;

// The searchable fields of one resource (see StripeSearchSchemas for Stripe's own tables).
public sealed class SearchSchema
{
    public SearchSchema(string resource, IReadOnlyDictionary<string, SearchFieldKind> fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resource);
        ArgumentNullException.ThrowIfNull(fields);
        Resource = resource;
        // Field names are matched exactly, as Stripe documents them (lower snake_case).
        Fields = new Dictionary<string, SearchFieldKind>(fields, StringComparer.Ordinal);
    }

    public string Resource { get; }
    public IReadOnlyDictionary<string, SearchFieldKind> Fields { get; }
}
