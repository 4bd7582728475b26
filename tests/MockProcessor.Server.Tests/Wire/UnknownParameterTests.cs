using MockProcessor.Server.Control;
using MockProcessor.Server.Resources;

namespace MockProcessor.Server.Tests.Wire;

/// <summary>
/// Issue 12, defect 2: an unknown parameter is refused before the handler runs, so it wins over whatever the handler
/// would have done or refused (a decline, a missing return_url) and nothing is written.
/// </summary>
public class UnknownParameterTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_unknown_parameter_beats_a_decline_and_leaves_nothing_behind()
    {
        var c = _app.Client("sk_test_unknown_first");
        var e = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_chargeDeclined"), ("allowed_payment_method_types[0]", "card"), ("not_a_param", "x"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)e["code"]!);
        Assert.Equal("not_a_param", (string)e["param"]!);
        Assert.Empty((await (await c.GetAsync("/v1/charges")).OkAsync())["data"]!.AsArray());
        Assert.Empty((await (await c.GetAsync("/v1/payment_intents")).OkAsync())["data"]!.AsArray());
        Assert.Empty((await (await c.GetAsync("/v1/events")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task An_unknown_parameter_beats_the_return_url_rule_on_confirm()
    {
        var c = _app.Client("sk_test_unknown_confirm");
        var pi = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"))).OkAsync();
        var e = await (await c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/confirm", ("payment_method", "pm_card_visa"),
            ("payment_method_typez[0]", "card"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)e["code"]!);
        Assert.Equal("payment_method_typez", (string)e["param"]!);
        var after = await (await c.GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync();
        Assert.Equal("requires_payment_method", (string)after["status"]!);
    }

    [Fact]
    public void Every_route_declares_its_parameters()
    {
        var undeclared = Registry.Routes().Concat(ControlRoutes.All()).Where(r => r.Params is null).Select(r => $"{r.Method} {r.Pattern}").ToList();
        Assert.True(undeclared.Count == 0, "routes without Params: " + string.Join(", ", undeclared));
    }
}
