using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MockProcessor.Domain.Accounts;
using MockProcessor.Server.Resources.Accounts;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;
using static MockProcessor.Server.Control.ThreeDSecureHtml;

namespace MockProcessor.Server.Control;

/// <summary>
/// The hosted onboarding page an account link points to (docs/connect.md): <c>GET</c> shows the connected account
/// with one button; its form <c>POST</c> completes onboarding (details submitted, terms accepted, charges and payouts
/// enabled, requested capabilities active, <c>account.updated</c>) and sends the browser to the link's
/// <c>return_url</c>. No API key: the single-use, expiring link is the credential; a wrong, used or expired link
/// looks the same whatever the account.
/// </summary>
public static class ConnectOnboardingPage
{
    public const string Path = "/_mock/connect/onboarding/";
    public const string Title = "MockProcessor Connect onboarding";
    private const string Footer = "test mode; no identity checks are made.";

    public static void Map(WebApplication app)
    {
        app.MapGet(Path + "{account}/{link}", Show);
        app.MapPost(Path + "{account}/{link}", Submit);
    }

    private static IResult Show(string account, string link, ObjectStore store, Time.MerchantClock clock)
    {
        store.Refresh(); // replica mode: the account as the database has it
        if (store.FindAccount(account) is not { } state) return Gone();
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            if (Usable(tx, account, link, clock.Now(state)) is not { } found) return Gone();
            var a = found.Account;
            var body = $"""
                <p>Connected account <code>{Enc(a.Id)}</code> ({Enc(a.Connect!.Type.ToString().ToLowerInvariant())}) of platform <code>{Enc(a.Platform!)}</code>.</p>
                <p>This page stands in for Stripe's hosted onboarding: submitting it provides every requirement.</p>
                <form method="post" action="{Enc(Path + a.Id + "/" + link)}">
                  <button type="submit" class="ok">Complete onboarding</button>
                </form>
                """;
            return ThreeDSecurePage.Respond(200, Page(Title, body, Title, Footer), null);
        }
    }

    private static async Task<IResult> Submit(string account, string link, HttpContext http, ObjectStore store, StripeApi api)
    {
        store.Refresh(); // replica mode: the account as the database has it
        if (store.FindAccount(account) is not { } state) return Gone();
        // Runs as the platform (the link's owner): the account's change and its event commit in one unit of work.
        var returnUrl = await api.RunAsCustomer(http, state, c =>
        {
            if (Usable(c.Tx, account, link, c.Now) is not { } found) return null;
            c.Tx.Put(found.Link with { Used = true });
            var before = found.Account;
            AccountEndpoints.Announce(c, before, before with { Connect = before.Connect!.Completed(c.Now) });
            return found.Link.ReturnUrl;
        }, state.AccountId);
        return returnUrl is null ? Gone() : ThreeDSecurePage.Respond(303, null, returnUrl);
    }

    private static (AccountLink Link, Account Account)? Usable(Tx tx, string account, string link, long now) =>
        tx.Get<AccountLink>(link) is { Used: false } l && l.Account == account && now < l.ExpiresAt
        && tx.GetInTree<Account>(account) is { Deleted: false, Connect: not null } a && a.Platform == tx.AccountId
            ? (l, a) : null;

    private static IResult Gone() => ThreeDSecurePage.Respond(404, Page("Link not usable",
        "<p class=\"error\">This account link is unknown, already used or expired. Ask the platform for a new one (POST /v1/account_links).</p>",
        Title, Footer), null);
}
