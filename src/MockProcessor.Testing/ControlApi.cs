using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace MockProcessor.Testing;

/// <summary>A control call (<c>/_mock/...</c>) the emulator refused: its HTTP status and Stripe-shaped error.</summary>
public sealed class MockProcessorControlException(int status, string? code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string? Code { get; } = code;
}

/// <summary>The control API over the in-process handler: form-encoded requests, JSON answers, errors as exceptions.</summary>
internal sealed class ControlApi(HttpClient http)
{
    public Task<JsonObject> GetAsync(string path, string? key = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Get, path, key, null, ct);

    public Task<JsonObject> DeleteAsync(string path, string key, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, path, key, null, ct);

    public Task<JsonObject> PostAsync(string path, string? key, IEnumerable<KeyValuePair<string, string>> form, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, path, key, form, ct);

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, string? key, IEnumerable<KeyValuePair<string, string>>? form, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (form is not null) request.Content = new FormUrlEncodedContent(form);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var json = JsonNode.Parse(text) as JsonObject ?? [];
        if (response.IsSuccessStatusCode) return json;
        var error = json["error"];
        // The message names the parameter or object, never the key: keys stay out of exceptions and logs.
        throw new MockProcessorControlException((int)response.StatusCode, (string?)error?["code"],
            $"{method} {path} answered {(int)response.StatusCode}: {(string?)error?["message"] ?? "no error message"}");
    }
}

/// <summary>Builds form bodies: null values are left out, booleans are lower case, as Stripe's SDKs send them.</summary>
internal sealed class Form : List<KeyValuePair<string, string>>
{
    public Form Add(string key, object? value)
    {
        switch (value)
        {
            case null: break;
            case bool b: Add(new KeyValuePair<string, string>(key, b ? "true" : "false")); break;
            case IFormattable f: Add(new KeyValuePair<string, string>(key, f.ToString(null, System.Globalization.CultureInfo.InvariantCulture))); break;
            default: Add(new KeyValuePair<string, string>(key, value.ToString()!)); break;
        }
        return this;
    }
}
