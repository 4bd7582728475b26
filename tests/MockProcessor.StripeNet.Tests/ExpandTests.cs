namespace MockProcessor.StripeNet.Tests;

/// <summary>expand: ids by default, typed objects when expanded (retrieve, action, list data.*, nested paths), nulls, unknown fields. Counterpart of expand.test.mjs.</summary>
public sealed class ExpandTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<(Customer Customer, PaymentMethod Pm)> CustomerWithCardAsync()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "expand@example.com" });
        var pm = await Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = "tok_visa" } });
        await Client.V1.PaymentMethods.AttachAsync(pm.Id, new PaymentMethodAttachOptions { Customer = customer.Id });
        return (customer, pm);
    }

    [Fact]
    public async Task An_expandable_field_is_an_id_or_a_typed_object()
    {
        var (customer, pm) = await CustomerWithCardAsync();
        var plain = await Client.V1.PaymentMethods.GetAsync(pm.Id);
        plain.CustomerId.Should().Be(customer.Id);
        plain.Customer.Should().BeNull("not expanded");
        var expanded = await Client.V1.PaymentMethods.GetAsync(pm.Id, new PaymentMethodGetOptions { Expand = ["customer"] });
        expanded.Customer.Should().NotBeNull();
        expanded.Customer.Id.Should().Be(customer.Id);
        expanded.Customer.Object.Should().Be("customer");
        expanded.Customer.Email.Should().Be("expand@example.com");
        expanded.CustomerId.Should().Be(customer.Id);
    }

    [Fact]
    public async Task Expand_on_an_action_and_on_a_payment_intent()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "Attach Expand" });
        var pm = await Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = "tok_mastercard" } });
        var attached = await Client.V1.PaymentMethods.AttachAsync(pm.Id, new PaymentMethodAttachOptions { Customer = customer.Id, Expand = ["customer"] });
        attached.Customer.Id.Should().Be(customer.Id);
        attached.Customer.Name.Should().Be("Attach Expand");

        var pi = await PayAsync(configure: o => o.Expand = ["latest_charge", "payment_method"]);
        pi.LatestCharge.Should().NotBeNull();
        pi.LatestCharge.Object.Should().Be("charge");
        pi.LatestCharge.Amount.Should().Be(2000);
        pi.LatestChargeId.Should().Be(pi.LatestCharge.Id);
        pi.PaymentMethod.Card.Last4.Should().Be("4242");
    }

    [Fact]
    public async Task Data_prefix_expands_every_list_item()
    {
        var (customer, _) = await CustomerWithCardAsync();
        var pm2 = await Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = "tok_amex" } });
        await Client.V1.PaymentMethods.AttachAsync(pm2.Id, new PaymentMethodAttachOptions { Customer = customer.Id });
        var list = await Client.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id, Type = "card", Expand = ["data.customer"] });
        list.Data.Should().HaveCount(2);
        list.Data.Should().OnlyContain(p => p.Customer != null && p.Customer.Object == "customer" && p.Customer.Id == customer.Id);
        var plain = await Client.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id, Type = "card" });
        plain.Data.Should().OnlyContain(p => p.Customer == null && p.CustomerId == customer.Id);
    }

    [Fact]
    public async Task Nested_paths_expand_inside_sub_objects()
    {
        var (customer, pm) = await CustomerWithCardAsync();
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = pm.Id },
        });
        (await Client.V1.Customers.GetAsync(customer.Id)).InvoiceSettings.DefaultPaymentMethodId.Should().Be(pm.Id);
        var expanded = await Client.V1.Customers.GetAsync(customer.Id, new CustomerGetOptions { Expand = ["invoice_settings.default_payment_method"] });
        expanded.InvoiceSettings.DefaultPaymentMethod.Object.Should().Be("payment_method");
        expanded.InvoiceSettings.DefaultPaymentMethod.Id.Should().Be(pm.Id);
        expanded.InvoiceSettings.DefaultPaymentMethod.Card.Last4.Should().Be("4242");

        var both = await Client.V1.PaymentMethods.GetAsync(pm.Id, new PaymentMethodGetOptions { Expand = ["customer", "customer.invoice_settings.default_payment_method"] });
        both.Customer.Id.Should().Be(customer.Id);
        both.Customer.InvoiceSettings.DefaultPaymentMethod.Id.Should().Be(pm.Id);
    }

    [Fact]
    public async Task A_null_expandable_field_stays_null()
    {
        var pm = await Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = "tok_visa" } });
        var got = await Client.V1.PaymentMethods.GetAsync(pm.Id, new PaymentMethodGetOptions { Expand = ["customer"] });
        got.Customer.Should().BeNull();
        got.CustomerId.Should().BeNull();
    }

    [Fact]
    public async Task Expanding_an_unknown_or_unexpandable_field_is_a_400()
    {
        var (customer, pm) = await CustomerWithCardAsync();
        var err = await ExpectStripeErrorAsync(() => Client.V1.PaymentMethods.GetAsync(pm.Id, new PaymentMethodGetOptions { Expand = ["no_such_field"] }),
            HttpStatusCode.BadRequest, "invalid_request_error");
        err.Message.Should().Contain("no_such_field");
        await ExpectStripeErrorAsync(() => Client.V1.Customers.GetAsync(customer.Id, new CustomerGetOptions { Expand = ["email"] }),
            HttpStatusCode.BadRequest, "invalid_request_error");
        await ExpectStripeErrorAsync(() => Client.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id, Type = "card", Expand = ["data.bogus"] }),
            HttpStatusCode.BadRequest, "invalid_request_error");
    }
}
