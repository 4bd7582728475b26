using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace MockProcessor.Commands;

/// <summary>Settings every command that talks to a running emulator shares.</summary>
public class ClientSettings
{
    public const string DefaultKey = "sk_test_mockprocessor_cli";
    public string ApiKey { get; set; } = DefaultKey;
    public string Url { get; set; } = "http://127.0.0.1:12111";

    /// <summary>The rows for --api-key and --url (alias --base-url), declared once for every command that calls a running emulator.</summary>
    public static Option<T>[] Options<T>() where T : ClientSettings =>
    [
        new("api-key", false, $"secret key of the merchant (default {DefaultKey})", (s, v) => s.ApiKey = Key(v)),
        new("url", false, "the emulator's base URL (default http://127.0.0.1:12111)", (s, v) => s.Url = AbsoluteHttp(v, "url")),
        new("base-url", false, "same as --url", (s, v) => s.Url = AbsoluteHttp(v, "base-url")),
    ];

    /// <summary>Whether <paramref name="ex"/> is a failed call to the emulator (unreachable, timed out, or a Stripe error answer).</summary>
    public static bool IsCallFailure(Exception ex) => ex is HttpRequestException or EmulatorException or TaskCanceledException;

    /// <summary>One line for a failed call to the emulator at <paramref name="url"/>, the same for every command.</summary>
    public static string Explain(Exception ex, string url) => ex switch
    {
        EmulatorException e => $"The emulator answered {e.Status}: {e.Message}",
        TaskCanceledException => $"The emulator at {url} did not answer in time.",
        _ => $"Could not reach the emulator at {url}: {ex.Message}",
    };

    // Live keys would be refused by the emulator anyway; say so before any request.
    private static string Key(string v) =>
        v.StartsWith("sk_test_", StringComparison.Ordinal) ? v : throw new ArgumentException("--api-key must be an sk_test_ key");

    public static string AbsoluteHttp(string v, string name) =>
        Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
            ? v : throw new ArgumentException($"--{name} must be an absolute http(s) URL");

    public HttpClient CreateHttpClient() => new() { BaseAddress = new Uri(Url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
}

/// <summary>A Stripe error answer (non-2xx): its status and Stripe's message.</summary>
public sealed class EmulatorException(int status, string message, JsonObject? error) : Exception(message)
{
    public int Status { get; } = status;
    public JsonObject? Error { get; } = error;
}

/// <summary>
/// Form-encoded calls to the emulator with plain HttpClient, as an SDK would send them. The key goes on each
/// request rather than on the client, so a test can hand in a shared TestServer client untouched.
/// </summary>
public sealed class EmulatorClient(HttpClient http, string apiKey)
{
    public Task<JsonObject> PostAsync(string path, IEnumerable<(string Key, string Value)> form, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, path, new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Key, f.Value))), ct);

    public Task<JsonObject> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonObject> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        JsonObject? json = null;
        try { json = JsonNode.Parse(body) as JsonObject; }
        catch (System.Text.Json.JsonException) { /* not the emulator, or not JSON: reported below */ }
        if (response.IsSuccessStatusCode && json is not null) return json;
        var error = json?["error"] as JsonObject;
        var message = error?["message"]?.GetValue<string>()
            ?? $"{method} {path} answered {(int)response.StatusCode} {response.ReasonPhrase} without a Stripe error body";
        throw new EmulatorException((int)response.StatusCode, message, error);
    }
}
