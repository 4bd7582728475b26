using System.Text.Json.Nodes;

namespace MockProcessor.Commands;

public sealed class WebhooksSettings : ClientSettings
{
    public string? Action { get; set; }
    public string? Endpoint { get; set; }
    public long? ExpiresIn { get; set; }
    public bool Json { get; set; }
}

/// <summary>
/// <c>mockprocessor webhooks roll-secret --endpoint we_...</c>: rolls a webhook endpoint's signing secret on a running
/// emulator (docs/webhooks.md, "Rolling the signing secret"); the old secret keeps signing for <c>--expires-in</c> seconds.
/// </summary>
public static class WebhooksCommand
{
    public static readonly string[] Actions = ["roll-secret"];

    public static readonly Command<WebhooksSettings> Spec = new(
        "webhooks", "roll a webhook endpoint's signing secret on a running emulator",
        [
            .. ClientSettings.Options<WebhooksSettings>(),
            new("endpoint", false, "the webhook endpoint's we_ id", (s, v) => s.Endpoint = v),
            new("expires-in", false, "roll-secret: seconds the old secret keeps signing beside the new one (0..86400, default 0)",
                (s, v) => s.ExpiresIn = CommandLine.Long(v)),
            new("json", true, "print the emulator's JSON answer", (s, _) => s.Json = true),
        ],
        RunAsync,
        argument: ("action", (s, v) => s.Action = v),
        validate: s => s.Action is null || !Actions.Contains(s.Action) ? "Which action? One of: " + string.Join(", ", Actions)
            : s.Endpoint is null ? "roll-secret needs --endpoint we_..." : null);

    private static async Task<int> RunAsync(WebhooksSettings settings, CancellationToken ct)
    {
        using var http = settings.CreateHttpClient();
        return await RunAsync(settings, http, Console.Out, Console.Error, ct);
    }

    /// <summary>Runs against <paramref name="http"/> (its BaseAddress is the emulator); tests pass a TestServer client.</summary>
    public static async Task<int> RunAsync(WebhooksSettings s, HttpClient http, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        var api = new EmulatorClient(http, s.ApiKey);
        try
        {
            var form = s.ExpiresIn is { } e ? new[] { ("expires_in", e.ToString(System.Globalization.CultureInfo.InvariantCulture)) } : [];
            var answer = await api.PostAsync($"/_mock/webhook_endpoints/{Uri.EscapeDataString(s.Endpoint!)}/roll_secret", form, ct);
            if (s.Json)
            {
                await output.WriteLineAsync(answer.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            await output.WriteLineAsync($"New signing secret: {answer["secret"]}");
            var expiring = answer["expiring_secrets"]!.AsArray();
            if (expiring.Count == 0) await output.WriteLineAsync("The old secret no longer signs.");
            foreach (var x in expiring)
            {
                var at = x!["expires_at"]!.GetValue<long>();
                await output.WriteLineAsync($"A former secret keeps signing until {DateTimeOffset.FromUnixTimeSeconds(at):yyyy-MM-dd HH:mm:ss} UTC ({at}, on the merchant's clock).");
            }
            return 0;
        }
        catch (Exception ex) when (ClientSettings.IsCallFailure(ex))
        {
            await errors.WriteLineAsync(ClientSettings.Explain(ex, http.BaseAddress?.ToString() ?? ""));
            return 1;
        }
    }
}
