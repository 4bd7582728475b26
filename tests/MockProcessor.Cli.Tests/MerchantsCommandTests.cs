using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

public class MerchantsCommandTests
{
    private static async Task<(int Code, string Output, string Errors)> RunAsync(TestEmulator emulator, MerchantsSettings settings)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = await MerchantsCommand.RunAsync(settings, emulator.Client(), output, errors, CancellationToken.None);
        return (code, output.ToString(), errors.ToString());
    }

    private static async Task<int> StatusWith(TestEmulator emulator, string key)
    {
        var client = emulator.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return (int)(await client.GetAsync("/v1/account")).StatusCode;
    }

    [Fact]
    public async Task Create_prints_working_keys_list_shows_the_merchant_and_rotate_key_retires_the_old_key()
    {
        await using var emulator = new TestEmulator();
        var create = new MerchantsSettings { Action = "create", Name = "Cli Shop", Country = "DE", Currency = "eur", WebhookUrl = "http://127.0.0.1:9/h" };
        var (code, output, errors) = await RunAsync(emulator, create);
        Assert.True(code == 0, errors);
        var secret = System.Text.RegularExpressions.Regex.Match(output, @"Secret key:\s+(sk_test_\w+)").Groups[1].Value;
        var id = System.Text.RegularExpressions.Regex.Match(output, @"Merchant:\s+(acct_\w+)").Groups[1].Value;
        Assert.Matches(@"Webhook:\s+we_\w+ -> http://127.0.0.1:9/h  signing secret whsec_\w+", output);
        Assert.Equal(200, await StatusWith(emulator, secret));

        var (_, list, _) = await RunAsync(emulator, new MerchantsSettings { Action = "list" });
        Assert.Contains($"{id}  Cli Shop  DE/eur  onboarded", list);
        var (_, shown, _) = await RunAsync(emulator, new MerchantsSettings { Action = "show", Id = id, Json = true });
        Assert.Equal(id, (string)JsonNode.Parse(shown)!["id"]!);

        var (rotated, rotateOutput, _) = await RunAsync(emulator, new MerchantsSettings { Action = "rotate-key", ApiKey = secret });
        Assert.Equal(0, rotated);
        var fresh = System.Text.RegularExpressions.Regex.Match(rotateOutput, @"New key:\s+(sk_test_\w+)").Groups[1].Value;
        Assert.Equal(401, await StatusWith(emulator, secret));
        Assert.Equal(200, await StatusWith(emulator, fresh));
    }

    [Fact]
    public async Task Rotate_key_prints_when_the_old_key_expires()
    {
        await using var emulator = new TestEmulator();
        var (_, output, _) = await RunAsync(emulator, new MerchantsSettings { Action = "create", Name = "Rolling" });
        var secret = System.Text.RegularExpressions.Regex.Match(output, @"Secret key:\s+(sk_test_\w+)").Groups[1].Value;

        var (code, rotated, errors) = await RunAsync(emulator, new MerchantsSettings { Action = "rotate-key", ApiKey = secret, ExpiresIn = 3600 });

        Assert.True(code == 0, errors);
        var expires = TestEmulator.StartTime + 3600;
        var at = DateTimeOffset.FromUnixTimeSeconds(expires).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($@"Old key \S+ expires at {at} UTC \({expires}, on the merchant's clock\)", rotated);
        Assert.Equal(200, await StatusWith(emulator, secret)); // still within the hour
    }

    [Theory]
    [InlineData("ZZ")]
    [InlineData("U1")]
    [InlineData("USA")]
    public async Task Create_refuses_a_country_that_is_not_an_iso_code(string country)
    {
        await using var emulator = new TestEmulator();
        var (code, output, errors) = await RunAsync(emulator, new MerchantsSettings { Action = "create", Name = "Nowhere", Country = country });

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("400", errors);
        Assert.Contains("country", errors, StringComparison.OrdinalIgnoreCase);
        var (_, list, _) = await RunAsync(emulator, new MerchantsSettings { Action = "list" });
        Assert.DoesNotContain("Nowhere", list);
    }

    [Fact]
    public async Task Create_accepts_iso_codes_in_either_case()
    {
        await using var emulator = new TestEmulator();
        var (code, _, errors) = await RunAsync(emulator, new MerchantsSettings { Action = "create", Name = "Lower", Country = "fr", Currency = "eur" });
        Assert.True(code == 0, errors);
        Assert.Equal(249, MockProcessor.Domain.Accounts.Countries.Count);
    }

    [Fact]
    public async Task Show_of_an_unknown_merchant_fails_with_the_emulators_message()
    {
        await using var emulator = new TestEmulator();
        var (code, _, errors) = await RunAsync(emulator, new MerchantsSettings { Action = "show", Id = "acct_nope" });
        Assert.Equal(1, code);
        Assert.Contains("404", errors);
    }

    [Fact]
    public void The_action_is_required_and_checked()
    {
        var parsed = CommandLine.Parse(Program.Commands, ["merchants", "explode"], new System.Collections.Hashtable());
        Assert.Contains("create, list, show, rotate-key", parsed.Error);
        parsed = CommandLine.Parse(Program.Commands, ["merchants", "show"], new System.Collections.Hashtable());
        Assert.Contains("--id", parsed.Error);
    }
}
