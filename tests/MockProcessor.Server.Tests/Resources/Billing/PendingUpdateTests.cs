using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary><c>payment_behavior=pending_if_incomplete</c> on subscription and subscription item updates (docs/billing.md).</summary>
public class PendingUpdateTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_pending_updates");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly long Start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static string Id(JsonNode o) => (string)o["id"]!;

    private async Task<string> Price(long amount)
    {
        var product = await (await _c.PostFormAsync("/v1/products", ("name", "Plan " + amount))).OkAsync();
        return Id(await (await _c.PostFormAsync("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", amount.ToString()),
            ("recurring[interval]", "month"))).OkAsync());
    }

    private async Task DefaultCard(string cus, string card)
    {
        var pm = await (await _c.PostFormAsync($"/v1/payment_methods/{card}/attach", ("customer", cus))).OkAsync();
        await (await _c.PostFormAsync($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
    }

    /// <summary>An active $10/month subscription on a clock at <see cref="Start"/>, its customer's card now <paramref name="card"/>.</summary>
    private async Task<(JsonObject Clock, string Customer, JsonObject Sub, string Upgrade)> Setup(string card)
    {
        var basic = await Price(1000);
        var upgrade = await Price(3000);
        var clock = await _c.CreateTestClockAsync(Start);
        var cus = Id(await (await _c.PostFormAsync("/v1/customers", ("email", "p@example.com"), ("test_clock", Id(clock)))).OkAsync());
        await DefaultCard(cus, "pm_card_visa");
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", basic))).OkAsync();
        Assert.Equal("active", (string)sub["status"]!);
        await DefaultCard(cus, card);
        return (clock, cus, sub, upgrade);
    }

    private Task<HttpResponseMessage> Upgrade(JsonObject sub, string price, params (string, string)[] extra) =>
        _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}",
            [("items[0][id]", Id(sub["items"]!["data"]![0]!)), ("items[0][price]", price), ("payment_behavior", "pending_if_incomplete"), .. extra]);

    private async Task<List<string>> EventTypes(string prefix) =>
        (await (await _c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray()
            .Select(e => (string)e!["type"]!).Where(t => t.StartsWith(prefix)).Reverse().ToList();

    private static string ItemPrice(JsonNode sub) => Id(sub["items"]!["data"]![0]!["price"]!);

    [Fact]
    public async Task A_declined_change_is_held_as_pending_and_applied_when_its_invoice_is_paid()
    {
        var (_, cus, sub, upgrade) = await Setup("pm_card_chargeCustomerFail");
        var oldPrice = ItemPrice(sub);
        var held = await (await Upgrade(sub, upgrade)).OkAsync();
        Assert.Equal(("active", oldPrice), ((string)held["status"]!, ItemPrice(held)));
        var pending = held["pending_update"]!;
        Assert.Equal(Start + 23 * 3600, (long)pending["expires_at"]!);
        Assert.Equal(upgrade, Id(pending["subscription_items"]![0]!["price"]!));
        Assert.Null(pending["trial_end"]);
        // The whole period is left: credit −1000, debit +3000 on one invoice, attempted and declined.
        var invoice = await (await _c.GetAsync($"/v1/invoices/{(string)held["latest_invoice"]!}")).OkAsync();
        Assert.Equal(("open", 2000L, "subscription_update"), ((string)invoice["status"]!, (long)invoice["amount_due"]!, (string)invoice["billing_reason"]!));
        Assert.Equal(1L, (long)invoice["attempt_count"]!);

        var card = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", cus))).OkAsync();
        var paid = await (await _c.PostFormAsync($"/v1/invoices/{Id(invoice)}/pay", ("payment_method", Id(card)))).OkAsync();
        Assert.Equal("paid", (string)paid["status"]!);
        var applied = await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync();
        Assert.Equal((upgrade, "active"), (ItemPrice(applied), (string)applied["status"]!));
        Assert.Null(applied["pending_update"]);
        // created (incomplete), updated (active), updated (pending_update set), updated (applied), pending_update_applied.
        Assert.Equal(["customer.subscription.created", "customer.subscription.updated", "customer.subscription.updated",
            "customer.subscription.updated", "customer.subscription.pending_update_applied"], await EventTypes("customer.subscription."));
    }

    [Fact]
    public async Task An_unpaid_pending_update_expires_after_23_hours_and_its_invoice_is_voided()
    {
        var (clock, _, sub, upgrade) = await Setup("pm_card_chargeCustomerFail");
        var held = await (await Upgrade(sub, upgrade)).OkAsync();
        Assert.NotNull(held["pending_update"]);
        await _c.AdvanceTestClockAsync(clock, 22 * 3600);
        Assert.NotNull((await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync())["pending_update"]);
        await _c.AdvanceTestClockAsync(clock, 2 * 3600);
        var after = await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync();
        Assert.Null(after["pending_update"]);
        Assert.Equal((ItemPrice(sub), "active"), (ItemPrice(after), (string)after["status"]!));
        var invoice = await (await _c.GetAsync($"/v1/invoices/{(string)held["latest_invoice"]!}")).OkAsync();
        Assert.Equal("void", (string)invoice["status"]!);
        Assert.Contains("customer.subscription.pending_update_expired", await EventTypes("customer.subscription."));
        Assert.DoesNotContain("customer.subscription.pending_update_applied", await EventTypes("customer.subscription."));
    }

    [Fact]
    public async Task A_change_paid_at_once_applies_directly_and_the_item_route_holds_quantity_changes_too()
    {
        var (_, cus, sub, upgrade) = await Setup("pm_card_visa");
        var done = await (await Upgrade(sub, upgrade)).OkAsync();
        Assert.Equal(upgrade, ItemPrice(done));
        Assert.Null(done["pending_update"]);
        var invoice = await (await _c.GetAsync($"/v1/invoices/{(string)done["latest_invoice"]!}")).OkAsync();
        Assert.Equal(("paid", 2000L), ((string)invoice["status"]!, (long)invoice["amount_paid"]!));
        Assert.DoesNotContain("customer.subscription.pending_update_applied", await EventTypes("customer.subscription."));

        await DefaultCard(cus, "pm_card_chargeCustomerFail");
        var itemId = Id(done["items"]!["data"]![0]!);
        var item = await (await _c.PostFormAsync($"/v1/subscription_items/{itemId}", ("quantity", "2"), ("payment_behavior", "pending_if_incomplete"))).OkAsync();
        Assert.Equal(1L, (long)item["quantity"]!);
        var held = await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync();
        Assert.Equal(2L, (long)held["pending_update"]!["subscription_items"]![0]!["quantity"]!);
        var second = await (await _c.GetAsync($"/v1/invoices/{(string)held["latest_invoice"]!}")).OkAsync();
        Assert.Equal(("open", 3000L), ((string)second["status"]!, (long)second["amount_due"]!));

        // One pending update at a time.
        var again = await (await Upgrade(held, upgrade)).ErrorAsync(400);
        Assert.Equal("payment_behavior", (string)again["param"]!);
    }

    [Fact]
    public async Task Parameters_pending_updates_do_not_take_are_refused_and_nothing_changes()
    {
        var (_, _, sub, upgrade) = await Setup("pm_card_chargeCustomerFail");
        foreach (var (extra, param) in new[] { (("metadata[a]", "b"), "metadata"), (("items[0][metadata][a]", "b"), "items[0][metadata]"),
                     (("cancel_at_period_end", "true"), "cancel_at_period_end") })
        {
            var error = await (await Upgrade(sub, upgrade, extra)).ErrorAsync(400);
            Assert.Equal(param, (string)error["param"]!);
        }
        var same = await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync();
        Assert.Equal((ItemPrice(sub), (string)sub["latest_invoice"]!), (ItemPrice(same), (string)same["latest_invoice"]!));
        Assert.Null(same["pending_update"]);
        var onCreate = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", (string)sub["customer"]!), ("items[0][price]", upgrade),
            ("payment_behavior", "pending_if_incomplete"))).ErrorAsync(400);
        Assert.Equal("payment_behavior", (string)onCreate["param"]!);
    }
}
