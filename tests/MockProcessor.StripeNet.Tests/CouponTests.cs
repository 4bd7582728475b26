using System.Net;

namespace MockProcessor.StripeNet.Tests;

/// <summary>CouponService and PromotionCodeService through Stripe.net (docs/discounts.md).</summary>
public sealed class CouponTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task Coupon_create_update_list_delete()
    {
        var coupon = await Client.V1.Coupons.CreateAsync(new CouponCreateOptions
        {
            Id = $"OFF{Tag}", PercentOff = 20m, Duration = "forever", Name = "Twenty", Metadata = new() { ["tag"] = Tag },
        });
        coupon.Id.Should().Be($"OFF{Tag}");
        coupon.PercentOff.Should().Be(20m);
        coupon.Duration.Should().Be("forever");
        coupon.Valid.Should().BeTrue();
        coupon.AmountOff.Should().BeNull();

        var amount = await Client.V1.Coupons.CreateAsync(new CouponCreateOptions
            { AmountOff = 500, Currency = "eur", Duration = "repeating", DurationInMonths = 3, MaxRedemptions = 2 });
        amount.AmountOff.Should().Be(500);
        amount.Currency.Should().Be("eur");
        amount.DurationInMonths.Should().Be(3);
        amount.MaxRedemptions.Should().Be(2);

        var renamed = await Client.V1.Coupons.UpdateAsync(coupon.Id, new CouponUpdateOptions { Name = "Twenty percent" });
        renamed.Name.Should().Be("Twenty percent");
        (await Client.V1.Coupons.GetAsync(coupon.Id)).Name.Should().Be("Twenty percent");

        var listed = await Client.V1.Coupons.ListAsync(new CouponListOptions { Limit = 100 });
        listed.Data.Select(c => c.Id).Should().Contain([coupon.Id, amount.Id]);

        var deleted = await Client.V1.Coupons.DeleteAsync(amount.Id);
        deleted.Deleted.Should().BeTrue();
        await ExpectStripeErrorAsync(() => Client.V1.Coupons.GetAsync(amount.Id), HttpStatusCode.NotFound, "invalid_request_error");
        await ExpectStripeErrorAsync(() => Client.V1.Coupons.CreateAsync(new CouponCreateOptions { PercentOff = 120m }),
            HttpStatusCode.BadRequest, "invalid_request_error", param: "percent_off");
    }

    [Fact]
    public async Task Promotion_code_names_its_coupon_under_promotion()
    {
        var coupon = await Client.V1.Coupons.CreateAsync(new CouponCreateOptions { PercentOff = 15m, Duration = "once" });
        var code = await Client.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions
        {
            Promotion = new PromotionCodePromotionOptions { Type = "coupon", Coupon = coupon.Id },
            Code = $"WELCOME-{Tag}", MaxRedemptions = 5,
            Expand = ["promotion.coupon"],
        });
        code.Code.Should().Be($"WELCOME-{Tag}");
        code.Active.Should().BeTrue();
        code.Promotion.Type.Should().Be("coupon");
        code.Promotion.Coupon.PercentOff.Should().Be(15m);
        code.MaxRedemptions.Should().Be(5);

        var found = await Client.V1.PromotionCodes.ListAsync(new PromotionCodeListOptions { Code = $"welcome-{Tag}" });
        found.Data.Select(p => p.Id).Should().Equal(code.Id);

        var off = await Client.V1.PromotionCodes.UpdateAsync(code.Id, new PromotionCodeUpdateOptions { Active = false });
        off.Active.Should().BeFalse();
        (await Client.V1.PromotionCodes.GetAsync(code.Id)).Active.Should().BeFalse();
        var active = await Client.V1.PromotionCodes.ListAsync(new PromotionCodeListOptions { Code = $"WELCOME-{Tag}", Active = true });
        active.Data.Should().BeEmpty();
    }
}
