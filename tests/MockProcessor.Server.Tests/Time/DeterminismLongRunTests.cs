namespace MockProcessor.Server.Tests.Time;

/// <summary>
/// The same seed and the same sequence of calls, clock advances included, give byte-identical responses, request
/// ids and events: what a CI suite relies on to snapshot the emulator's output.
/// </summary>
public class DeterminismLongRunTests
{
    private static async Task<List<string>> Run()
    {
        await using var app = new TestApp(o => o.Seed = 20261122);
        var c = app.Client("sk_test_long_run");
        var other = app.Client("sk_test_long_run_other");
        var transcript = new List<string>();

        async Task<string> Call(HttpClient client, HttpMethod method, string url, params (string, string)[] form)
        {
            var req = new HttpRequestMessage(method, url);
            if (method == HttpMethod.Post) req.Content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)));
            var res = await client.SendAsync(req);
            var body = await res.Content.ReadAsStringAsync();
            transcript.Add($"{method} {url} -> {(int)res.StatusCode} {res.Headers.GetValues("Request-Id").FirstOrDefault()}\n{body}");
            return body;
        }
        string Id(string body) => (string)System.Text.Json.Nodes.JsonNode.Parse(body)!["id"]!;
        (string, string)[] Pi(string pm, params (string, string)[] more) =>
            [("amount", "2000"), ("currency", "usd"), ("confirm", "true"), ("payment_method", pm), ("allowed_payment_method_types[]", "card"), .. more];

        var cus = Id(await Call(c, HttpMethod.Post, "/v1/customers", ("email", "long@example.com"), ("metadata[k]", "v")));
        await Call(c, HttpMethod.Post, $"/v1/payment_methods/pm_card_visa/attach", ("customer", cus));
        var paid = Id(await Call(c, HttpMethod.Post, "/v1/payment_intents", Pi("pm_card_visa", ("customer", cus))));
        await Call(c, HttpMethod.Post, "/v1/payment_intents", Pi("pm_card_chargeDeclinedInsufficientFunds"));
        var held = Id(await Call(c, HttpMethod.Post, "/v1/payment_intents", Pi("pm_card_mastercard", ("capture_method", "manual"))));
        var expiring = Id(await Call(c, HttpMethod.Post, "/v1/payment_intents", Pi("pm_card_amex", ("capture_method", "manual"))));
        await Call(c, HttpMethod.Post, $"/v1/payment_intents/{held}/capture", ("amount_to_capture", "1500"));
        var challenged = Id(await Call(c, HttpMethod.Post, "/v1/payment_intents", Pi("pm_card_threeDSecure2Required")));
        await Call(c, HttpMethod.Post, $"/_mock/payment_intents/{challenged}/authenticate", ("outcome", "complete"));
        await Call(c, HttpMethod.Post, "/v1/refunds", ("payment_intent", paid), ("amount", "500"));
        var pending = Id(await Call(c, HttpMethod.Post, "/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_pendingRefund")));
        await Call(c, HttpMethod.Post, "/v1/refunds", ("charge", pending));
        var failing = Id(await Call(c, HttpMethod.Post, "/v1/charges", ("amount", "3100"), ("currency", "usd"), ("source", "tok_refundFail")));
        await Call(c, HttpMethod.Post, "/v1/refunds", ("charge", failing));
        await Call(c, HttpMethod.Post, "/v1/charges", ("amount", "4000"), ("currency", "usd"), ("source", "tok_createDispute"));
        await Call(other, HttpMethod.Post, "/v1/payment_intents", Pi("pm_card_visa"));
        await Call(c, HttpMethod.Post, "/_mock/merchant_clock/advance", ("seconds", "120"));
        await Call(c, HttpMethod.Post, "/_mock/merchant_clock/advance", ("seconds", (10 * 86_400).ToString()));
        await Call(c, HttpMethod.Get, $"/v1/payment_intents/{expiring}");
        await Call(c, HttpMethod.Get, "/v1/balance");
        await Call(c, HttpMethod.Get, "/v1/balance_transactions?limit=100");
        await Call(c, HttpMethod.Get, "/v1/disputes");
        await Call(c, HttpMethod.Get, "/v1/events?limit=100");
        await Call(other, HttpMethod.Get, "/v1/events?limit=100");
        return transcript;
    }

    [Fact]
    public async Task A_long_mixed_sequence_is_byte_identical_on_a_second_run()
    {
        var first = await Run();
        var second = await Run();
        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++) Assert.Equal(first[i], second[i]);
        // The run did real work: the expiry, dispute deadline and refund settlements happened.
        var events = first[^2];
        foreach (var type in new[] { "charge.expired", "charge.dispute.closed", "refund.failed", "charge.dispute.created", "payment_intent.payment_failed" })
            Assert.Contains($"\"type\": \"{type}\"", events);
    }
}
