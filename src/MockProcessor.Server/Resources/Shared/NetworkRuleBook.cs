using System.Collections.Immutable;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Shared;

/// <summary>
/// The merchant's network rules as the attempt paths read and count them. Always through the unit of work's
/// Account (not <see cref="ApiContext.Account"/>, which is the copy from before the call's own writes).
/// </summary>
public static class NetworkRuleBook
{
    public static Account Account(ApiContext c) => c.Tx.Get<Account>(c.Account.Id) ?? c.Account;

    public static ImmutableList<NetworkRule> Rules(ApiContext c) => Account(c).NetworkRules;

    public static void Save(ApiContext c, ImmutableList<NetworkRule> rules) => c.Tx.Put(Account(c) with { NetworkRules = rules });

    public static void RecordFired(ApiContext c, string ruleId) => Save(c, NetworkRules.RecordFired(Rules(c), ruleId));

    /// <summary>Confirm options carrying the rules and, when a rule needs it, the attempt number on the PI.</summary>
    public static ConfirmOptions WithRules(ApiContext c, ConfirmOptions options, PaymentIntent pi)
    {
        var rules = Rules(c);
        if (rules.IsEmpty) return options;
        // The PI's charges so far, from the index, only when some rule asks for it.
        var attempt = rules.Any(r => r.Active && r.Match.Attempt is not null)
            ? c.Tx.Find(Charges.ChargeEndpoints.ByPaymentIntent, pi.Id).Count() + 1
            : 1;
        return options with { NetworkRules = rules, AttemptNumber = attempt };
    }
}
