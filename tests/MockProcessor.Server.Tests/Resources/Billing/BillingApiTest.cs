using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>
/// What the billing API test classes share: one in-process emulator per class instance, a client for one merchant
/// (<paramref name="key"/>), JSON GET/POST that assert 200, and the types of the events about one object, oldest first.
/// </summary>
public abstract class BillingApiTest(string key) : IAsyncLifetime
{
    protected readonly TestApp _app = new();
    protected HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client(key); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    protected static string Id(JsonObject o) => (string)o["id"]!;
    protected async Task<JsonObject> Get(string path) => await (await _c.GetAsync(path)).OkAsync();
    protected async Task<JsonObject> Post(string path, params (string, string)[] fields) => await (await _c.PostFormAsync(path, fields)).OkAsync();

    /// <summary>A subscription's invoices, oldest first.</summary>
    protected async Task<List<JsonObject>> SubscriptionInvoices(string sub) =>
        (await Get($"/v1/invoices?subscription={sub}&limit=100"))["data"]!.AsArray().Select(i => i!.AsObject()).Reverse().ToList();

    protected async Task<List<string>> EventTypes(string objectId) =>
        (await Get("/v1/events?limit=100"))["data"]!.AsArray().Where(e => (string)e!["data"]!["object"]!["id"]! == objectId)
            .Select(e => (string)e!["type"]!).Reverse().ToList();
}
