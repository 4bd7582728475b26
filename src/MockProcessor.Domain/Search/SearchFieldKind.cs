namespace MockProcessor.Domain.Search;

// The field types of Stripe's search query language; the kind decides which operators a field accepts.
public enum SearchFieldKind
{
    // Free text (email, name): ':' matches the query's words in order, '~' is a substring (>= 3 chars).
    String,
    // Ids, currency, status, "true"/"false": ':' only, exact and case-insensitive.
    Token,
    // amount, created, total: ':' '=' '>' '<' '>=' '<='.
    Number,
    // metadata["key"] / metadata['key']: ':' only, compared like a token.
    Metadata,
}
