using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>The card-era customer API: sources, default_source, charges on a customer's card, and their events.</summary>
public class CustomerSourceApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_sources"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Get(string url) => await (await _c.GetAsync(url)).OkAsync();

    // Defect 7: Stripe's own billing-test recipe names the same alias twice; the default is the card just attached.
    [Fact]
    public async Task Source_defect7_default_payment_method_naming_the_payment_method_alias_means_the_attached_card()
    {
        var cus = await (await _c.PostFormAsync("/v1/customers",
            ("payment_method", "pm_card_visa"), ("invoice_settings[default_payment_method]", "pm_card_visa"))).OkAsync();
        var dpm = (string)cus["invoice_settings"]!["default_payment_method"]!;
        Assert.StartsWith("pm_", dpm);
        Assert.NotEqual("pm_card_visa", dpm);
        var pms = await Get($"/v1/customers/{cus["id"]}/payment_methods");
        Assert.Equal(dpm, (string)pms["data"]!.AsArray().Single()!["id"]!);
        Assert.Equal((string)cus["id"]!, (string)pms["data"]![0]!["customer"]!);
    }
}
