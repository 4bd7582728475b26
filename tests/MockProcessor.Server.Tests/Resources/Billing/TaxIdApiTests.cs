using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>Customer tax IDs (docs/credit-notes.md): nested and top-level routes, validation, verification, invoices.</summary>
public class TaxIdApiTests() : BillingApiTest("sk_test_tax_ids")
{
    [Fact]
    public async Task A_customer_tax_id_is_created_verified_by_its_test_value_listed_and_deleted()
    {
        var cus = Id(await Post("/v1/customers", ("email", "tax@example.com")));
        var txi = await Post($"/v1/customers/{cus}/tax_ids", ("type", "eu_vat"), ("value", "DE000000000"));
        Assert.StartsWith("txi_", Id(txi));
        Assert.Equal(("tax_id", "eu_vat", "DE", "pending"), ((string)txi["object"]!, (string)txi["type"]!, (string)txi["country"]!, (string)txi["verification"]!["status"]!));
        Assert.Equal(("customer", cus), ((string)txi["owner"]!["type"]!, (string)txi["owner"]!["customer"]!));
        var unverified = await Post($"/v1/customers/{cus}/tax_ids", ("type", "gb_vat"), ("value", "GB111111111"));
        var ein = await Post($"/v1/customers/{cus}/tax_ids", ("type", "us_ein"), ("value", "12-3456789"));
        Assert.Equal("unavailable", (string)ein["verification"]!["status"]!);

        await Post("/_mock/clock/advance", ("seconds", "61"));
        Assert.Equal("verified", (string)(await Get($"/v1/customers/{cus}/tax_ids/{Id(txi)}"))["verification"]!["status"]!);
        Assert.Equal("unverified", (string)(await Get($"/v1/tax_ids/{Id(unverified)}"))["verification"]!["status"]!);
        Assert.Equal(["customer.tax_id.created", "customer.tax_id.updated"], await EventTypes(Id(txi)));
        Assert.Equal(["customer.tax_id.created"], await EventTypes(Id(ein)));

        var list = await Get($"/v1/customers/{cus}/tax_ids");
        Assert.Equal([Id(ein), Id(unverified), Id(txi)], list["data"]!.AsArray().Select(t => (string)t!["id"]!));
        Assert.Equal(3, (await Get($"/v1/tax_ids?owner[type]=customer&owner[customer]={cus}"))["data"]!.AsArray().Count);

        var deleted = await (await _c.DeleteAsync($"/v1/customers/{cus}/tax_ids/{Id(ein)}")).OkAsync();
        Assert.True((bool)deleted["deleted"]!);
        await (await _c.GetAsync($"/v1/customers/{cus}/tax_ids/{Id(ein)}")).ErrorAsync(404);
        Assert.Equal(2, (await Get($"/v1/customers/{cus}/tax_ids"))["data"]!.AsArray().Count);
        Assert.Contains("customer.tax_id.deleted", await EventTypes(Id(ein)));
        // Another customer's path does not reach it.
        var other = Id(await Post("/v1/customers"));
        await (await _c.GetAsync($"/v1/customers/{other}/tax_ids/{Id(txi)}")).ErrorAsync(404);
    }

    [Fact]
    public async Task Bad_input_is_refused_and_stores_nothing()
    {
        var cus = Id(await Post("/v1/customers"));
        var badType = await (await _c.PostFormAsync($"/v1/customers/{cus}/tax_ids", ("type", "xx_vat"), ("value", "1"))).ErrorAsync(400);
        Assert.Equal("type", (string)badType["param"]!);
        var badValue = await (await _c.PostFormAsync($"/v1/customers/{cus}/tax_ids", ("type", "eu_vat"), ("value", "DE12"))).ErrorAsync(400);
        Assert.Equal(("tax_id_invalid", "value"), ((string)badValue["code"]!, (string)badValue["param"]!));
        var onCreate = await (await _c.PostFormAsync("/v1/customers", ("email", "x@example.com"),
            ("tax_id_data[0][type]", "eu_vat"), ("tax_id_data[0][value]", "DE123456789"),
            ("tax_id_data[1][type]", "gb_vat"), ("tax_id_data[1][value]", "nope"))).ErrorAsync(400);
        Assert.Equal("tax_id_data[1][value]", (string)onCreate["param"]!);
        Assert.Single((await Get("/v1/customers"))["data"]!.AsArray());
        Assert.Empty((await Get($"/v1/customers/{cus}/tax_ids"))["data"]!.AsArray());
        var owner = await (await _c.PostFormAsync("/v1/tax_ids", ("type", "us_ein"), ("value", "12-3456789"), ("owner[type]", "account"))).ErrorAsync(400);
        Assert.Equal("owner[type]", (string)owner["param"]!);
        for (var i = 0; i < 25; i++) await Post($"/v1/customers/{cus}/tax_ids", ("type", "us_ein"), ("value", $"12-34567{i:D2}"));
        var limit = await (await _c.PostFormAsync($"/v1/customers/{cus}/tax_ids", ("type", "us_ein"), ("value", "12-3456799"))).ErrorAsync(400);
        Assert.Equal("tax_id_limit_reached", (string)limit["code"]!);
    }

    [Fact]
    public async Task Merchant_tax_ids_are_owner_self_and_invoices_copy_the_customers_at_finalization()
    {
        var mine = await Post("/v1/tax_ids", ("type", "gb_vat"), ("value", "GB123456789"));
        Assert.Equal("self", (string)mine["owner"]!["type"]!);
        Assert.Null(mine["customer"]);
        Assert.Equal([Id(mine)], (await Get("/v1/tax_ids"))["data"]!.AsArray().Select(t => (string)t!["id"]!));

        var cus = Id(await Post("/v1/customers", ("email", "b2b@example.com"),
            ("tax_id_data[0][type]", "eu_vat"), ("tax_id_data[0][value]", "FRAB123456789"), ("tax_id_data[1][type]", "ch_vat"), ("tax_id_data[1][value]", "CHE-123.456.789 MWST")));
        var ids = (await Get($"/v1/customers/{cus}/tax_ids"))["data"]!.AsArray();
        Assert.Equal(2, ids.Count);
        await Post("/v1/invoiceitems", ("customer", cus), ("amount", "1000"), ("currency", "usd"));
        var draft = await Post("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"), ("collection_method", "send_invoice"));
        var inv = await Post($"/v1/invoices/{Id(draft)}/finalize");
        var expected = new[] { "eu_vat:FRAB123456789", "ch_vat:CHE-123.456.789 MWST" };
        Assert.Equal(expected, inv["customer_tax_ids"]!.AsArray().Select(t => $"{(string)t!["type"]!}:{(string)t["value"]!}"));
        // Deleting a tax ID later leaves the finalized invoice as it was.
        await (await _c.DeleteAsync($"/v1/customers/{cus}/tax_ids/{(string)ids[0]!["id"]!}")).OkAsync();
        Assert.Equal(2, (await Get($"/v1/invoices/{Id(inv)}"))["customer_tax_ids"]!.AsArray().Count);
        var page = await _app.Client("").GetStringAsync(new Uri((string)inv["hosted_invoice_url"]!).AbsolutePath);
        Assert.Contains("CHE-123.456.789 MWST", page);
    }
}
