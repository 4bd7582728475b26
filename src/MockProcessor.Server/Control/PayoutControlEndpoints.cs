using System.Text.Json.Nodes;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Resources.Payouts;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// A merchant's payout settings (docs/payouts.md): the automatic payout schedule and the test bank account payouts
/// go to (a failing one makes payouts fail), and a run of the automatic payouts on demand.
/// </summary>
public static class PayoutControlEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/_mock/payouts/settings", "mock.payout_settings", Get) { Params = "" },
        new("POST", "/_mock/payouts/settings", "mock.payout_settings", Set) { Params = "bank_account schedule" },
        new("POST", "/_mock/payouts/run", "list:payout", Run) { Params = "" },
    ];

    private static ApiResult Get(ApiContext c) => Render(c.Account, c.Account.BankAccount);

    private static ApiResult Set(ApiContext c)
    {
        var account = c.Tx.Get<Account>(c.Account.Id) ?? c.Account;
        var schedule = c.P.Object("schedule") is { } s ? PayoutScheduleForm.Read(s, account.PayoutSchedule) : account.PayoutSchedule;
        var bank = account.BankAccount;
        if (c.P.Object("bank_account") is { } b)
        {
            var number = b.RequiredString("account_number");
            if (!TestBankAccounts.TryLookUp(number, out _))
                throw new StripeException(StripeError.InvalidValue(b.NameOf("account_number"),
                    $"Use one of Stripe's test bank account numbers: {string.Join(", ", TestBankAccounts.All)}."), beforeExecution: true);
            bank = TestBankAccounts.Create(c.Ids.Next("ba"), number);
        }
        var updated = PayoutRuns.ChangeSettings(c, account, schedule, bank);
        return Render(updated, bank);
    }

    private static ApiResult Run(ApiContext c)
    {
        var made = PayoutRuns.RunAll(c);
        return Lists.Render(made.OrderByDescending(p => p.Currency, StringComparer.Ordinal).ToList(), false, "/_mock/payouts/run", c.Render, c.Expand);
    }

    private static JsonObject Render(Account a, BankAccount? bank) => new()
    {
        ["object"] = "mock.payout_settings",
        ["account"] = a.Id,
        ["schedule"] = PayoutScheduleForm.Render(a.PayoutSchedule),
        ["bank_account"] = bank is null ? null : new JsonObject
        {
            ["id"] = bank.Id, ["object"] = "bank_account", ["bank_name"] = bank.BankName, ["country"] = bank.Country,
            ["currency"] = bank.Currency, ["last4"] = bank.Last4, ["routing_number"] = bank.RoutingNumber, ["status"] = bank.Status,
        },
    };
}
