using System.Text.Json;
using System.Text.Json.Serialization;

namespace MockProcessor.Domain.CardNetwork;

// The test cards of Stripe's testing docs, as data (CardNetwork/test-cards.json, embedded). Lookups are
// ordinal: Stripe ids are case-sensitive, so "pm_card_Visa" is not "pm_card_visa".
public sealed class TestCardCatalogue
{
    private const string ResourceName = "test-cards.json";

    private static readonly Lazy<TestCardCatalogue> DefaultCatalogue = new(LoadEmbedded);

    // Strict on purpose: a typo in the data file (unknown field, missing field, bad enum value, null where
    // the record says non-null) fails the first lookup loudly instead of silently changing behaviour.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    private readonly Dictionary<string, TestCard> _byNumber = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TestCard> _byPaymentMethod = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TestCard> _byToken = new(StringComparer.Ordinal);

    public TestCardCatalogue(IEnumerable<TestCard> cards)
    {
        All = cards.ToList();
        foreach (var card in All) Index(card);
        foreach (var card in All.Where(c => c.AliasOnly))
        {
            if (!_byNumber.ContainsKey(card.Number))
                throw Invalid(card, "is alias_only but no regular card has its number");
            if (card.PaymentMethods.Count + card.Tokens.Count == 0)
                throw Invalid(card, "is alias_only but has no aliases to find it by");
        }
    }

    public static TestCardCatalogue Default => DefaultCatalogue.Value;

    public IReadOnlyList<TestCard> All { get; }

    public TestCard? ByNumber(string number) => _byNumber.GetValueOrDefault(CardNumbers.Normalize(number));

    public TestCard? ByPaymentMethodAlias(string id) => _byPaymentMethod.GetValueOrDefault(id);

    public TestCard? ByTokenAlias(string id) => _byToken.GetValueOrDefault(id);

    public static TestCardCatalogue FromJson(string json)
    {
        List<TestCard>? cards;
        try
        {
            cards = JsonSerializer.Deserialize<List<TestCard>>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Test-card catalogue JSON is malformed: {e.Message}", e);
        }
        return new(cards ?? throw new InvalidDataException("Test-card catalogue is empty (JSON null)."));
    }

    private static TestCardCatalogue LoadEmbedded()
    {
        using var stream = typeof(TestCardCatalogue).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing from the Domain assembly.");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    }

    private void Index(TestCard card)
    {
        if (!CardNumbers.AllDigits(card.Number))
            throw Invalid(card, "has a number that is not all digits");
        if (CardNumbers.LuhnValid(card.Number) != card.LuhnValid)
            throw Invalid(card, $"says luhn_valid={card.LuhnValid.ToString().ToLowerInvariant()}, which the number contradicts");
        ValidateBehavior(card);

        if (!card.AliasOnly && !_byNumber.TryAdd(card.Number, card))
            throw Invalid(card, "appears twice; give the second entry \"alias_only\": true or merge their aliases");

        foreach (var pm in card.PaymentMethods)
        {
            if (!pm.StartsWith("pm_card_", StringComparison.Ordinal))
                throw Invalid(card, $"lists '{pm}' as a PaymentMethod alias; those start with pm_card_");
            AddAlias(_byPaymentMethod, pm, card);
        }
        foreach (var tok in card.Tokens)
        {
            if (!tok.StartsWith("tok_", StringComparison.Ordinal))
                throw Invalid(card, $"lists '{tok}' as a token alias; those start with tok_");
            AddAlias(_byToken, tok, card);
        }
    }

    private static void AddAlias(Dictionary<string, TestCard> index, string alias, TestCard card)
    {
        if (!index.TryAdd(alias, card))
            throw new InvalidDataException(
                $"Test-card alias '{alias}' is listed twice (cards {index[alias].Number} and {card.Number}); aliases must be unique.");
    }

    private static void ValidateBehavior(TestCard card)
    {
        var b = card.Behavior;
        if (b.DeclineOnlyWithCvc && (b.ErrorCode != "incorrect_cvc" || b.CvcCheck is not CheckResult.Fail))
            throw Invalid(card, "sets decline_only_with_cvc without an incorrect_cvc decline and a failing cvc_check");
        if (b.Charge is ChargeResult.Succeed)
        {
            if (b.ErrorCode is not null || b.DeclineCode is not null || b.Message is not null)
                throw Invalid(card, "succeeds but carries an error_code, decline_code or message");
            return;
        }
        // A decline always needs code and message; only invalid-data rejections (incorrect_number) lack a decline_code.
        if (b.ErrorCode is null || b.Message is null || (b.DeclineCode is null && b.OutcomeType is not OutcomeType.Invalid))
            throw Invalid(card, $"is a {b.Charge.ToString().ToLowerInvariant()} card without error_code, decline_code and message");
        if (b.Charge is ChargeResult.Block && b.NetworkStatus is not NetworkStatus.NotSentToNetwork)
            throw Invalid(card, "is blocked by Radar, so its network_status must be not_sent_to_network");
    }

    private static InvalidDataException Invalid(TestCard card, string problem)
    {
        var alias = card.PaymentMethods.Concat(card.Tokens).FirstOrDefault();
        return new InvalidDataException($"Test card {card.Number}{(alias is null ? "" : $" ({alias})")} {problem}.");
    }
}
