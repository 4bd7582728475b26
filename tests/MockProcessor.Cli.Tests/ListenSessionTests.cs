using System.Net;
using System.Text;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

/// <summary>
/// The relay with a fake emulator and a fake receiver: the only real socket is the relay's loopback listener,
/// which is the thing under test.
/// </summary>
public class ListenSessionTests
{
    private static FakeHandler FakeEmulator() => new((request, _) => new HttpResponseMessage(HttpStatusCode.OK)
    {
        Content = new StringContent(request.Method == HttpMethod.Post
            ? """{"id":"we_fake","object":"webhook_endpoint","secret":"whsec_fake"}"""
            : """{"id":"we_fake","object":"webhook_endpoint","deleted":true}""", Encoding.UTF8, "application/json"),
    });

    private static ListenSettings Settings(string events = "*") =>
        new() { ForwardTo = "http://127.0.0.1:4242/hook", Events = events, ApiKey = "sk_test_listen" };

    [Fact]
    public async Task Start_registers_the_loopback_relay_with_the_chosen_events_and_stop_deletes_it()
    {
        var emulator = FakeEmulator();
        var session = new ListenSession(Settings("charge.succeeded,charge.failed"),
            new HttpClient(emulator) { BaseAddress = new Uri("http://emulator/") }, new HttpClient(FakeEmulator()), TextWriter.Null);
        await session.StartAsync(CancellationToken.None);

        Assert.Equal(("we_fake", "whsec_fake"), (session.EndpointId, session.Secret));
        Assert.Equal("127.0.0.1", session.RelayUrl!.Host);
        var (create, form) = Assert.Single(emulator.Received);
        Assert.Equal("http://emulator/v1/webhook_endpoints", create.RequestUri!.ToString());
        Assert.Equal("Bearer sk_test_listen", create.Headers.Authorization!.ToString());
        Assert.Equal($"url={Uri.EscapeDataString(session.RelayUrl.ToString())}&enabled_events%5B%5D=charge.succeeded&enabled_events%5B%5D=charge.failed",
            Encoding.UTF8.GetString(form));

        await session.StopAsync();
        Assert.Equal("http://emulator/v1/webhook_endpoints/we_fake", emulator.Received[1].Request.RequestUri!.ToString());
        Assert.Equal(HttpMethod.Delete, emulator.Received[1].Request.Method);
        await session.DisposeAsync(); // once only
        Assert.Equal(2, emulator.Received.Count);
    }

    [Fact]
    public async Task A_delivery_to_the_relay_reaches_the_receiver_and_its_answer_comes_back()
    {
        var receiver = new FakeHandler((_, _) => new HttpResponseMessage(HttpStatusCode.Gone) { Content = new StringContent("no thanks") });
        var output = new StringWriter();
        await using var session = new ListenSession(Settings(),
            new HttpClient(FakeEmulator()) { BaseAddress = new Uri("http://emulator/") }, new HttpClient(receiver), output);
        await session.StartAsync(CancellationToken.None);

        var body = """{"id":"evt_1","object":"event","type":"customer.created"}""";
        using var delivery = new HttpRequestMessage(HttpMethod.Post, session.RelayUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        delivery.Headers.TryAddWithoutValidation("Stripe-Signature", "t=1,v1=deadbeef");
        using var http = new HttpClient();
        using var answer = await http.SendAsync(delivery);

        Assert.Equal(HttpStatusCode.Gone, answer.StatusCode);
        Assert.Equal("no thanks", await answer.Content.ReadAsStringAsync());
        var (forwarded, bytes) = Assert.Single(receiver.Received);
        Assert.Equal(body, Encoding.UTF8.GetString(bytes));
        Assert.Equal("t=1,v1=deadbeef", Assert.Single(forwarded.Headers.GetValues("Stripe-Signature")));
        Assert.Contains("--> customer.created [evt_1]", output.ToString());
        Assert.Contains("<-- [410] POST http://127.0.0.1:4242/hook", output.ToString());
    }
}
