using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Webhooks;

/// <summary>Short-hands for webhook tests: endpoints, flushes, the delivery log, and an independent signature check.</summary>
public static class WebhookKit
{
    public static async Task<(string Id, string Secret)> CreateEndpoint(this HttpClient c, string url = "https://hooks.example.com/stripe", params string[] events)
    {
        var fields = new List<(string, string)> { ("url", url) };
        fields.AddRange((events.Length == 0 ? ["*"] : events).Select(e => ("enabled_events[]", e)));
        var we = await (await c.PostFormAsync("/v1/webhook_endpoints", [.. fields])).OkAsync();
        return ((string)we["id"]!, (string)we["secret"]!);
    }

    public static async Task<string> CreateCustomer(this HttpClient c, string name = "Jenny") =>
        (string)(await (await c.PostFormAsync("/v1/customers", ("name", name))).OkAsync())["id"]!;

    public static async Task<string> LatestEventId(this HttpClient c) =>
        (string)(await (await c.GetAsync("/v1/events?limit=1")).OkAsync())["data"]![0]!["id"]!;

    public static async Task<int> Flush(this HttpClient c) =>
        (int)(await (await c.PostAsync("/_mock/webhooks/flush", null)).OkAsync())["attempted"]!;

    public static async Task Advance(this HttpClient c, long seconds) =>
        await (await c.PostFormAsync("/_mock/clock/advance", ("seconds", seconds.ToString()))).OkAsync();

    public static async Task<JsonArray> Deliveries(this HttpClient c, string query = "") =>
        (await (await c.GetAsync("/_mock/webhooks/deliveries?limit=100" + query)).OkAsync())["data"]!.AsArray();

    public static async Task<JsonObject> OnlyDelivery(this HttpClient c, string query = "")
    {
        var all = await c.Deliveries(query);
        Assert.Single(all);
        return all[0]!.AsObject();
    }

    public static async Task<long> PendingWebhooks(this HttpClient c, string eventId) =>
        (long)(await (await c.GetAsync($"/v1/events/{eventId}")).OkAsync())["pending_webhooks"]!;

    /// <summary>Stripe's scheme computed here from scratch (not through the emulator's code): HMAC-SHA256 keyed by the whole secret string.</summary>
    public static bool Verifies(WebhookReceiver.Received r, string secret)
    {
        // As the SDKs verify: any v1 of the header may match the receiver's secret.
        var (t, v1s) = r.ParsedSignatures();
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{t}.{r.Body}"))).ToLowerInvariant();
        return v1s.Contains(expected);
    }

    public static string[] Faults(JsonNode attempt) => attempt["faults"]!.AsArray().Select(f => (string)f!).ToArray();
}
