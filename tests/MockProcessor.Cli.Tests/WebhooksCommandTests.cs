using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

public class WebhooksCommandTests
{
    [Fact]
    public async Task Roll_secret_prints_the_new_secret_and_when_the_old_one_stops_signing()
    {
        await using var emulator = new TestEmulator();
        var client = emulator.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_cli_roll");
        var created = JsonNode.Parse(await (await client.PostAsync("/v1/webhook_endpoints", new FormUrlEncodedContent(
            [new("url", "http://127.0.0.1:9/h"), new("enabled_events[]", "*")]))).Content.ReadAsStringAsync())!;
        var endpoint = (string)created["id"]!;
        var output = new StringWriter();
        var errors = new StringWriter();
        var settings = new WebhooksSettings { Action = "roll-secret", Endpoint = endpoint, ExpiresIn = 7200, ApiKey = "sk_test_cli_roll" };
        var code = await WebhooksCommand.RunAsync(settings, emulator.Client(), output, errors, CancellationToken.None);
        Assert.True(code == 0, errors.ToString());
        var secret = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"New signing secret: (whsec_\w+)").Groups[1].Value;
        Assert.NotEqual((string)created["secret"]!, secret);
        Assert.Matches(@"A former secret keeps signing until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+, on the merchant's clock\)", output.ToString());

        var missing = new WebhooksSettings { Action = "roll-secret", Endpoint = "we_missing", ApiKey = "sk_test_cli_roll" };
        var errs = new StringWriter();
        Assert.Equal(1, await WebhooksCommand.RunAsync(missing, emulator.Client(), new StringWriter(), errs, CancellationToken.None));
        Assert.Contains("we_missing", errs.ToString());
    }
}
