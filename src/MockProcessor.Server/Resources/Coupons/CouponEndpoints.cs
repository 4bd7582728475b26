using System.Globalization;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Coupons;

/// <summary>/v1/coupons and /v1/promotion_codes (docs/discounts.md).</summary>
public static class CouponEndpoints
{
    /// <summary>Stripe refuses a <c>redeem_by</c> more than five years ahead.</summary>
    public const long MaxRedeemAhead = 5L * 366 * 86_400;

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/coupons", "coupon", Create)
        {
            Params = "amount_off currency duration duration_in_months id max_redemptions metadata name percent_off redeem_by",
        },
        new("GET", "/v1/coupons", "list:coupon", List) { Params = "created ending_before limit starting_after" },
        new("GET", "/v1/coupons/{id}", "coupon", Retrieve) { Params = "" },
        new("POST", "/v1/coupons/{id}", "coupon", Update) { Params = "metadata name" },
        new("DELETE", "/v1/coupons/{id}", "coupon", Delete) { Params = "" },
        new("POST", "/v1/promotion_codes", "promotion_code", CreateCode)
        {
            Params = "active code coupon customer expires_at max_redemptions metadata promotion restrictions",
        },
        new("GET", "/v1/promotion_codes", "list:promotion_code", ListCodes)
            { Params = "active code coupon created customer ending_before limit starting_after" },
        new("GET", "/v1/promotion_codes/{id}", "promotion_code", RetrieveCode) { Params = "" },
        new("POST", "/v1/promotion_codes/{id}", "promotion_code", UpdateCode) { Params = "active metadata" },
    ];

    private static StripeException Invalid(string param, string message) => new(StripeError.InvalidValue(param, message));

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var id = p.String("id", 200);
        if (id is not null && c.Tx.Get<StripeObject>(id) is not null)
            throw new StripeException(StripeError.ResourceAlreadyExists("Coupon", "id"));
        var percentText = p.String("percent_off", 20);
        var amountOff = p.Long("amount_off", 1, 99_999_999);
        var currency = p.String("currency", 3)?.ToLowerInvariant();
        if (percentText is not null && amountOff is not null)
            throw new StripeException(StripeError.ParametersExclusive("percent_off", "amount_off"));
        if (percentText is null && amountOff is null)
            throw Invalid("percent_off", "Invalid coupon: one of `percent_off` or `amount_off` is required.");
        decimal? percent = null;
        if (percentText is not null)
        {
            if (!decimal.TryParse(percentText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pv) || pv <= 0 || pv > 100)
                throw Invalid("percent_off", $"Invalid percent_off: {percentText}; it must be greater than 0 and at most 100.");
            percent = pv;
            if (currency is not null)
                throw Invalid("currency", "`currency` goes with `amount_off` only; a `percent_off` coupon has no currency.");
        }
        if (amountOff is not null)
        {
            if (currency is null) throw new StripeException(StripeError.ParameterMissing("currency"));
            Currencies.ValidateCurrency(currency).OrThrow();
        }
        var duration = p.Enum<CouponDuration>("duration") ?? CouponDuration.Once;
        var months = p.Long("duration_in_months", 1, 1200);
        if (duration == CouponDuration.Repeating && months is null)
            throw new StripeException(StripeError.ParameterMissing("duration_in_months"));
        if (duration != CouponDuration.Repeating && months is not null)
            throw Invalid("duration_in_months", "`duration_in_months` is only allowed with `duration=repeating`.");
        var redeemBy = p.Long("redeem_by", 0);
        if (redeemBy is { } by && (by <= c.Now || by > c.Now + MaxRedeemAhead))
            throw Invalid("redeem_by", "Invalid redeem_by: it must be in the future and at most five years ahead.");
        var coupon = new Coupon
        {
            Id = id ?? c.Ids.Chars(8),
            AccountId = c.Account.Id,
            Created = c.Now,
            PercentOff = percent,
            AmountOff = amountOff,
            Currency = amountOff is null ? null : currency,
            Duration = duration,
            DurationInMonths = months,
            MaxRedemptions = p.Long("max_redemptions", 1, int.MaxValue),
            RedeemBy = redeemBy,
            Name = p.String("name", 40),
            Metadata = p.Metadata(Metadata.Empty),
        };
        c.Tx.Put(coupon);
        c.Emit("coupon.created", coupon);
        return c.Respond(coupon);
    }

    internal static Coupon LoadLive(ApiContext c, string id, string param = "id")
    {
        var coupon = c.Load<Coupon>(id, "coupon", param);
        return coupon.Deleted ? throw new StripeException(StripeError.ResourceMissing("coupon", id, param)) : coupon;
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(LoadLive(c, c.Route("id")));

    // Stripe lets only the name and metadata change: the terms of a coupon are fixed once it exists.
    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = LoadLive(c, c.Route("id"));
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.StringPatch("name", 40) is { IsSet: true } name) after = after with { Name = name.Value };
        return c.Update(before, after, "coupon.updated");
    }

    private static ApiResult Delete(ApiContext c)
    {
        var coupon = LoadLive(c, c.Route("id"));
        c.Emit("coupon.deleted", coupon);
        c.Tx.Put(coupon with { Deleted = true });
        return CouponJson.Deleted(coupon.Id);
    }

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<Coupon>("coupon"), lp, co => !co.Deleted, "coupon");
        return Lists.Render(page, more, "/v1/coupons", c.Render, c.Expand);
    }

    // ---------------------------------------------------------------- promotion codes

    private static ApiResult CreateCode(ApiContext c)
    {
        var p = c.P;
        // The current API names the coupon under promotion[coupon] (promotion[type]=coupon); older versions took
        // a top-level coupon, still accepted here.
        var legacy = p.String("coupon", 200);
        string? couponId = null;
        if (p.Object("promotion") is { } promotion)
        {
            promotion.Enum("type", "coupon");
            couponId = promotion.String("coupon", 200);
        }
        if (couponId is not null && legacy is not null)
            throw new StripeException(StripeError.ParametersExclusive("promotion[coupon]", "coupon"));
        couponId ??= legacy ?? throw new StripeException(StripeError.ParameterMissing("promotion[coupon]"));
        var coupon = LoadLive(c, couponId, legacy is not null ? "coupon" : "promotion[coupon]");
        if (!CouponRules.IsValid(coupon, c.Now))
            throw Invalid("promotion[coupon]", $"The coupon `{coupon.Id}` is no longer valid and cannot get a promotion code.");

        var code = p.String("code", 500);
        if (code is not null && !CouponRules.IsWellFormedCode(code))
            throw Invalid("code", "Invalid code: only letters, digits and dashes are allowed.");
        code ??= c.Ids.Chars(8).ToUpperInvariant();
        var customer = p.String("customer", 200);
        if (customer is not null) c.Load<Customer>(customer, "customer", "customer");
        var active = p.Bool("active") ?? true;
        if (active && ActiveCodeExists(c, code, customer))
            throw Invalid("code", $"An active promotion code `{code}` already exists.");

        var expiresAt = p.Long("expires_at", 0);
        if (expiresAt is { } at && at <= c.Now)
            throw Invalid("expires_at", "Invalid expires_at: it must be in the future.");
        if (expiresAt is { } at2 && coupon.RedeemBy is { } by && at2 > by)
            throw Invalid("expires_at", "Invalid expires_at: a promotion code cannot outlive its coupon's redeem_by.");
        var max = p.Long("max_redemptions", 1, int.MaxValue);
        if (max is { } m && coupon.MaxRedemptions is { } cm && m > cm)
            throw Invalid("max_redemptions", "Invalid max_redemptions: it cannot exceed the coupon's max_redemptions.");

        var pc = new PromotionCode
        {
            Id = c.Ids.Next("promo", 24),
            AccountId = c.Account.Id,
            Created = c.Now,
            Code = code,
            Coupon = coupon.Id,
            Active = active,
            Customer = customer,
            ExpiresAt = expiresAt,
            MaxRedemptions = max,
            Metadata = p.Metadata(Metadata.Empty),
        };
        if (p.Object("restrictions") is { } r)
        {
            var minimum = r.Long("minimum_amount", 1, 99_999_999);
            var minCurrency = r.String("minimum_amount_currency", 3)?.ToLowerInvariant();
            if ((minimum is null) != (minCurrency is null))
                throw new StripeException(StripeError.ParameterMissing(minimum is null ? "restrictions[minimum_amount]" : "restrictions[minimum_amount_currency]"));
            if (minCurrency is not null) Currencies.ValidateCurrency(minCurrency, "restrictions[minimum_amount_currency]").OrThrow();
            pc = pc with { FirstTimeTransaction = r.Bool("first_time_transaction") ?? false, MinimumAmount = minimum, MinimumAmountCurrency = minCurrency };
        }
        c.Tx.Put(pc);
        c.Emit("promotion_code.created", pc);
        return c.Respond(pc);
    }

    // Codes are unique, ignoring case, among the active codes of the account (per customer for restricted codes).
    private static bool ActiveCodeExists(ApiContext c, string code, string? customer) =>
        c.Tx.NewestFirst<PromotionCode>("promotion_code").Any(x =>
            x.Active && x.Customer == customer && string.Equals(x.Code, code, StringComparison.OrdinalIgnoreCase));

    private static ApiResult RetrieveCode(ApiContext c) => c.Respond(c.Load<PromotionCode>(c.Route("id"), "promotion_code"));

    private static ApiResult UpdateCode(ApiContext c)
    {
        var p = c.P;
        var before = c.Load<PromotionCode>(c.Route("id"), "promotion_code");
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.Bool("active") is { } active)
        {
            if (active && !before.Active && ActiveCodeExists(c, before.Code, before.Customer))
                throw Invalid("active", $"Another active promotion code `{before.Code}` exists; deactivate it first.");
            after = after with { Active = active };
        }
        return c.Update(before, after, "promotion_code.updated");
    }

    private static ApiResult ListCodes(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var active = p.Bool("active");
        var code = p.String("code", 500);
        var coupon = p.String("coupon", 200);
        var customer = p.String("customer", 200);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<PromotionCode>("promotion_code"), lp, x =>
            (active is null || x.Active == active)
            && (code is null || string.Equals(x.Code, code, StringComparison.OrdinalIgnoreCase))
            && (coupon is null || x.Coupon == coupon) && (customer is null || x.Customer == customer), "promotion_code");
        return Lists.Render(page, more, "/v1/promotion_codes", c.Render, c.Expand);
    }
}
