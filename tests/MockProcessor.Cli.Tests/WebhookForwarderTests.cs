using System.Net;
using System.Text;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

public class WebhookForwarderTests
{
    private static readonly Uri Target = new("http://127.0.0.1:4242/webhooks");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"id\":\"evt_123\",\"object\":\"event\",\"type\":\"charge.succeeded\",\"data\":{\"object\":{}}}\n");

    private static readonly KeyValuePair<string, string[]>[] Headers =
    [
        new("Stripe-Signature", ["t=1800000000,v1=abc123"]),
        new("Content-Type", ["application/json; charset=utf-8"]),
        new("User-Agent", ["Stripe/1.0 (+https://stripe.com/docs/webhooks)"]),
        new("Host", ["127.0.0.1:5555"]),
        new("Content-Length", ["99"]),
    ];

    private static (WebhookForwarder Forwarder, FakeHandler Receiver, StringWriter Output) Make(Func<HttpRequestMessage, byte[], HttpResponseMessage> respond)
    {
        var receiver = new FakeHandler(respond);
        var output = new StringWriter();
        return (new WebhookForwarder(new HttpClient(receiver), Target, output), receiver, output);
    }

    [Fact]
    public async Task The_same_bytes_and_signature_reach_the_receiver()
    {
        var (forwarder, receiver, _) = Make((_, _) => new HttpResponseMessage(HttpStatusCode.OK));
        await forwarder.ForwardAsync(Body, Headers, CancellationToken.None);

        var (request, body) = Assert.Single(receiver.Received);
        Assert.Equal(Body, body);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(Target, request.RequestUri);
        Assert.Equal("t=1800000000,v1=abc123", Assert.Single(request.Headers.GetValues("Stripe-Signature")));
        Assert.Equal("application/json; charset=utf-8", request.Content!.Headers.ContentType!.ToString());
        Assert.Contains("Stripe/1.0", string.Join(" ", request.Headers.GetValues("User-Agent")));
        // The relay's own Host must not leak: the receiver is addressed by its own URL.
        Assert.Null(request.Headers.Host);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task The_receivers_status_and_body_go_back_to_the_emulator(HttpStatusCode status)
    {
        var (forwarder, _, output) = Make((_, _) => new HttpResponseMessage(status) { Content = new StringContent("got it") });
        var reply = await forwarder.ForwardAsync(Body, Headers, CancellationToken.None);

        Assert.Equal((int)status, reply.Status);
        Assert.Equal("got it", Encoding.UTF8.GetString(reply.Body));
        Assert.Matches($@"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d   --> charge\.succeeded \[evt_123\]\r?\n" +
                       $@"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d  <-- \[{(int)status}\] POST {Target} \[evt_123\]", output.ToString());
    }

    [Fact]
    public async Task An_unreachable_receiver_is_a_502_so_the_emulator_retries()
    {
        var (forwarder, _, output) = Make((_, _) => throw new HttpRequestException("Connection refused"));
        var reply = await forwarder.ForwardAsync(Body, Headers, CancellationToken.None);

        Assert.Equal(502, reply.Status);
        Assert.Contains("<-- [ERR] POST", output.ToString());
        Assert.Contains("Connection refused", output.ToString());
    }

    [Fact]
    public async Task A_body_that_is_not_an_event_is_still_forwarded()
    {
        var (forwarder, receiver, output) = Make((_, _) => new HttpResponseMessage(HttpStatusCode.NoContent));
        var reply = await forwarder.ForwardAsync("not json"u8.ToArray(), Headers, CancellationToken.None);

        Assert.Equal(204, reply.Status);
        Assert.Equal("not json"u8.ToArray(), Assert.Single(receiver.Received).Body);
        Assert.Contains("--> (not JSON) [?]", output.ToString());
    }
}
