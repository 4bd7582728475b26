using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Resources.Accounts;
using MockProcessor.Server.Resources.Payouts;
using MockProcessor.Server.Resources.WebhookEndpoints;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// Onboarding and the merchant directory (docs/connect.md): <c>POST /_mock/merchants</c> creates a merchant with its
/// keys (and, given a callback URL, its webhook endpoint); <c>GET /_mock/merchants[/{id}]</c> shows every merchant,
/// auto-provisioned ones included. These are the emulator operator's calls, not a tenant's: they need no key and
/// never show a secret key after creation (it is not kept: docs/connect.md, Secrets at rest).
/// </summary>
public static class MerchantControlEndpoints
{
    public const string Base = "/_mock/merchants";

    public static void Map(WebApplication app)
    {
        var api = app.Services.GetService(typeof(StripeApi)) as StripeApi ?? throw new InvalidOperationException("StripeApi missing");
        app.MapPost(Base, http => api.HandleOperator(http, Onboard));
        app.MapGet(Base, http => api.HandleOperator(http, List));
        app.MapGet(Base + "/{id}", http => api.HandleOperator(http, Show));
    }

    private static async Task<JsonObject> Onboard(Params p, HttpContext http)
    {
        var services = http.RequestServices;
        var ids = (IdGenerator)services.GetService(typeof(IdGenerator))!;
        var clock = (Time.VirtualClock)services.GetService(typeof(Time.VirtualClock))!;
        var api = (StripeApi)services.GetService(typeof(StripeApi))!;
        var profile = AccountProfile.Empty with { Name = p.String("name", 200), Email = p.String("email", 512) };
        profile = profile with
        {
            Country = AccountForm.Country(p, profile.Country),
            DefaultCurrency = AccountForm.Currency(p, profile.DefaultCurrency),
            Metadata = p.Metadata(profile.Metadata),
        };
        profile = AccountForm.Business(p, profile);
        var id = ids.Next("acct", 16);
        var account = new Account
        {
            Id = id, AccountId = id, Created = clock.UnixNow(), Profile = profile, DefaultApiVersion = p.String("api_version", 100) is { } v ? Wire.Versions.ApiVersions.Parse(v, out _, "api_version").Name : null,
            // The schedule payouts run on (docs/payouts.md), in Stripe's settings.payouts.schedule shape.
            PayoutSchedule = p.Object("payout_schedule") is { } schedule
                ? PayoutScheduleForm.Read(schedule, PayoutSchedule.Default)
                : PayoutSchedule.Default,
        };
        var webhook = p.Object("webhook");
        return await api.CreateMerchant(http, account, p, c =>
        {
            var secret = NewKey(c, KeyKind.Secret, "Standard secret key");
            var publishable = NewKey(c, KeyKind.Publishable, "Standard publishable key");
            JsonNode? endpoint = null;
            // The callback is an ordinary webhook endpoint: POST /v1/webhook_endpoints' own handler reads webhook[...].
            if (webhook is not null) endpoint = WebhookEndpointEndpoints.Create(c.WithParams(webhook)).Body;
            var body = Render(account, [secret, publishable]);
            body["webhook_endpoint"] = endpoint;
            return body;
        });
    }

    /// <summary>
    /// A new key of <paramref name="kind"/> for the acting merchant: prefix + 24 characters from the seeded generator. Only
    /// its hash and shown form are stored; the full key is in the returned view, for the one answer that reveals it.
    /// </summary>
    internal static KeyView NewKey(ApiContext c, KeyKind kind, string? name, long? expiresAt = null,
        System.Collections.Immutable.ImmutableSortedDictionary<string, KeyAccess>? permissions = null)
    {
        var id = c.Ids.Next("key"); // before the key's characters: the seeded id sequence is unchanged
        var full = KeyRules.Prefix(kind) + c.Ids.Chars(24);
        var key = new ApiKeyRecord
        {
            Id = id, AccountId = c.Account.Id, Created = c.Now, Kind = kind, Name = name,
            Hash = Auth.ApiKey.Hash(full), Shown = Auth.ApiKey.Shown(full), ExpiresAt = expiresAt,
            Permissions = permissions ?? System.Collections.Immutable.ImmutableSortedDictionary<string, KeyAccess>.Empty,
        };
        c.Tx.Put(key);
        return KeyView.Of(key) with { Revealed = full };
    }

    private static Task<JsonObject> List(Params p, HttpContext http)
    {
        p.EnsureAllConsumed();
        var store = (ObjectStore)http.RequestServices.GetService(typeof(ObjectStore))!;
        var data = new JsonArray();
        store.Refresh(); // replica mode: merchants provisioned through other replicas
        foreach (var (account, keys) in store.Accounts.Select(s => Read(store, s)).Where(x => x.Account is not null)
                     .OrderBy(x => x.Account!.Created).ThenBy(x => x.Account!.Id, StringComparer.Ordinal))
            data.Add(Render(account!, keys));
        return Task.FromResult(new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = false, ["url"] = Base });
    }

    private static Task<JsonObject> Show(Params p, HttpContext http)
    {
        p.EnsureAllConsumed();
        var id = http.Request.RouteValues["id"] as string ?? "";
        var store = (ObjectStore)http.RequestServices.GetService(typeof(ObjectStore))!;
        store.Refresh();
        // Merchants only: a connected account is its platform's business (GET /v1/accounts/{id}).
        if (store.FindAccount(id) is not { } state || state.AccountId != id || Read(store, state) is not ({ } account, var keys))
            throw new StripeException(StripeError.ResourceMissing("merchant", id));
        return Task.FromResult(Render(account, keys));
    }

    private static (Account? Account, List<KeyView> Keys) Read(ObjectStore store, AccountState state)
    {
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            var account = tx.Get<Account>(state.AccountId);
            return (account, account is null ? [] : KeyView.All(tx, account));
        }
    }

    private static JsonObject Render(Account a, List<KeyView> keys)
    {
        var p = a.Profile;
        var keyJson = new JsonArray();
        foreach (var k in keys) keyJson.Add(k.Render());
        return new JsonObject
        {
            ["id"] = a.Id,
            ["object"] = "mock.merchant",
            ["created"] = a.Created,
            ["name"] = p.Name,
            ["email"] = p.Email,
            ["country"] = p.Country,
            ["default_currency"] = p.DefaultCurrency,
            ["business"] = new JsonObject
            {
                ["address"] = Resources.Shared.AddressForm.Render(p.Address), ["tax_id"] = p.TaxId, ["url"] = p.BusinessUrl, ["mcc"] = p.Mcc,
            },
            ["payout_schedule"] = PayoutScheduleForm.Render(a.PayoutSchedule),
            ["api_version"] = a.DefaultApiVersion,
            ["auto_provisioned"] = a.ImplicitKeyHash is not null,
            ["secret_key"] = keys.FirstOrDefault(k => k.Kind is KeyKind.Secret && k.Usable)?.Secret,
            ["publishable_key"] = keys.FirstOrDefault(k => k.Kind is KeyKind.Publishable && k.Usable)?.Secret,
            ["keys"] = keyJson,
            ["metadata"] = new JsonObject(p.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
    }
}
