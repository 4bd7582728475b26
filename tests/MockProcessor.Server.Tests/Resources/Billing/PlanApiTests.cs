using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>/v1/plans (docs/credit-notes.md "Plans"): the legacy view of recurring prices, one store for both.</summary>
public class PlanApiTests() : BillingApiTest("sk_test_plans")
{
    [Fact]
    public async Task A_plan_is_a_recurring_price_under_two_names()
    {
        var plan = await Post("/v1/plans", ("id", "gold-monthly"), ("amount", "2500"), ("currency", "USD"), ("interval", "month"),
            ("product[name]", "Gold"), ("nickname", "Gold monthly"), ("trial_period_days", "7"), ("metadata[tier]", "gold"));
        Assert.Equal(("gold-monthly", "plan", 2500L, "2500", "month", 1L), (Id(plan), (string)plan["object"]!, (long)plan["amount"]!,
            (string)plan["amount_decimal"]!, (string)plan["interval"]!, (long)plan["interval_count"]!));
        Assert.Equal(("licensed", "per_unit", 7L), ((string)plan["usage_type"]!, (string)plan["billing_scheme"]!, (long)plan["trial_period_days"]!));
        var product = (string)plan["product"]!;
        Assert.Equal("Gold", (string)(await Get($"/v1/products/{product}"))["name"]!);

        // The same object as a price, listed with the prices; a recurring price is a plan too.
        var price = await Get("/v1/prices/gold-monthly");
        Assert.Equal(("price", "recurring", 2500L, "Gold monthly"), ((string)price["object"]!, (string)price["type"]!, (long)price["unit_amount"]!, (string)price["nickname"]!));
        Assert.Contains("gold-monthly", (await Get("/v1/prices"))["data"]!.AsArray().Select(p => (string)p!["id"]!));
        var recurring = await Post("/v1/prices", ("product", product), ("currency", "usd"), ("unit_amount", "25000"), ("recurring[interval]", "year"));
        var asPlan = await Get($"/v1/plans/{Id(recurring)}");
        Assert.Equal(("plan", 25000L, "year"), ((string)asPlan["object"]!, (long)asPlan["amount"]!, (string)asPlan["interval"]!));
        var oneTime = await Post("/v1/prices", ("product", product), ("currency", "usd"), ("unit_amount", "500"));
        await (await _c.GetAsync($"/v1/plans/{Id(oneTime)}")).ErrorAsync(404);
        Assert.Equal([Id(recurring), "gold-monthly"], (await Get($"/v1/plans?product={product}"))["data"]!.AsArray().Select(p => (string)p!["id"]!));
        var expanded = await Get("/v1/plans/gold-monthly?expand[]=product");
        Assert.Equal("Gold", (string)expanded["product"]!["name"]!);

        Assert.Equal(["plan.created", "price.created"], await EventTypes("gold-monthly"));
        var created = (await Get("/v1/events?type=plan.created"))["data"]![0]!["data"]!["object"]!;
        Assert.Equal(("plan", 2500L), ((string)created["object"]!, (long)created["amount"]!));
    }

    [Fact]
    public async Task Update_moves_archives_and_delete_removes_the_plan_view()
    {
        var gold = Id(await Post("/v1/products", ("name", "Gold")));
        var silver = Id(await Post("/v1/products", ("name", "Silver")));
        var plan = await Post("/v1/plans", ("amount", "900"), ("currency", "usd"), ("interval", "week"), ("interval_count", "2"), ("product", gold));
        Assert.StartsWith("price_", Id(plan));
        var updated = await Post($"/v1/plans/{Id(plan)}", ("nickname", "Biweekly"), ("product", silver), ("active", "false"), ("trial_period_days", "3"));
        Assert.Equal(("Biweekly", silver, false, 3L), ((string)updated["nickname"]!, (string)updated["product"]!, (bool)updated["active"]!, (long)updated["trial_period_days"]!));
        var ev = (await Get("/v1/events?type=plan.updated"))["data"]![0]!["data"]!;
        Assert.Equal(gold, (string)ev["previous_attributes"]!["product"]!);
        Assert.Equal(silver, (string)(await Get($"/v1/prices/{Id(plan)}"))["product"]!);
        Assert.Single((await Get("/v1/plans?active=false"))["data"]!.AsArray());
        Assert.Empty((await Get("/v1/plans?active=true"))["data"]!.AsArray());

        var deleted = await (await _c.DeleteAsync($"/v1/plans/{Id(plan)}")).OkAsync();
        Assert.Equal(("plan", true), ((string)deleted["object"]!, (bool)deleted["deleted"]!));
        await (await _c.GetAsync($"/v1/plans/{Id(plan)}")).ErrorAsync(404);
        Assert.Empty((await Get("/v1/plans"))["data"]!.AsArray());
        Assert.Contains("plan.deleted", await EventTypes(Id(plan)));
        // With its only plan deleted, the product can be deleted.
        await (await _c.DeleteAsync($"/v1/products/{silver}")).OkAsync();
    }

    [Fact]
    public async Task Refusals_name_the_parameter_and_store_nothing()
    {
        var prod = Id(await Post("/v1/products", ("name", "P")));
        var tiered = await (await _c.PostFormAsync("/v1/plans", ("currency", "usd"), ("interval", "month"), ("product", prod), ("billing_scheme", "tiered"))).ErrorAsync(400);
        Assert.Equal("billing_scheme", (string)tiered["param"]!);
        var metered = await (await _c.PostFormAsync("/v1/plans", ("amount", "1"), ("currency", "usd"), ("interval", "month"), ("product", prod), ("usage_type", "metered"))).ErrorAsync(400);
        Assert.Equal("usage_type", (string)metered["param"]!);
        var noAmount = await (await _c.PostFormAsync("/v1/plans", ("currency", "usd"), ("interval", "month"), ("product", prod))).ErrorAsync(400);
        Assert.Equal("amount", (string)noAmount["param"]!);
        var noInterval = await (await _c.PostFormAsync("/v1/plans", ("amount", "1"), ("currency", "usd"), ("product", prod))).ErrorAsync(400);
        Assert.Equal("interval", (string)noInterval["param"]!);
        var noProduct = await (await _c.PostFormAsync("/v1/plans", ("amount", "1"), ("currency", "usd"), ("interval", "month"), ("product[name]", ""))).ErrorAsync(400);
        Assert.Contains("product", (string)noProduct["param"]!);
        await Post("/v1/plans", ("id", "dup"), ("amount", "1"), ("currency", "usd"), ("interval", "month"), ("product", prod));
        var dup = await (await _c.PostFormAsync("/v1/plans", ("id", "dup"), ("amount", "1"), ("currency", "usd"), ("interval", "month"), ("product", prod))).ErrorAsync(400);
        Assert.Equal("resource_already_exists", (string)dup["code"]!);
        Assert.Single((await Get("/v1/plans"))["data"]!.AsArray());
        Assert.Single((await Get("/v1/products"))["data"]!.AsArray());
    }

    [Fact]
    public async Task A_subscription_item_takes_a_plan_and_shows_it()
    {
        var cus = Id(await Post("/v1/customers", ("email", "plan@example.com")));
        var pm = await Post("/v1/payment_methods/pm_card_visa/attach", ("customer", cus));
        await Post($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)));
        var basic = await Post("/v1/plans", ("amount", "1000"), ("currency", "usd"), ("interval", "month"), ("product[name]", "Basic"));
        var pro = await Post("/v1/plans", ("amount", "3000"), ("currency", "usd"), ("interval", "month"), ("product[name]", "Pro"));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][plan]", Id(basic)));
        Assert.Equal("active", (string)sub["status"]!);
        var item = sub["items"]!["data"]![0]!;
        Assert.Equal((Id(basic), "plan", Id(basic)), ((string)item["plan"]!["id"]!, (string)item["plan"]!["object"]!, (string)item["price"]!["id"]!));
        var both = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][plan]", Id(basic)), ("items[0][price]", Id(basic)))).ErrorAsync(400);
        Assert.Contains("items[0]", (string)both["param"]!);
        var moved = await Post($"/v1/subscription_items/{(string)item["id"]!}", ("plan", Id(pro)), ("proration_behavior", "none"));
        Assert.Equal(Id(pro), (string)moved["plan"]!["id"]!);
    }
}
