using MockProcessor.Domain.Accounts;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Auth;

/// <summary>How a presented API key finds its merchant before any merchant is known: store-wide lookups by hash.</summary>
public static class KeyLookups
{
    /// <summary>Keys with a record (generated, rolled, revoked, restricted), by <see cref="ApiKey.Hash"/>.</summary>
    public static readonly LookupIndex<ApiKeyRecord> ByHash = new("api_key", "hash", k => k.Hash);

    /// <summary>Auto-provisioned merchants, by the hash of their implicit secret key (<see cref="ApiKey.ImplicitHash"/>).</summary>
    public static readonly LookupIndex<Account> ByImplicitKey = new("account", "implicit_key", a => a.ImplicitKeyHash);

    public static IEnumerable<LookupIndex> All => [ByHash, ByImplicitKey];
}
