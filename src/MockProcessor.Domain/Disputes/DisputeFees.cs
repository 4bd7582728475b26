using System.Collections.Frozen;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Money;

namespace MockProcessor.Domain.Disputes;

// How the dispute fee behaves when the merchant wins (§15 "Dispute fee model conflict"). Classic US pricing
// (the default, and the only model the support FAQ and the §16.3 table describe) refunds the whole $15 fee
// on a win. The newer model (a non-refundable "dispute received" fee plus a refundable "dispute countered"
// fee) is not emulated: its amounts are not published consistently.
public enum DisputeFeeModel { Classic }

public static class DisputeFees
{
    public const string Description = "Dispute fee";

    // $15 for a US account (stripe.com/pricing). Stripe charges the fee in the account's settlement currency;
    // Deviation: we charge it in the dispute's currency (as Fees does for processing fees), so non-USD
    // charges get our guess at the local price: the published EEA/UK price (€20/£20) where we know it,
    // otherwise 1500 minor units (15 major units of a two-decimal currency; 15000 for three-decimal ones,
    // whose last digit must be 0). That is a guess, not a published price.
    private static readonly FrozenDictionary<string, long> Table = new Dictionary<string, long>
    {
        ["usd"] = 1500, ["cad"] = 1500, ["aud"] = 2500, ["eur"] = 2000, ["gbp"] = 2000, ["jpy"] = 1500,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static long Amount(string currency) =>
        Table.TryGetValue(currency, out var fee) ? fee
        : Currencies.Exponent(currency) is 3 ? 15_000 : 1500;

    public static FeeDetail Detail(long amount, string currency) => new(amount, currency, Description, FeeType.StripeFee);
}
