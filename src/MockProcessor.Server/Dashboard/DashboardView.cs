using System.Globalization;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Money;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Dashboard;

/// <summary>
/// What every page shows around its content: who is signed in, which of the merchant's accounts is shown, the
/// merchant's clock beside the real time, and the outcome of the last button pressed.
/// </summary>
public sealed record Chrome(
    string MerchantId, string AccountId, IReadOnlyList<string> ConnectedAccounts, long Now, long RealNow, bool Frozen,
    string Path, string? Notice, string? Error)
{
    /// <summary>A link to another page that keeps the account shown.</summary>
    public string Link(string path) =>
        DashboardEndpoints.Root + path + (AccountId == MerchantId ? "" : (path.Contains('?') ? "&" : "?") + "account=" + Uri.EscapeDataString(AccountId));

    /// <summary>The real (wall-clock) moment of a time on the merchant's clock.</summary>
    public long Real(long merchantTime) => merchantTime - (Now - RealNow);
}

/// <summary>
/// One page's read of the merchant's state, under its lock: a unit of work acting as the account shown (never
/// committed: pages only read), the merchant's time, the chrome.
/// </summary>
public sealed class DashboardView
{
    public required Tx Tx { get; init; }
    public required Chrome Chrome { get; init; }
    public required ObjectStore Store { get; init; }
    public required AccountState State { get; init; }
    public required Resources.PaymentMethods.TestCards TestCards { get; init; }
    public long Now => Chrome.Now;

    /// <summary>Null when <paramref name="account"/> names no account of this merchant's tree.</summary>
    public static DashboardView? Open(ObjectStore store, AccountState state, MerchantClock clock, Resources.PaymentMethods.TestCards testCards,
        string? account, string path, Query query)
    {
        var tx = store.Begin(state);
        var merchant = tx.Get<Account>(state.AccountId)!;
        var connected = tx.Account.Members.Select(id => tx.GetInTree<Account>(id))
            .Where(a => a is { Deleted: false } && a.Platform == merchant.Id)
            .OrderBy(a => a!.Created).ThenBy(a => a!.Id, StringComparer.Ordinal).Select(a => a!.Id).ToList();
        var acting = account ?? merchant.Id;
        if (acting != merchant.Id && !connected.Contains(acting)) return null;
        return new DashboardView
        {
            Tx = acting == merchant.Id ? tx : tx.As(acting),
            Store = store,
            State = state,
            TestCards = testCards,
            Chrome = new Chrome(merchant.Id, acting, connected, clock.Now(state), clock.Base.UnixNow(), merchant.ClockFrozenAt is not null,
                path, query["notice"], query["error"]),
        };
    }
}

/// <summary>How the dashboard writes amounts and times.</summary>
public static class Show
{
    public static string Time(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A major-unit amount typed in a filter (<c>12.5</c>) in minor units of <paramref name="currency"/>.</summary>
    public static long? MinorUnits(string? typed, string currency) =>
        decimal.TryParse(typed, NumberStyles.Number, CultureInfo.InvariantCulture, out var major)
            ? (long)decimal.Round(major * (decimal)Math.Pow(10, Currencies.Exponent(currency)))
            : null;

    public static string Wire<T>(T value) where T : struct, Enum => Domain.Common.WireEnum.ToWire(value);
}
