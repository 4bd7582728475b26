using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

/// <summary>
/// listen against the in-process emulator: its dispatcher really POSTs to the relay's loopback port, the relay
/// forwards to a fake receiver, and the receiver checks the signature with the secret listen printed. Dispatch is
/// manual, so each test sends deliveries with <c>POST /_mock/webhooks/flush</c>, which returns once they are done.
/// </summary>
public class ListenEndToEndTests
{
    private const string Key = "sk_test_listen_e2e";
    private const string ForwardTo = "http://127.0.0.1:4242/webhooks";

    private static TestEmulator Emulator() => new(o => o.WebhookAutoDispatch = false);

    private static HttpClient Api(TestEmulator emulator)
    {
        var client = emulator.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return client;
    }

    private static async Task TriggerAndFlushAsync(TestEmulator emulator, string type)
    {
        var errors = new StringWriter();
        var code = await TriggerCommand.RunAsync(new TriggerSettings { EventType = type, ApiKey = Key }, emulator.Client(), TextWriter.Null, errors, CancellationToken.None);
        Assert.True(code == 0, errors.ToString());
        (await Api(emulator).PostAsync("/_mock/webhooks/flush", null)).EnsureSuccessStatusCode();
    }

    private static ListenSession Session(TestEmulator emulator, FakeHandler receiver, TextWriter output, string events = "*") =>
        new(new ListenSettings { ForwardTo = ForwardTo, ApiKey = Key, Events = events }, emulator.Client(), new HttpClient(receiver), output);

    private static FakeHandler Receiver(HttpStatusCode status) => new((_, _) => new HttpResponseMessage(status) { Content = new StringContent("receiver says hi") });

    [Fact]
    public async Task Triggered_events_arrive_signed_with_the_printed_secret()
    {
        await using var emulator = Emulator();
        var receiver = Receiver(HttpStatusCode.OK);
        var output = new StringWriter();
        await using var session = Session(emulator, receiver, output, events: "customer.created,customer.deleted");
        await session.StartAsync(CancellationToken.None);
        Assert.StartsWith("whsec_", session.Secret);

        await TriggerAndFlushAsync(emulator, "customer.deleted");

        // Only the chosen types, each signed the way Stripe signs: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<body>")).
        Assert.Equal(["customer.created", "customer.deleted"],
            receiver.Received.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()).Order());
        foreach (var (request, body) in receiver.Received)
        {
            var parts = Assert.Single(request.Headers.GetValues("Stripe-Signature")).Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var signed = Encoding.UTF8.GetBytes(parts["t"] + ".").Concat(body).ToArray();
            Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(session.Secret!), signed)), parts["v1"]);
        }
        Assert.Matches(@"--> customer\.deleted \[evt_\w+\]", output.ToString());
        Assert.Contains($"<-- [200] POST {ForwardTo}", output.ToString());
    }

    [Fact]
    public async Task The_receivers_failure_is_what_the_emulator_records_so_it_retries()
    {
        await using var emulator = Emulator();
        await using var session = Session(emulator, Receiver(HttpStatusCode.InternalServerError), TextWriter.Null);
        await session.StartAsync(CancellationToken.None);

        await TriggerAndFlushAsync(emulator, "customer.created");

        var log = JsonNode.Parse(await Api(emulator).GetStringAsync($"/_mock/webhooks/deliveries?endpoint={session.EndpointId}"))!;
        var delivery = Assert.Single(log["data"]!.AsArray())!;
        Assert.Equal("pending", delivery["status"]!.GetValue<string>()); // due again later on the retry schedule
        var attempt = Assert.Single(delivery["attempts"]!.AsArray())!;
        Assert.Equal(500, attempt["status"]!.GetValue<int>());
        Assert.Equal("receiver says hi", attempt["response_body"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unreachable_receiver_is_a_502_attempt()
    {
        await using var emulator = Emulator();
        var receiver = new FakeHandler((_, _) => throw new HttpRequestException("Connection refused"));
        await using var session = Session(emulator, receiver, TextWriter.Null);
        await session.StartAsync(CancellationToken.None);

        await TriggerAndFlushAsync(emulator, "customer.created");

        var log = JsonNode.Parse(await Api(emulator).GetStringAsync($"/_mock/webhooks/deliveries?endpoint={session.EndpointId}"))!;
        Assert.Equal(502, log["data"]![0]!["attempts"]![0]!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stopping_deletes_the_endpoint_it_created()
    {
        await using var emulator = Emulator();
        var session = Session(emulator, Receiver(HttpStatusCode.OK), TextWriter.Null);
        await session.StartAsync(CancellationToken.None);
        var id = session.EndpointId!;

        await session.StopAsync();

        using var response = await Api(emulator).GetAsync($"/v1/webhook_endpoints/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
