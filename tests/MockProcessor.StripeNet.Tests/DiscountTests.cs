namespace MockProcessor.StripeNet.Tests;

/// <summary>Discounts through Stripe.net 53 (docs/discounts.md): coupon durations on a test clock, promotion codes, removal.</summary>
public sealed class DiscountTests(EmulatorTarget target) : StripeTest(target)
{
    private static readonly DateTime May1 = new(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    private async Task<Price> MonthlyAsync(long amount) =>
        await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = amount, ProductData = new PriceProductDataOptions { Name = "Discounted plan" },
            Recurring = new PriceRecurringOptions { Interval = "month" },
        });

    [Fact]
    public async Task A_20_percent_repeating_3_month_coupon_bills_three_discounted_invoices_then_full_price()
    {
        var price = await MonthlyAsync(2500);
        var (clock, customer, _) = await ClockCustomerAsync("discounts@example.com", May1);
        var coupon = await Client.V1.Coupons.CreateAsync(new CouponCreateOptions { PercentOff = 20m, Duration = "repeating", DurationInMonths = 3 });
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }],
            Discounts = [new SubscriptionDiscountOptions { Coupon = coupon.Id }],
            Expand = ["discounts", "latest_invoice"],
        });
        var discount = sub.Discounts.Single();
        discount.Id.Should().StartWith("di_");
        discount.Source.Coupon.Id.Should().Be(coupon.Id);
        discount.End.Should().Be(May1.AddMonths(3));
        sub.LatestInvoice.Total.Should().Be(2000);
        sub.LatestInvoice.Subtotal.Should().Be(2500);
        sub.LatestInvoice.TotalDiscountAmounts.Single().Amount.Should().Be(500);

        for (var m = 1; m <= 4; m++)
        {
            clock = await Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = May1.AddMonths(m).AddHours(2) });
            clock.Status.Should().Be("ready");
        }
        var invoices = await AllAsync(Client.V1.Invoices.ListAutoPagingAsync(new InvoiceListOptions { Subscription = sub.Id, Limit = 100 }));
        invoices.Reverse();
        invoices.Select(i => i.AmountPaid).Should().Equal(2000, 2000, 2000, 2500, 2500);
        invoices.Should().OnlyContain(i => i.Status == "paid");
        invoices[1].Lines.Data.Single().DiscountAmounts.Single().Amount.Should().Be(500);
        invoices[3].TotalDiscountAmounts.Should().BeEmpty();
        (await Client.V1.Subscriptions.GetAsync(sub.Id)).Discounts.Should().BeEmpty();
        (await Client.V1.Coupons.GetAsync(coupon.Id)).TimesRedeemed.Should().Be(1);
    }

    [Fact]
    public async Task A_promotion_code_applies_once_and_an_expired_one_is_refused_with_coupon_expired()
    {
        var price = await MonthlyAsync(1000);
        var (_, customer, _) = await ClockCustomerAsync("discounts@example.com", May1);
        var coupon = await Client.V1.Coupons.CreateAsync(new CouponCreateOptions { AmountOff = 300, Currency = "usd", Duration = "forever" });
        var code = await Client.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions
        {
            Promotion = new PromotionCodePromotionOptions { Type = "coupon", Coupon = coupon.Id }, Code = $"THREE-{Tag}", MaxRedemptions = 1,
        });
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }],
            Discounts = [new SubscriptionDiscountOptions { PromotionCode = code.Id }], Expand = ["latest_invoice"],
        });
        sub.LatestInvoice.AmountPaid.Should().Be(700);
        (await Client.V1.PromotionCodes.GetAsync(code.Id)).TimesRedeemed.Should().Be(1);

        var error = await ExpectStripeErrorAsync(() => Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }],
            Discounts = [new SubscriptionDiscountOptions { PromotionCode = code.Id }],
        }), System.Net.HttpStatusCode.BadRequest, "invalid_request_error", param: "discounts[0][promotion_code]");
        error.StripeError.Code.Should().Be("coupon_expired");

        var removed = await Client.V1.Subscriptions.DeleteDiscountAsync(sub.Id);
        removed.Deleted.Should().BeTrue();
        (await Client.V1.Subscriptions.GetAsync(sub.Id)).Discounts.Should().BeEmpty();
    }

    [Fact]
    public async Task An_amount_off_coupon_on_a_draft_invoice_is_split_over_its_lines()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "split@example.com" });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 1000, Currency = "usd" });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 2000, Currency = "usd" });
        var coupon = await Client.V1.Coupons.CreateAsync(new CouponCreateOptions { AmountOff = 500, Currency = "usd" });
        var invoice = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, PendingInvoiceItemsBehavior = "include", Discounts = [new InvoiceDiscountOptions { Coupon = coupon.Id }],
        });
        invoice.Lines.Data.Select(l => l.DiscountAmounts.Single().Amount).Should().Equal(166, 334);
        invoice.Total.Should().Be(2500);
        invoice.AmountDue.Should().Be(2500);
        invoice.DiscountIds.Should().ContainSingle();
    }
}
