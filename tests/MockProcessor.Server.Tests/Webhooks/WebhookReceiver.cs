using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Webhooks;

/// <summary>
/// The in-process stand-in for merchants' webhook receivers: records every request in arrival order and answers
/// with <see cref="Respond"/> (a status; 0 refuses the connection; a negative value hangs until cancelled).
/// </summary>
public sealed class WebhookReceiver : HttpMessageHandler
{
    public sealed record Received(string Url, string Body, string Signature, string ContentType, string UserAgent)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
        public string EventId => (string)Json["id"]!;
        public (long T, string V1) ParsedSignature() => (ParsedSignatures().T, ParsedSignatures().V1s[0]);

        /// <summary>The timestamp and every <c>v1</c> (a secret roll's overlap sends one per secret).</summary>
        public (long T, IReadOnlyList<string> V1s) ParsedSignatures()
        {
            var parts = Signature.Split(',').Select(p => p.Split('=', 2)).ToList();
            return (long.Parse(parts.Single(p => p[0] == "t")[1]), parts.Where(p => p[0] == "v1").Select(p => p[1]).ToList());
        }
    }

    private readonly Lock _gate = new();
    private readonly List<Received> _received = [];

    public Func<Received, int> Respond { get; set; } = _ => 200;

    public IReadOnlyList<Received> All { get { lock (_gate) return _received.ToList(); } }

    /// <summary>Answers with the given statuses in turn, then 200.</summary>
    public void Script(params int[] statuses)
    {
        var queue = new Queue<int>(statuses);
        Respond = _ => { lock (queue) return queue.Count > 0 ? queue.Dequeue() : 200; };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // Taken before the first await, so the recorded order is the order the dispatcher started the requests in.
        var bodyTask = request.Content!.ReadAsByteArrayAsync(ct);
        var r = new Received(request.RequestUri!.ToString(), "", request.Headers.GetValues("Stripe-Signature").Single(),
            request.Content.Headers.ContentType!.ToString(), request.Headers.UserAgent.ToString());
        int index;
        lock (_gate) { index = _received.Count; _received.Add(r); }
        r = r with { Body = Encoding.UTF8.GetString(await bodyTask) };
        lock (_gate) _received[index] = r;
        var status = Respond(r);
        if (status == 0) throw new HttpRequestException("Connection refused (127.0.0.1:9)");
        if (status < 0) await Task.Delay(Timeout.Infinite, ct);
        return new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(status < 300 ? "ok" : "receiver says no") };
    }
}
