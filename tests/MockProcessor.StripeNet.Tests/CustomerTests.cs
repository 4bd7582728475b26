namespace MockProcessor.StripeNet.Tests;

/// <summary>Customers: CRUD, nulls, metadata, delete, isolation, list filters, pagination, auto-pagination. Counterpart of customers.test.mjs.</summary>
public sealed class CustomerTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<List<Customer>> CreateManyAsync(int n, string email)
    {
        var created = new List<Customer>();
        for (var i = 0; i < n; i++)
            created.Add(await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = $"Customer {i}", Email = email }));
        return created; // oldest first
    }

    [Fact]
    public async Task Create_returns_a_full_customer()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Email = "jenny.rosen@example.com", Name = "Jenny Rosen", Description = "First customer", Phone = "+14155550100",
            Metadata = new Dictionary<string, string> { ["order_id"] = "6735", ["tier"] = "gold" },
        });
        c.Id.Should().MatchRegex("^cus_[A-Za-z0-9]+$");
        c.Object.Should().Be("customer");
        c.Email.Should().Be("jenny.rosen@example.com");
        c.Name.Should().Be("Jenny Rosen");
        c.Description.Should().Be("First customer");
        c.Phone.Should().Be("+14155550100");
        c.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["order_id"] = "6735", ["tier"] = "gold" });
        c.Livemode.Should().BeFalse();
        c.Created.Should().BeAfter(new DateTime(2017, 7, 14, 0, 0, 0, DateTimeKind.Utc)).And.BeBefore(new DateTime(2286, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        c.Balance.Should().Be(0);
        c.Delinquent.Should().BeFalse();
        c.Address.Should().BeNull();
        c.Shipping.Should().BeNull();
        c.DefaultSourceId.Should().BeNull();
        c.InvoiceSettings.Should().NotBeNull();
        c.StripeResponse.RequestId.Should().StartWith("req_");
        c.StripeResponse.StatusCode.Should().Be(HttpStatusCode.OK, "creates answer 200, not 201");
    }

    [Fact]
    public async Task Create_without_parameters_renders_nulls()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        c.Email.Should().BeNull();
        c.Name.Should().BeNull();
        c.Description.Should().BeNull();
        c.Phone.Should().BeNull();
        c.Metadata.Should().BeEmpty();
    }

    [Fact]
    public async Task Retrieve_returns_the_same_object()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "a@example.com", Metadata = new() { ["a"] = "1" } });
        var got = await Client.V1.Customers.GetAsync(c.Id);
        got.Id.Should().Be(c.Id);
        got.Email.Should().Be("a@example.com");
        got.Created.Should().Be(c.Created);
        got.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["a"] = "1" });
    }

    [Fact]
    public async Task Update_merges_metadata_deletes_empty_keys_and_unsets_empty_fields()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Description = "to be cleared", Name = "Old Name", Metadata = new() { ["keep"] = "k", ["drop"] = "d", ["change"] = "old" },
        });
        var u = await Client.V1.Customers.UpdateAsync(c.Id, new CustomerUpdateOptions
        {
            Name = "New Name", Description = "", Metadata = new() { ["change"] = "new", ["added"] = "x", ["drop"] = "" },
        });
        var expected = new Dictionary<string, string> { ["keep"] = "k", ["change"] = "new", ["added"] = "x" };
        u.Id.Should().Be(c.Id);
        u.Name.Should().Be("New Name");
        u.Description.Should().BeNull();
        u.Metadata.Should().BeEquivalentTo(expected);
        var again = await Client.V1.Customers.GetAsync(c.Id);
        again.Description.Should().BeNull();
        again.Metadata.Should().BeEquivalentTo(expected);
    }

    [Fact]
    public async Task Delete_returns_a_stub_and_the_customer_reads_as_deleted()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"{Tag}@example.com" });
        var del = await Client.V1.Customers.DeleteAsync(c.Id);
        del.Id.Should().Be(c.Id);
        del.Deleted.Should().BeTrue();
        var got = await Client.V1.Customers.GetAsync(c.Id);
        got.Id.Should().Be(c.Id);
        got.Deleted.Should().BeTrue();
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = $"{Tag}@example.com" })).Data.Should().BeEmpty();

        await ExpectStripeErrorAsync(() => Client.V1.Customers.UpdateAsync(c.Id, new CustomerUpdateOptions { Name = "x" }),
            HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
    }

    [Fact]
    public async Task Retrieve_of_an_unknown_id_is_resource_missing()
    {
        var err = await ExpectStripeErrorAsync(() => Client.V1.Customers.GetAsync("cus_doesnotexist"),
            HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", param: "id");
        err.Message.Should().Contain("No such customer: 'cus_doesnotexist'");
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Customers_are_scoped_to_the_merchant_key()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "mine@example.com" });
        var other = Target.NewMerchant().Client;
        await ExpectStripeErrorAsync(() => other.V1.Customers.GetAsync(c.Id), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
        (await other.V1.Customers.ListAsync()).Data.Should().BeEmpty();
    }

    [Fact]
    public async Task List_shape_and_email_filter()
    {
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"one.{Tag}@example.com" });
        var two = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"two.{Tag}@example.com" });
        var filtered = await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = $"two.{Tag}@example.com" });
        filtered.Object.Should().Be("list");
        filtered.Url.Should().Be("/v1/customers");
        filtered.HasMore.Should().BeFalse();
        filtered.Data.Select(c => c.Id).Should().Equal(two.Id);
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = $"nobody.{Tag}@example.com" })).Data.Should().BeEmpty();
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Default_limit_is_ten()
    {
        await CreateManyAsync(12, $"{Tag}@example.com");
        var page = await Client.V1.Customers.ListAsync();
        page.Data.Should().HaveCount(10);
        page.HasMore.Should().BeTrue();
    }

    [Fact]
    public async Task Manual_pagination_newest_first_with_starting_after_and_ending_before()
    {
        var email = $"{Tag}@example.com";
        var expected = (await CreateManyAsync(25, email)).Select(c => c.Id).Reverse().ToList();
        CustomerListOptions Page(string? after = null, string? before = null, long limit = 10) =>
            new() { Email = email, Limit = limit, StartingAfter = after, EndingBefore = before };

        var p1 = await Client.V1.Customers.ListAsync(Page());
        p1.Data.Select(c => c.Id).Should().Equal(expected.Take(10));
        p1.HasMore.Should().BeTrue();
        var p2 = await Client.V1.Customers.ListAsync(Page(after: p1.Data[^1].Id));
        p2.Data.Select(c => c.Id).Should().Equal(expected.Skip(10).Take(10));
        var p3 = await Client.V1.Customers.ListAsync(Page(after: p2.Data[^1].Id));
        p3.Data.Select(c => c.Id).Should().Equal(expected.Skip(20));
        p3.HasMore.Should().BeFalse();

        var back = await Client.V1.Customers.ListAsync(Page(before: p3.Data[0].Id));
        back.Data.Select(c => c.Id).Should().Equal(expected.Skip(10).Take(10));
        back.HasMore.Should().BeTrue();
        var backToStart = await Client.V1.Customers.ListAsync(Page(before: p2.Data[0].Id));
        backToStart.Data.Select(c => c.Id).Should().Equal(expected.Take(10));
        backToStart.HasMore.Should().BeFalse();
        var shortPage = await Client.V1.Customers.ListAsync(Page(before: expected[5], limit: 3));
        shortPage.Data.Select(c => c.Id).Should().Equal(expected.Skip(2).Take(3));
        shortPage.HasMore.Should().BeTrue();
    }

    [Fact]
    public async Task Auto_pagination_returns_every_customer_once_newest_first()
    {
        var email = $"{Tag}@example.com";
        var expected = (await CreateManyAsync(25, email)).Select(c => c.Id).Reverse().ToList();
        var seen = await AllAsync(Client.V1.Customers.ListAutoPagingAsync(new CustomerListOptions { Email = email, Limit = 7 }));
        seen.Select(c => c.Id).Should().Equal(expected);
        // The synchronous enumerable pages the same way.
        Client.V1.Customers.ListAutoPaging(new CustomerListOptions { Email = email, Limit = 10 }).Select(c => c.Id).Should().Equal(expected);
    }

    [Fact]
    public async Task Created_range_filters()
    {
        var email = $"{Tag}@example.com";
        var created = await CreateManyAsync(6, email);
        var pivot = created[3].Created;
        var gte = await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = email, Limit = 100, Created = new DateRangeOptions { GreaterThanOrEqual = pivot } });
        gte.Data.Select(c => c.Id).Should().Equal(created.Where(c => c.Created >= pivot).Select(c => c.Id).Reverse());
        var lt = await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = email, Limit = 100, Created = new DateRangeOptions { LessThan = pivot } });
        lt.Data.Select(c => c.Id).Should().Equal(created.Where(c => c.Created < pivot).Select(c => c.Id).Reverse());
        var future = await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = email, Created = new DateRangeOptions { GreaterThan = created[^1].Created } });
        future.Data.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_starting_after_cursor_is_rejected()
    {
        // Only the code is pinned (the node suite does the same): the status of a bad cursor is not documented.
        var err = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Customers.ListAsync(new CustomerListOptions { StartingAfter = "cus_nope" }));
        err.StripeError.Type.Should().Be("invalid_request_error");
        err.StripeError.Code.Should().Be("resource_missing");
    }
}
