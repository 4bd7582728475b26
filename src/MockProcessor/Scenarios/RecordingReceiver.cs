using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MockProcessor.Scenarios;

/// <summary>One request the recording receiver got: the bytes, the signature header, and what it answered.</summary>
public sealed record Received(int Sequence, byte[] Body, string? Signature, int Answered)
{
    private JsonObject? _event;
    public JsonObject Event => _event ??= JsonNode.Parse(Body) as JsonObject ?? [];
    public string Type => Event["type"]?.GetValue<string>() ?? "";
    public string EventId => Event["id"]?.GetValue<string>() ?? "";
    public bool Accepted => Answered is >= 200 and < 300;

    /// <summary>Verified as an SDK verifies it: HMAC-SHA256 of "t.body" under the secret, and t within 300 s of now.</summary>
    public bool SignatureValid(string secret, long wallNow)
    {
        if (Signature is null) return false;
        long? t = null;
        var v1 = new List<string>();
        foreach (var part in Signature.Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq < 0) continue;
            var (k, v) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (k == "t" && long.TryParse(v, out var ts)) t = ts;
            else if (k == "v1") v1.Add(v);
        }
        if (t is null || Math.Abs(wallNow - t.Value) > 300) return false;
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.UTF8.GetBytes($"{t}."), .. Body]);
        var expected = Convert.ToHexStringLower(mac);
        return v1.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }
}

/// <summary>A receiver slot: one webhook endpoint of one scenario run. Its answer can change mid-scenario (endpoint down, up).</summary>
public sealed class ReceiverSlot(string id)
{
    public string Id { get; } = id;
    private readonly List<Received> _received = [];
    public volatile int Status = 200;
    public string? Secret { get; set; }

    public Received Record(byte[] body, string? signature)
    {
        lock (_received)
        {
            var r = new Received(_received.Count + 1, body, signature, Status);
            _received.Add(r);
            return r;
        }
    }

    public List<Received> Snapshot()
    {
        lock (_received) return [.. _received];
    }
}

/// <summary>
/// The runner's webhook receiver: a real HTTP listener on 127.0.0.1 (a port the OS picks), so deliveries travel the
/// emulator's real transport and signatures are checked end to end. One listener for the whole run; each endpoint of
/// each scenario gets its own path <c>/hooks/{slot}</c>, and so its own recording.
/// </summary>
public sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ReceiverSlot> _slots = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _next;

    public Uri? BaseUrl { get; private set; }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks/{slot}", async (string slot, HttpContext http) =>
        {
            if (!_slots.TryGetValue(slot, out var s)) return Results.NotFound();
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            var r = s.Record(buffer.ToArray(), http.Request.Headers["Stripe-Signature"].FirstOrDefault());
            return Results.Text(r.Accepted ? "{\"received\":true}" : "{\"error\":\"receiver down (scenario)\"}", "application/json", statusCode: r.Answered);
        });
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First().TrimEnd('/') + "/");
    }

    public (string Url, ReceiverSlot Slot) NewSlot()
    {
        var id = "s" + Interlocked.Increment(ref _next);
        var slot = new ReceiverSlot(id);
        _slots[id] = slot;
        return (new Uri(BaseUrl ?? throw new InvalidOperationException("receiver not started"), "hooks/" + id).ToString(), slot);
    }

    /// <summary>Forgets a finished scenario's recordings (a late delivery to it then gets a 404).</summary>
    public void Release(ReceiverSlot slot) => _slots.TryRemove(slot.Id, out _);

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
