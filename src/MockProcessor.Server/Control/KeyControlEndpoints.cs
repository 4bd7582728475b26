using System.Collections.Immutable;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// A merchant's API keys (docs/connect.md, Keys), with the merchant's own secret key: list, create (restricted keys
/// with permissions), roll (the old key keeps working until its expiry), revoke. <c>{id}</c> is a key's <c>key_</c>
/// id; an auto-provisioned merchant's implicit keys are <c>key_implicit_secret</c> and <c>key_implicit_publishable</c>.
/// Never the key string itself: URLs end up in logs, and secret keys must not. A key is shown in full only in the answer
/// that creates it (create, roll, onboarding); afterwards as Stripe shows it (<c>sk_test_****abcd</c>): only its hash is kept.
/// </summary>
public static class KeyControlEndpoints
{
    public const string Base = "/_mock/keys";

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", Base, "list:mock.api_key", List) { Params = "" },
        new("POST", Base, "mock.api_key", Create) { Params = "expires_at name permissions type" },
        new("GET", Base + "/{id}", "mock.api_key", Retrieve) { Params = "" },
        new("POST", Base + "/{id}/roll", "mock.api_key", Roll) { Params = "expires_in" },
        new("POST", Base + "/{id}/revoke", "mock.api_key", Revoke) { Params = "" },
    ];

    private static Account Merchant(ApiContext c) => c.Account.Platform is null ? c.Account
        : throw new StripeException(StripeError.InvalidValue("Stripe-Account", "Connected accounts have no API keys of their own; manage keys as the platform."), beforeExecution: true);

    private static ApiResult List(ApiContext c)
    {
        var data = new JsonArray();
        foreach (var k in KeyView.All(c.Tx, Merchant(c))) data.Add(k.Render());
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = false, ["url"] = Base };
    }

    private static ApiResult Retrieve(ApiContext c) => Find(c, c.Route("id")).Render();

    private static KeyView Find(ApiContext c, string id) =>
        KeyView.All(c.Tx, Merchant(c)).FirstOrDefault(k => k.Id == id)
        ?? throw new StripeException(StripeError.ResourceMissing("api_key", id));

    private static ApiResult Create(ApiContext c)
    {
        Merchant(c);
        var kind = c.P.Enum<KeyKind>("type") ?? KeyKind.Restricted;
        var permissions = ImmutableSortedDictionary<string, KeyAccess>.Empty;
        if (c.P.StringMap("permissions", out _) is { } map)
        {
            if (kind is not KeyKind.Restricted)
                throw new StripeException(StripeError.InvalidValue("permissions", "Only restricted keys (type=restricted) have permissions."), beforeExecution: true);
            foreach (var (resource, access) in map)
                permissions = permissions.SetItem(resource, WireEnum.TryParse<KeyAccess>(access, out var a) ? a
                    : throw new StripeException(StripeError.InvalidEnum($"permissions[{resource}]", access, ["read", "write"]), beforeExecution: true));
        }
        var expiresAt = c.P.Long("expires_at", min: c.Now + 1);
        return MerchantControlEndpoints.NewKey(c, kind, c.P.String("name", 200), expiresAt, permissions).Render();
    }

    private static ApiResult Roll(ApiContext c)
    {
        var old = Find(c, c.Route("id"));
        var expiresIn = c.P.Long("expires_in", min: 0, max: 7 * 86_400) ?? 0;
        if (old.Revoked) throw new StripeException(StripeError.InvalidValue("id", $"Key {old.Id} is revoked and cannot be rolled."), beforeExecution: true);
        // The old key stops working then, on the merchant's clock (or when it was to expire anyway, if sooner).
        var expiry = old.ExpiresAt is { } e ? Math.Min(e, c.Now + expiresIn) : c.Now + expiresIn;
        c.Tx.Put(old.ToRecord(c) with { ExpiresAt = expiry });
        var fresh = MerchantControlEndpoints.NewKey(c, old.Kind, old.Name, permissions: old.Permissions);
        var body = fresh.Render();
        body["rolled_from"] = old.Id;
        body["rolled_from_expires_at"] = expiry;
        return body;
    }

    private static ApiResult Revoke(ApiContext c)
    {
        var key = Find(c, c.Route("id")).ToRecord(c) with { Revoked = true };
        c.Tx.Put(key);
        return KeyView.Of(key).Render();
    }
}

/// <summary>
/// A merchant's key as the control API shows it: a stored <see cref="ApiKeyRecord"/>, or one of an auto-provisioned
/// merchant's implicit suffix keys (<c>sk_test_X</c>, <c>pk_test_X</c>) that has no record yet.
/// </summary>
internal sealed record KeyView(string Id, KeyKind Kind, string Shown, string? Name, long Created, long? ExpiresAt, bool Revoked,
    ImmutableSortedDictionary<string, KeyAccess> Permissions, bool Implicit)
{
    public bool Usable => !Revoked && ExpiresAt is null;

    /// <summary>The full key string, only in the answer that created the key (it is not stored anywhere).</summary>
    public string? Revealed { get; init; }

    /// <summary>The key as this answer shows it: in full when just created, else as stored (publishable in full, others redacted).</summary>
    public string Secret => Revealed ?? Shown;

    public static KeyView Of(ApiKeyRecord k) =>
        new(k.Id, k.Kind, k.Shown, k.Name, k.Created, k.ExpiresAt, k.Revoked, k.Permissions, Implicit: false);

    /// <summary>Every key of <paramref name="merchant"/>, newest first; records take the place of the implicit keys they cover.</summary>
    public static List<KeyView> All(Tx tx, Account merchant)
    {
        var records = tx.As(merchant.Id).NewestFirst<ApiKeyRecord>("api_key").Select(Of).ToList();
        var covered = tx.As(merchant.Id).NewestFirst<ApiKeyRecord>("api_key").Where(r => r.Implicit).Select(r => r.Kind).ToHashSet();
        if (merchant.ImplicitKeyHash is not null)
            foreach (var kind in new[] { KeyKind.Publishable, KeyKind.Secret })
            {
                // pk_test_X carries the secret suffix X too, so the implicit publishable key is redacted like the secret one.
                var shown = KeyRules.Prefix(kind) + "****" + merchant.ImplicitKeyHint;
                if (!covered.Contains(kind))
                    records.Add(new KeyView(ImplicitId(kind), kind, shown, "Auto-provisioned key", merchant.Created, null, false, ImmutableSortedDictionary<string, KeyAccess>.Empty, Implicit: true));
            }
        return records;
    }

    public static string ImplicitId(KeyKind kind) => "key_implicit_" + kind.ToWire();

    /// <summary>
    /// The record to store a change in: the existing one, or a new record for an implicit key, under the hash the
    /// merchant keeps of that implicit key (the suffix itself is not known any more).
    /// </summary>
    public ApiKeyRecord ToRecord(ApiContext c) => Implicit
        ? new ApiKeyRecord
        {
            Id = c.Ids.Next("key"), AccountId = c.Account.Id, Created = c.Now, Kind = Kind, Name = Name, Shown = Shown, Implicit = true,
            Hash = (Kind is KeyKind.Secret ? c.Account.ImplicitKeyHash : c.Account.ImplicitPublishableKeyHash)!,
        }
        : c.Tx.Get<ApiKeyRecord>(Id)!;

    public JsonObject Render()
    {
        var permissions = new JsonObject();
        foreach (var (r, a) in Permissions) permissions[r] = a.ToWire();
        return new JsonObject
        {
            ["id"] = Id, ["object"] = "mock.api_key", ["type"] = Kind.ToWire(), ["secret"] = Secret, ["name"] = Name,
            ["created"] = Created, ["expires_at"] = ExpiresAt, ["revoked"] = Revoked, ["implicit"] = Implicit, ["permissions"] = permissions,
        };
    }
}
