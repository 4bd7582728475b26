using MockProcessor.Domain.CardNetwork;

namespace MockProcessor.Server.Resources.PaymentMethods;

/// <summary>
/// Finds the catalogue entry behind a stored card. We keep no card numbers, so a card made from a raw test
/// number is keyed by its fingerprint and a card made from an alias by the alias (aliases can share a
/// number but not a behaviour). <see cref="Domain.PaymentMethods.CardDetails.TestCardKey"/> holds that key.
/// </summary>
public sealed class TestCards
{
    private readonly Dictionary<string, TestCard> _byFingerprint = new(StringComparer.Ordinal);

    public TestCards(TestCardCatalogue catalogue)
    {
        Catalogue = catalogue;
        foreach (var card in catalogue.All)
            if (!card.AliasOnly) _byFingerprint.TryAdd(CardNumbers.Fingerprint(card.Number), card);
    }

    public TestCardCatalogue Catalogue { get; }

    public static string KeyForNumber(string number) => "fp:" + CardNumbers.Fingerprint(number);
    public static string KeyForAlias(string alias) => "alias:" + alias;

    public TestCard? Resolve(string key) =>
        key.StartsWith("fp:", StringComparison.Ordinal) ? _byFingerprint.GetValueOrDefault(key[3..])
        : key.StartsWith("alias:", StringComparison.Ordinal)
            ? Catalogue.ByPaymentMethodAlias(key[6..]) ?? Catalogue.ByTokenAlias(key[6..])
            : null;
}
