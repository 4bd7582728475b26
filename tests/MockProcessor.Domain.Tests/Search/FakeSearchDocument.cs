using MockProcessor.Domain.Search;

namespace MockProcessor.Domain.Tests.Search;

internal sealed class FakeSearchDocument : ISearchDocument
{
    public Dictionary<string, string?> Strings { get; } = new();
    public Dictionary<string, long?> Numbers { get; } = new();
    public Dictionary<string, string> Metadata { get; } = new();

    public string? GetString(string field) => Strings.GetValueOrDefault(field);
    public long? GetNumber(string field) => Numbers.GetValueOrDefault(field);
    public string? GetMetadata(string key) => Metadata.GetValueOrDefault(key);

    // The customer most tests search for.
    public static FakeSearchDocument Jenny()
    {
        var doc = new FakeSearchDocument();
        doc.Strings["email"] = "jenny.rosen@example.com";
        doc.Strings["name"] = "Jenny Q. Rosen";
        doc.Strings["currency"] = "usd";
        doc.Strings["status"] = "succeeded";
        doc.Numbers["created"] = 1_700_000_000;
        doc.Numbers["amount"] = 2000;
        doc.Metadata["order_id"] = "ORD-42";
        doc.Metadata["donation-id"] = "asdf-jkl";
        return doc;
    }
}

internal static class TestSchema
{
    public static SearchSchema Instance { get; } = new("customers", new Dictionary<string, SearchFieldKind>
    {
        ["email"] = SearchFieldKind.String,
        ["name"] = SearchFieldKind.String,
        ["phone"] = SearchFieldKind.String,
        ["currency"] = SearchFieldKind.Token,
        ["status"] = SearchFieldKind.Token,
        ["created"] = SearchFieldKind.Number,
        ["amount"] = SearchFieldKind.Number,
        ["metadata"] = SearchFieldKind.Metadata,
        ["payment_method_details.card.last4"] = SearchFieldKind.Token,
    });
}
