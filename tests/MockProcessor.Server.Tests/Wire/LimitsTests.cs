using MockProcessor.Domain.Common;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Tests.Storage;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Tests.Wire;

/// <summary>Values past what a clock or a URL can hold are Stripe-shaped 4xx answers, never a 500 or Kestrel's bare 414.</summary>
public class LimitsTests
{
    private static void AssertRequestId(HttpResponseMessage response) =>
        Assert.Matches("^req_[A-Za-z0-9]{14}$", response.Headers.GetValues("Request-Id").Single());

    [Theory]
    [InlineData("4242424242424242")]     // TimeSpan overflow
    [InlineData("253402300800")]         // past year 9999 from any start
    [InlineData("-5")]
    public async Task The_emulator_clock_refuses_an_advance_it_cannot_reach(string seconds)
    {
        await using var app = new TestApp();
        var response = await app.Client().PostAsync($"/_mock/clock/advance?seconds={seconds}", null);

        var error = await response.ErrorAsync(400);
        Assert.Equal(("invalid_request_error", "seconds"), ((string)error["type"]!, (string)error["param"]!));
        AssertRequestId(response);
        // The clock did not move.
        Assert.Equal(TestApp.StartTime, (long)(await (await app.Client().GetAsync("/_mock/clock")).OkAsync())["now"]!);
    }

    [Fact]
    public async Task The_emulator_clock_can_reach_the_latest_instant()
    {
        await using var app = new TestApp();
        var now = await (await app.Client().PostAsync($"/_mock/clock/advance?seconds={Timestamps.Latest - TestApp.StartTime}", null)).OkAsync();
        Assert.Equal(Timestamps.Latest, (long)now["now"]!);
    }

    [Fact]
    public async Task The_emulator_clock_stops_where_a_merchant_clock_ahead_of_it_would_pass_the_latest_instant()
    {
        await using var app = new TestApp();
        var ahead = app.Client("sk_test_ahead");
        await (await ahead.PostFormAsync("/_mock/merchant_clock/advance", ("to", (Timestamps.Latest - 100).ToString()))).OkAsync();

        var error = await (await app.Client().PostAsync("/_mock/clock/advance?seconds=1000", null)).ErrorAsync(400);
        Assert.Equal("seconds", (string)error["param"]!);
        await (await app.Client().PostAsync("/_mock/clock/advance?seconds=100", null)).OkAsync();
        Assert.Equal(Timestamps.Latest, (long)(await (await ahead.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!);
    }

    [Theory]
    [InlineData("seconds", "4242424242424242")]
    [InlineData("seconds", "253402300800")]
    [InlineData("to", "99999999999999")]
    public async Task A_merchant_clock_refuses_an_advance_past_the_latest_instant(string param, string value)
    {
        await using var app = new TestApp();
        var error = await (await app.Client().PostFormAsync("/_mock/merchant_clock/advance", (param, value))).ErrorAsync(400);
        Assert.Equal(("invalid_request_error", param), ((string)error["type"]!, (string)error["param"]!));
    }

    [Fact]
    public async Task A_test_clock_refuses_a_frozen_time_past_the_latest_instant()
    {
        await using var app = new TestApp();
        var client = app.Client();
        var error = await (await client.PostFormAsync("/v1/test_helpers/test_clocks", ("frozen_time", "99999999999999"))).ErrorAsync(400);
        Assert.Equal(("invalid_request_error", "frozen_time"), ((string)error["type"]!, (string)error["param"]!));

        // At the latest instant it exists, and cannot be advanced further.
        var clock = await client.CreateTestClockAsync(Timestamps.Latest);
        var advance = await (await client.PostFormAsync($"/v1/test_helpers/test_clocks/{clock["id"]}/advance",
            ("frozen_time", (Timestamps.Latest + 60).ToString()))).ErrorAsync(400);
        Assert.Equal("frozen_time", (string)advance["param"]!);
    }

    [Fact]
    public async Task Long_query_strings_are_answered_by_the_pipeline_over_kestrel()
    {
        // Real Kestrel (a TestServer has no request-line limit).
        var options = new MockProcessorOptions
        {
            InMemory = true, Port = DurabilityTests.FreePort(), Clock = ClockMode.Manual, StartTime = TestApp.StartTime, LogLevel = "Warning",
        };
        await using var app = MockProcessorApp.Build(options);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.Port}") };
        http.DefaultRequestHeaders.Add("Authorization", "Bearer sk_test_limits");

        // 10 KB: over Kestrel's default 8 KiB request line, now an ordinary Stripe answer (an unknown parameter).
        var ten = await http.GetAsync("/v1/customers?limit=1&filler=" + new string('x', 10_000));
        Assert.Equal("parameter_unknown", (string)(await ten.ErrorAsync(400))["code"]!);
        AssertRequestId(ten);

        // Over the emulator's limit: 414 in Stripe's envelope, with a Request-Id.
        var long_ = await http.GetAsync("/v1/customers?filler=" + new string('x', MockProcessorApp.MaxUrlLength + 1));
        var error = await long_.ErrorAsync(414);
        Assert.Equal("invalid_request_error", (string)error["type"]!);
        Assert.Contains("POST body", (string)error["message"]!);
        AssertRequestId(long_);
    }
}
