using System.Text.Json.Nodes;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Accounts;

/// <summary>
/// <c>GET /v1/account</c> (the acting account) and Connect's <c>/v1/accounts</c> and <c>/v1/account_links</c>
/// (docs/connect.md). A platform's connected accounts are accounts of its tree whose <see cref="Account.Platform"/>
/// is the platform; anyone else's id answers the unknown-id 404.
/// </summary>
public static class AccountEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/account", "account", RetrieveOwn) { Params = "" },
        new("POST", "/v1/accounts", "account", Create)
            { Params = "business_profile business_type capabilities country default_currency email metadata type" },
        new("GET", "/v1/accounts", "list:account", List) { Params = "created ending_before limit starting_after" },
        new("GET", "/v1/accounts/{id}", "account", Retrieve) { Params = "" },
        new("POST", "/v1/accounts/{id}", "account", Update) { Params = "business_profile capabilities default_currency email metadata" },
        new("DELETE", "/v1/accounts/{id}", "account", Delete) { Params = "" },
        new("POST", "/v1/account_links", "account_link", CreateLink) { Params = "account collect refresh_url return_url type" },
    ];

    private static ApiResult RetrieveOwn(ApiContext c) => c.Respond(c.Tx.Get<Account>(c.Account.Id)!);

    /// <summary>A connected account of the calling platform, or Stripe's 404 (also for its own and other merchants' ids).</summary>
    public static Account LoadConnected(ApiContext c, string id, string param = "id") =>
        c.Tx.InTree(id) && c.Tx.GetInTree<Account>(id) is { Deleted: false } a && a.Platform == c.Account.Id
            ? a
            : throw new StripeException(StripeError.ResourceMissing("account", id, param));

    private static void RequirePlatform(ApiContext c)
    {
        // Connect is one level deep: a connected account (acting through Stripe-Account) has no accounts of its own.
        if (c.Account.Platform is not null)
            throw new StripeException(StripeError.InvalidValue("type",
                "Connected accounts cannot create or manage other accounts; make this call as the platform."), beforeExecution: true);
    }

    private static ApiResult Create(ApiContext c)
    {
        RequirePlatform(c);
        var p = c.P;
        var type = p.Enum<ConnectAccountType>("type") ?? ConnectAccountType.Standard;
        var id = c.Ids.Next("acct", 16);
        var profile = AccountForm.BusinessProfile(p, AccountProfile.Empty with
        {
            Email = p.String("email", 512), Country = AccountForm.Country(p, c.Account.Profile.Country),
        });
        profile = profile with { DefaultCurrency = AccountForm.Currency(p, profile.DefaultCurrency), Metadata = p.Metadata(Metadata.Empty) };
        p.Enum("business_type", "company", "government_entity", "individual", "non_profit");
        var account = new Account
        {
            Id = id, AccountId = id, Created = c.Now, Platform = c.Account.Id, Profile = profile,
            DefaultApiVersion = c.Account.DefaultApiVersion,
            Connect = new ConnectSettings(type) { Capabilities = AccountForm.Capabilities(p, System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty, active: false) },
        };
        c.Tx.Put(account);
        return c.Respond(account);
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(LoadConnected(c, c.Route("id")));

    private static ApiResult Update(ApiContext c)
    {
        var before = LoadConnected(c, c.Route("id"));
        var p = c.P;
        var profile = AccountForm.BusinessProfile(p, before.Profile);
        profile = profile with
        {
            Email = p.String("email", 512) ?? profile.Email,
            DefaultCurrency = AccountForm.Currency(p, profile.DefaultCurrency),
            Metadata = p.Metadata(profile.Metadata),
        };
        var connect = before.Connect! with
        {
            Capabilities = AccountForm.Capabilities(p, before.Connect!.Capabilities, active: before.Connect.DetailsSubmitted),
        };
        var after = before with { Profile = profile, Connect = connect };
        return Announce(c, before, after);
    }

    /// <summary>
    /// Stores a changed connected account and emits <c>account.updated</c> on it (so the platform's Connect
    /// endpoints receive it with <c>account</c> set). Also used by the hosted onboarding page.
    /// </summary>
    public static JsonObject Announce(ApiContext platform, Account before, Account after)
    {
        if (after == before) return platform.Respond(before);
        platform.Tx.Put(after);
        var onAccount = platform.As(after);
        onAccount.Emit("account.updated", after, platform.Render.PreviousAttributes(before, after));
        return platform.Respond(after);
    }

    private static ApiResult Delete(ApiContext c)
    {
        var account = LoadConnected(c, c.Route("id"));
        c.Tx.Put(account with { Deleted = true });
        return AccountJson.Deleted(account.Id);
    }

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var platform = c.Account.Id;
        var accounts = c.Tx.Account.Members
            .Select(id => c.Tx.GetInTree<Account>(id))
            .Where(a => a is { Deleted: false } && a.Platform == platform)
            .Select(a => a!)
            .OrderByDescending(a => a.Created).ThenByDescending(a => a.Id, StringComparer.Ordinal)
            .ToList();
        var (page, more) = Lists.Page(accounts, lp, null, "account");
        return Lists.Render(page, more, "/v1/accounts", c.Render, c.Expand);
    }

    private static ApiResult CreateLink(ApiContext c)
    {
        var p = c.P;
        var account = LoadConnected(c, p.RequiredString("account", 100), "account");
        var type = p.Enum("type", "account_onboarding", "account_update") ?? throw new StripeException(StripeError.ParameterMissing("type"), beforeExecution: true);
        var link = new AccountLink
        {
            Id = c.Ids.Next("acctlink"), AccountId = c.Account.Id, Created = c.Now, Account = account.Id, Type = type,
            RefreshUrl = p.String("refresh_url", 2048), ReturnUrl = p.String("return_url", 2048) ?? throw new StripeException(StripeError.ParameterMissing("return_url"), beforeExecution: true),
            ExpiresAt = c.Now + AccountLink.LifetimeSeconds,
        };
        p.Enum("collect", "currently_due", "eventually_due");
        c.Tx.Put(link);
        return new JsonObject
        {
            ["object"] = "account_link", ["created"] = link.Created, ["expires_at"] = link.ExpiresAt,
            ["url"] = $"{c.BaseUrl}{Control.ConnectOnboardingPage.Path}{account.Id}/{link.Id}",
        };
    }
}
