namespace MockProcessor.Domain.Search;

// What a searchable resource exposes to a query. Return null for an absent field or metadata key;
// the server decides how its stored objects map onto field names (e.g. charges' "refunded" token).
public interface ISearchDocument
{
    string? GetString(string field);
    long? GetNumber(string field);
    string? GetMetadata(string key);
}
