using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

public class CustomerApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_customers"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Create(params (string, string)[] fields) =>
        await (await _c.PostFormAsync("/v1/customers", fields)).OkAsync();

    [Fact]
    public async Task Create_renders_the_current_customer_shape()
    {
        var cus = await Create(("email", "jenny@example.com"), ("name", "Jenny"), ("metadata[order]", "6735"));
        Assert.StartsWith("cus_", (string)cus["id"]!);
        Assert.Equal("customer", (string)cus["object"]!);
        Assert.Equal("jenny@example.com", (string)cus["email"]!);
        Assert.Equal(TestApp.StartTime, (long)cus["created"]!);
        Assert.Equal("6735", (string)cus["metadata"]!["order"]!);
        Assert.False((bool)cus["livemode"]!);
        Assert.True(cus.ContainsKey("description") && cus["description"] is null, "unset fields are null, not absent");
    }

    [Fact]
    public async Task Update_merges_metadata_deletes_empty_keys_and_unsets_with_empty_string()
    {
        var cus = await Create(("description", "d"), ("metadata[a]", "1"), ("metadata[b]", "2"));
        var id = (string)cus["id"]!;
        var updated = await (await _c.PostFormAsync($"/v1/customers/{id}", ("metadata[b]", ""), ("metadata[c]", "3"), ("description", ""))).OkAsync();
        Assert.Equal("""{"a":"1","c":"3"}""", updated["metadata"]!.ToJsonString());
        Assert.Null(updated["description"]);

        var events = await (await _c.GetAsync("/v1/events?type=customer.updated")).OkAsync();
        var ev = events["data"]![0]!;
        Assert.Equal(id, (string)ev["data"]!["object"]!["id"]!);
        Assert.Equal("d", (string)ev["data"]!["previous_attributes"]!["description"]!);
        Assert.Equal("2", (string)ev["data"]!["previous_attributes"]!["metadata"]!["b"]!);
    }

    [Fact]
    public async Task Address_is_kept_when_absent_replaced_by_a_hash_and_unset_by_an_empty_string()
    {
        var id = (string)(await Create(("address[city]", "Paris"), ("address[country]", "FR")))["id"]!;
        var kept = await (await _c.PostFormAsync($"/v1/customers/{id}", ("name", "n"))).OkAsync();
        Assert.Equal("Paris", (string)kept["address"]!["city"]!);
        var replaced = await (await _c.PostFormAsync($"/v1/customers/{id}", ("address[city]", "Lyon"))).OkAsync();
        Assert.Equal("Lyon", (string)replaced["address"]!["city"]!);
        var unset = await (await _c.PostFormAsync($"/v1/customers/{id}", ("address", ""))).OkAsync();
        Assert.Null(unset["address"]);
    }

    [Fact]
    public async Task Deleted_customer_retrieves_as_a_stub_and_leaves_the_list()
    {
        var id = (string)(await Create(("email", "gone@example.com")))["id"]!;
        var del = await (await _c.DeleteAsync($"/v1/customers/{id}")).OkAsync();
        Assert.Equal($$"""{"id":"{{id}}","object":"customer","deleted":true}""", del.ToJsonString());
        var again = await (await _c.GetAsync($"/v1/customers/{id}")).OkAsync();
        Assert.True((bool)again["deleted"]!);
        var list = await (await _c.GetAsync("/v1/customers")).OkAsync();
        Assert.Empty(list["data"]!.AsArray());
        var err = await (await _c.PostFormAsync($"/v1/customers/{id}", ("name", "x"))).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)err["code"]!);
    }

    [Fact]
    public async Task List_pages_newest_first_with_both_cursors()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++) ids.Add((string)(await Create(("name", $"c{i}")))["id"]!);
        ids.Reverse(); // newest first

        var first = await (await _c.GetAsync("/v1/customers?limit=3")).OkAsync();
        Assert.Equal(ids.Take(3), first["data"]!.AsArray().Select(x => (string)x!["id"]!));
        Assert.True((bool)first["has_more"]!);
        Assert.Equal("/v1/customers", (string)first["url"]!);

        var second = await (await _c.GetAsync($"/v1/customers?limit=3&starting_after={ids[2]}")).OkAsync();
        Assert.Equal(ids.Skip(3).Take(3), second["data"]!.AsArray().Select(x => (string)x!["id"]!));

        var back = await (await _c.GetAsync($"/v1/customers?limit=2&ending_before={ids[3]}")).OkAsync();
        Assert.Equal([ids[1], ids[2]], back["data"]!.AsArray().Select(x => (string)x!["id"]!));
        Assert.True((bool)back["has_more"]!);

        var last = await (await _c.GetAsync($"/v1/customers?limit=3&starting_after={ids[5]}")).OkAsync();
        Assert.Single(last["data"]!.AsArray());
        Assert.False((bool)last["has_more"]!);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("starting_after=cus_nope", "starting_after")]
    [InlineData("starting_after=a&ending_before=b", "starting_after")]
    public async Task Bad_list_parameters_are_400_or_404_naming_the_param(string query, string param)
    {
        var res = await _c.GetAsync("/v1/customers?" + query);
        Assert.InRange((int)res.StatusCode, 400, 404);
        var err = (await res.JsonAsync())["error"]!;
        Assert.Equal(param, (string)err["param"]!);
    }

    [Fact]
    public async Task Email_filter_and_search_find_the_right_customers()
    {
        await Create(("email", "a@example.com"), ("name", "Ada Lovelace"), ("metadata[tier]", "gold"));
        await Create(("email", "b@example.com"), ("name", "Bob"), ("metadata[tier]", "silver"));
        var byEmail = await (await _c.GetAsync("/v1/customers?email=b%40example.com")).OkAsync();
        Assert.Equal("Bob", (string)byEmail["data"]![0]!["name"]!);
        Assert.Single(byEmail["data"]!.AsArray());

        var search = await (await _c.GetAsync("/v1/customers/search?query=" + Uri.EscapeDataString("metadata['tier']:'gold' AND name~'Love'"))).OkAsync();
        Assert.Equal("search_result", (string)search["object"]!);
        Assert.Equal("Ada Lovelace", (string)search["data"]![0]!["name"]!);
        Assert.Single(search["data"]!.AsArray());

        var bad = await (await _c.GetAsync("/v1/customers/search?query=" + Uri.EscapeDataString("colour:'red'"))).ErrorAsync(400);
        Assert.Equal("query", (string)bad["param"]!);
    }

    [Fact]
    public async Task Search_pages_with_next_page()
    {
        for (var i = 0; i < 5; i++) await Create(("email", $"p{i}@example.com"));
        var seen = new List<string>();
        string? page = null;
        do
        {
            var url = "/v1/customers/search?limit=2&query=" + Uri.EscapeDataString("email~'example'") + (page is null ? "" : "&page=" + page);
            var res = await (await _c.GetAsync(url)).OkAsync();
            seen.AddRange(res["data"]!.AsArray().Select(x => (string)x!["email"]!));
            page = (string?)res["next_page"];
            Assert.Equal(page is not null, (bool)res["has_more"]!);
        } while (page is not null);
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(5, seen.Count);
    }

    [Fact]
    public async Task Metadata_limits_are_enforced_without_side_effects()
    {
        var tooMany = Enumerable.Range(0, 51).Select(i => ($"metadata[k{i}]", "v")).ToArray();
        var err = await (await _c.PostFormAsync("/v1/customers", tooMany)).ErrorAsync(400);
        Assert.StartsWith("metadata", (string)err["param"]!);
        var key = new string('k', 41);
        var longKey = await (await _c.PostFormAsync("/v1/customers", ($"metadata[{key}]", "v"))).ErrorAsync(400);
        Assert.Equal($"metadata[{key}]", (string)longKey["param"]!);
        var longValue = await (await _c.PostFormAsync("/v1/customers", ("metadata[k]", new string('v', 501)))).ErrorAsync(400);
        Assert.Equal("metadata[k]", (string)longValue["param"]!);
        var list = await (await _c.GetAsync("/v1/customers")).OkAsync();
        Assert.Empty(list["data"]!.AsArray());
    }

    [Fact]
    public async Task Customer_events_are_recorded_with_request_ids()
    {
        var res = await _c.PostFormAsync("/v1/customers", ("email", "e@example.com"));
        var requestId = res.Headers.GetValues("Request-Id").Single();
        var cus = await res.OkAsync();
        var events = await (await _c.GetAsync("/v1/events")).OkAsync();
        var ev = events["data"]![0]!;
        Assert.Equal("customer.created", (string)ev["type"]!);
        Assert.Equal(requestId, (string)ev["request"]!["id"]!);
        Assert.Equal((string)cus["id"]!, (string)ev["data"]!["object"]!["id"]!);
        Assert.StartsWith("evt_", (string)ev["id"]!);
    }
}
