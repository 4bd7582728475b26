using System.Text.Json.Nodes;

namespace MockProcessor.Commands;

public sealed class MerchantsSettings : ClientSettings
{
    public string? Action { get; set; }
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Email { get; set; }
    public string? Country { get; set; }
    public string? Currency { get; set; }
    public string? TaxId { get; set; }
    public string? ApiVersion { get; set; }
    public string? PayoutInterval { get; set; }
    public int? PayoutDelayDays { get; set; }
    public string? WebhookUrl { get; set; }
    public List<string> Events { get; } = [];
    public long? ExpiresIn { get; set; }
    public bool Json { get; set; }
}

/// <summary>
/// <c>mockprocessor merchants create|list|show|rotate-key</c>: onboarding and keys on a running emulator through its
/// control API (docs/connect.md). <c>create</c>, <c>list</c> and <c>show</c> are operator calls (no key);
/// <c>rotate-key</c> rolls the <c>--api-key</c> it is given, which keeps working for <c>--expires-in</c> seconds.
/// </summary>
public static class MerchantsCommand
{
    public static readonly string[] Actions = ["create", "list", "show", "rotate-key"];

    public static readonly Command<MerchantsSettings> Spec = new(
        "merchants", "onboard merchants, list and show them, roll their keys on a running emulator",
        [
            .. ClientSettings.Options<MerchantsSettings>(),
            new("id", false, "show: the merchant's acct_ id", (s, v) => s.Id = v),
            new("name", false, "create: business name", (s, v) => s.Name = v),
            new("email", false, "create: contact email", (s, v) => s.Email = v),
            new("country", false, "create: two-letter country (default US)", (s, v) => s.Country = v),
            new("currency", false, "create: default currency (default usd)", (s, v) => s.Currency = v),
            new("tax-id", false, "create: business tax id", (s, v) => s.TaxId = v),
            new("api-version", false, "create: the merchant's default Stripe-Version", (s, v) => s.ApiVersion = v),
            new("payout-interval", false, "create: manual, daily, weekly or monthly", (s, v) => s.PayoutInterval = v),
            new("payout-delay-days", false, "create: payout delay in days", (s, v) => s.PayoutDelayDays = CommandLine.Int(v, "payout-delay-days", 0, 365)),
            new("webhook-url", false, "create: callback URL; a webhook endpoint is created and its secret printed", (s, v) => s.WebhookUrl = ClientSettings.AbsoluteHttp(v, "webhook-url")),
            new("events", false, "create: comma-separated event types for the callback (default *)", (s, v) => s.Events.AddRange(v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))),
            new("expires-in", false, "rotate-key: seconds the old key keeps working (default 0)", (s, v) => s.ExpiresIn = CommandLine.Long(v)),
            new("json", true, "print the emulator's JSON answer", (s, _) => s.Json = true),
        ],
        RunAsync,
        argument: ("action", (s, v) => s.Action = v),
        validate: s => s.Action is null || !Actions.Contains(s.Action) ? "Which action? One of: " + string.Join(", ", Actions)
            : s.Action == "show" && s.Id is null ? "show needs --id acct_..." : null);

    private static async Task<int> RunAsync(MerchantsSettings settings, CancellationToken ct)
    {
        using var http = settings.CreateHttpClient();
        return await RunAsync(settings, http, Console.Out, Console.Error, ct);
    }

    /// <summary>Runs against <paramref name="http"/> (its BaseAddress is the emulator); tests pass a TestServer client.</summary>
    public static async Task<int> RunAsync(MerchantsSettings s, HttpClient http, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        var api = new EmulatorClient(http, s.ApiKey);
        try
        {
            JsonObject answer = s.Action switch
            {
                "create" => await api.PostAsync("/_mock/merchants", CreateForm(s), ct),
                "list" => await api.GetAsync("/_mock/merchants", ct),
                "show" => await api.GetAsync($"/_mock/merchants/{Uri.EscapeDataString(s.Id!)}", ct),
                _ => await api.PostAsync($"/_mock/keys/{await KeyIdAsync(api, s.ApiKey, ct)}/roll",
                    s.ExpiresIn is { } e ? [("expires_in", e.ToString(System.Globalization.CultureInfo.InvariantCulture))] : [], ct),
            };
            if (s.Json) await output.WriteLineAsync(answer.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            else await PrintAsync(s.Action!, answer, output);
            return 0;
        }
        catch (Exception ex) when (ClientSettings.IsCallFailure(ex))
        {
            await errors.WriteLineAsync(ClientSettings.Explain(ex, http.BaseAddress?.ToString() ?? ""));
            return 1;
        }
    }

    /// <summary>
    /// The id of the key the command runs with (keys are named by id in URLs, never by the secret itself). The emulator
    /// lists keys as Stripe shows them (<c>sk_test_****abcd</c>; the full key is not kept), so the key is matched by its
    /// kind and shown form, preferring a usable one.
    /// </summary>
    private static async Task<string> KeyIdAsync(EmulatorClient api, string key, CancellationToken ct)
    {
        var keys = await api.GetAsync("/_mock/keys", ct);
        var shown = Domain.Accounts.KeyRules.Redact(key);
        return keys["data"]!.AsArray()
                   .Where(k => k?["secret"]?.GetValue<string>() is { } s && (s == key || s == shown))
                   .OrderBy(k => k!["revoked"]?.GetValue<bool>() == true || k!["expires_at"] is not null)
                   .FirstOrDefault()?["id"]?.GetValue<string>()
            ?? throw new EmulatorException(404, "The emulator does not list the --api-key among the merchant's keys.", null);
    }

    private static List<(string, string)> CreateForm(MerchantsSettings s)
    {
        var form = new List<(string, string)>();
        void Add(string key, string? value) { if (value is not null) form.Add((key, value)); }
        Add("name", s.Name);
        Add("email", s.Email);
        Add("country", s.Country);
        Add("default_currency", s.Currency);
        Add("business[tax_id]", s.TaxId);
        Add("api_version", s.ApiVersion);
        Add("payout_schedule[interval]", s.PayoutInterval);
        Add("payout_schedule[delay_days]", s.PayoutDelayDays?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (s.WebhookUrl is not null)
        {
            Add("webhook[url]", s.WebhookUrl);
            foreach (var e in s.Events.Count > 0 ? s.Events : ["*"]) Add("webhook[enabled_events][]", e);
        }
        return form;
    }

    private static async Task PrintAsync(string action, JsonObject o, TextWriter output)
    {
        switch (action)
        {
            case "list":
                foreach (var m in o["data"]!.AsArray())
                    await output.WriteLineAsync($"{m!["id"]}  {m["name"] ?? "-"}  {m["country"]}/{m["default_currency"]}" +
                        $"  {(m["auto_provisioned"]!.GetValue<bool>() ? "auto-provisioned" : "onboarded")}  {m["publishable_key"]}");
                break;
            case "rotate-key":
                await output.WriteLineAsync($"New key:  {o["secret"]}");
                var expires = o["rolled_from_expires_at"]!.GetValue<long>();
                await output.WriteLineAsync($"Old key {o["rolled_from"]} expires at " +
                    $"{DateTimeOffset.FromUnixTimeSeconds(expires):yyyy-MM-dd HH:mm:ss} UTC ({expires}, on the merchant's clock).");
                break;
            default:
                await output.WriteLineAsync($"Merchant:        {o["id"]}  {o["name"]}");
                await output.WriteLineAsync($"Secret key:      {o["secret_key"]}");
                await output.WriteLineAsync($"Publishable key: {o["publishable_key"]}");
                if (o["webhook_endpoint"] is JsonObject we)
                    await output.WriteLineAsync($"Webhook:         {we["id"]} -> {we["url"]}  signing secret {we["secret"]}");
                break;
        }
    }
}
