using System.Text;

namespace MockProcessor.Server.Tests.Wire;

/// <summary>Thousands of malformed requests against the decoder and every endpoint: a 5xx is always our bug.</summary>
public class FuzzTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly string[] Paths =
    [
        "/v1/customers", "/v1/customers/cus_x", "/v1/customers/search", "/v1/customers/cus_x/payment_methods",
        "/v1/payment_methods", "/v1/payment_methods/pm_card_visa", "/v1/payment_methods/pm_card_visa/attach",
        "/v1/payment_methods/pm_x/detach", "/v1/tokens", "/v1/tokens/tok_visa", "/v1/events", "/v1/events/evt_x",
    ];

    private static readonly string[] Keys =
    [
        "email", "name", "metadata", "metadata[k]", "card", "card[number]", "card[exp_month]", "card[exp_year]", "card[cvc]",
        "card[token]", "type", "customer", "limit", "starting_after", "ending_before", "created", "created[gt]", "expand", "expand[]",
        "expand[0]", "query", "page", "billing_details[address][line1]", "invoice_settings[default_payment_method]", "preferred_locales[]",
        "a[b][c][d][e][f][g][h][i][j]", "x]", "[y", "balance", "address", "types[]",
    ];

    private static readonly string[] Values =
    [
        "", "1", "-1", "0", "101", "4242424242424242", "4242424242424241", "tok_visa", "pm_card_visa", "true", "12", "2030", "%zz", "%",
        "%C3%28", "email:'a'", "name~'ab'", "metadata['k']:'v'", "created>abc", "data.customer", "customer", "((", "'", "\"", "99999999999999999999",
        "cus_x", "a\u0000b", "é", new string('x', 6000),
    ];

    [Fact]
    public async Task Random_malformed_requests_never_get_a_5xx()
    {
        var rng = new Random(20261121);
        var client = _app.Client("sk_test_fuzz");
        var failures = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var sb = new StringBuilder();
            var pairs = rng.Next(0, 6);
            for (var j = 0; j < pairs; j++)
            {
                if (j > 0) sb.Append(rng.Next(10) == 0 ? "&&" : "&");
                var key = Keys[rng.Next(Keys.Length)];
                var value = Values[rng.Next(Values.Length)];
                if (rng.Next(4) == 0) key = Uri.EscapeDataString(key);
                if (rng.Next(3) == 0) value = Uri.EscapeDataString(value);
                sb.Append(key);
                if (rng.Next(8) != 0) sb.Append('=').Append(value);
            }
            if (rng.Next(20) == 0) sb.Append(Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
            var path = Paths[rng.Next(Paths.Length)];
            HttpResponseMessage res;
            var body = sb.ToString();
            switch (rng.Next(3))
            {
                case 0: res = await client.GetAsync(path + "?" + body); break;
                case 1: res = await client.DeleteAsync(path + "?" + body); break;
                default: res = await client.PostRawAsync(path, body, rng.Next(3) == 0 ? $"fz{rng.Next(50)}" : null); break;
            }
            if ((int)res.StatusCode >= 500) failures.Add($"{(int)res.StatusCode} {path} {body}: {await res.Content.ReadAsStringAsync()}");
            else
            {
                var text = await res.Content.ReadAsStringAsync();
                if ((int)res.StatusCode >= 400 && !text.Contains("\"error\"")) failures.Add($"non-Stripe error body for {path} {body}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public async Task Oversized_body_is_refused_with_a_stripe_error()
    {
        var client = _app.Client("sk_test_fuzz");
        var res = await client.PostRawAsync("/v1/customers", "description=" + new string('a', 2 << 20));
        var err = await res.ErrorAsync(413);
        Assert.Equal("invalid_request_error", (string)err["type"]!);
    }

    [Fact]
    public async Task Json_bodies_are_refused_not_misread()
    {
        var client = _app.Client("sk_test_fuzz");
        var res = await client.PostAsync("/v1/customers", new StringContent("{\"email\":\"a\"}", Encoding.UTF8, "application/json"));
        await res.ErrorAsync(400);
    }
}
