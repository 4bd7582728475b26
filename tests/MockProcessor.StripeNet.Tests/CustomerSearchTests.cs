namespace MockProcessor.StripeNet.Tests;

/// <summary>Customer search: query language, next_page, SearchAutoPagingAsync, invalid queries. Counterpart of customers_search.test.mjs.</summary>
public sealed class CustomerSearchTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<(Customer Alice, Customer Bob, Customer Carol, Customer Dave)> SeedAsync()
    {
        Customer Make(string email, string name, Dictionary<string, string> md) =>
            Client.V1.Customers.Create(new CustomerCreateOptions { Email = email, Name = name, Metadata = new(md) { ["tag"] = Tag } });
        await Task.CompletedTask;
        return (Make($"alice.{Tag}@example.com", "Alice Abcdef", new() { ["plan"] = "pro", ["region"] = "eu" }),
            Make($"bob.{Tag}@example.com", "Bob Xabcx", new() { ["plan"] = "free", ["region"] = "eu" }),
            Make($"carol.{Tag}@example.org", "Carol Smith", new() { ["plan"] = "pro", ["region"] = "us" }),
            Make($"dave.{Tag}@example.org", "Dave Jones", new()));
    }

    private async Task<List<string>> IdsAsync(string query)
    {
        var res = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = $"metadata['tag']:'{Tag}' AND {query}", Limit = 100 });
        return res.Data.Select(c => c.Id).Order().ToList();
    }

    [Fact]
    public async Task Query_language_exact_substring_metadata_and_boolean_operators()
    {
        var (alice, bob, carol, _) = await SeedAsync();
        await EventuallyAsync(async () =>
        {
            var res = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = $"email:'alice.{Tag}@example.com'" });
            res.Object.Should().Be("search_result");
            res.Url.Should().Be("/v1/customers/search");
            res.HasMore.Should().BeFalse();
            res.NextPage.Should().BeNull();
            res.Data.Select(c => c.Id).Should().Equal(alice.Id);
        });
        (await IdsAsync($"email:\"bob.{Tag}@example.com\"")).Should().Equal(bob.Id);
        (await IdsAsync("name~'abc'")).Should().Equal(new[] { alice.Id, bob.Id }.Order());
        (await IdsAsync("metadata['plan']:'pro'")).Should().Equal(new[] { alice.Id, carol.Id }.Order());
        (await IdsAsync("metadata['plan']:'pro' AND metadata['region']:'eu'")).Should().Equal(alice.Id);
        (await IdsAsync($"email:'zed.{Tag}@example.com'")).Should().BeEmpty();
    }

    [Fact]
    public async Task Or_and_created_comparisons()
    {
        var (alice, bob, carol, dave) = await SeedAsync();
        var all = new[] { alice, bob, carol, dave };
        await EventuallyAsync(async () =>
        {
            var or = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = $"email:'bob.{Tag}@example.com' OR email:'dave.{Tag}@example.org'" });
            or.Data.Select(c => c.Id).Order().Should().Equal(new[] { bob.Id, dave.Id }.Order());
        });
        var min = all.Min(c => ((DateTimeOffset)c.Created).ToUnixTimeSeconds());
        var max = all.Max(c => ((DateTimeOffset)c.Created).ToUnixTimeSeconds());
        (await IdsAsync($"created>{min - 1}")).Should().Equal(all.Select(c => c.Id).Order());
        (await IdsAsync($"created>{max}")).Should().BeEmpty();
        (await IdsAsync($"created<={max}")).Should().HaveCount(4);
    }

    [Fact]
    public async Task Paging_with_next_page_and_search_auto_pagination()
    {
        var (alice, bob, carol, dave) = await SeedAsync();
        var query = $"metadata['tag']:'{Tag}'";
        var expected = new[] { alice.Id, bob.Id, carol.Id, dave.Id }.Order().ToList();
        await EventuallyAsync(async () =>
        {
            var p1 = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = query, Limit = 3 });
            p1.Data.Should().HaveCount(3);
            p1.HasMore.Should().BeTrue();
            p1.NextPage.Should().NotBeNullOrEmpty();
            var p2 = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = query, Limit = 3, Page = p1.NextPage });
            p2.Data.Should().HaveCount(1);
            p2.HasMore.Should().BeFalse();
            p2.NextPage.Should().BeNull();
            p1.Data.Concat(p2.Data).Select(c => c.Id).Order().Should().Equal(expected);
        });
        var auto = await AllAsync(Client.V1.Customers.SearchAutoPagingAsync(new CustomerSearchOptions { Query = query, Limit = 1 }));
        auto.Select(c => c.Id).Order().Should().Equal(expected);
    }

    [Fact]
    public async Task A_deleted_customer_is_no_longer_found()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"temp.{Tag}@example.com" });
        var query = new CustomerSearchOptions { Query = $"email:'temp.{Tag}@example.com'" };
        await EventuallyAsync(async () => (await Client.V1.Customers.SearchAsync(query)).Data.Should().HaveCount(1));
        await Client.V1.Customers.DeleteAsync(c.Id);
        await EventuallyAsync(async () => (await Client.V1.Customers.SearchAsync(query)).Data.Should().BeEmpty());
    }

    [Fact]
    public async Task An_invalid_query_is_a_400()
    {
        await ExpectStripeErrorAsync(() => Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = "email:" }),
            HttpStatusCode.BadRequest, "invalid_request_error");
        await ExpectStripeErrorAsync(() => Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = "nosuchfield:'x'" }),
            HttpStatusCode.BadRequest, "invalid_request_error");
        await ExpectStripeErrorAsync(
            () => Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = "email:'a@b.c' AND name:'x' OR phone:'1'" }),
            HttpStatusCode.BadRequest, "invalid_request_error", param: "query");
    }
}
