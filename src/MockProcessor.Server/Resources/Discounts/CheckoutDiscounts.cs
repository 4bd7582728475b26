using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Discounts;

/// <summary>
/// Discounts on Checkout Sessions (docs/discounts.md, "Checkout"): <c>discounts[0]</c> on create, or a promotion code
/// typed on the hosted page when <c>allow_promotion_codes</c> is set. The amounts due now are discounted with the
/// invoice arithmetic (<see cref="InvoiceTotals"/>), so a subscription's first invoice comes to the same total.
/// </summary>
public static class CheckoutDiscounts
{
    /// <summary>Reads <c>discounts</c> on create (at most one; not with <c>allow_promotion_codes</c>) and applies it.</summary>
    public static CheckoutSession Read(ApiContext c, Params p, CheckoutSession session)
    {
        if (p.ObjectList("discounts") is not { Count: > 0 } given) return session;
        if (session.AllowPromotionCodes == true)
            throw new StripeException(StripeError.ParametersExclusive("allow_promotion_codes", "discounts"), beforeExecution: true);
        if (session.Mode == CheckoutMode.Setup)
            throw new StripeException(StripeError.InvalidValue("discounts", "`discounts` cannot be used in `setup` mode."));
        if (given.Count > 1)
            throw new StripeException(StripeError.InvalidValue("discounts", "A Checkout Session takes at most one discount."));
        var ids = Discounting.Read(c, given, "discounts", Target(session));
        return Apply(c, session, c.Tx.Get<Discount>(ids[0])!, "discounts");
    }

    /// <summary>A promotion code typed on the page (matched ignoring case among active codes): the session with it applied.</summary>
    public static CheckoutSession ApplyCode(ApiContext c, CheckoutSession session, string typed)
    {
        var code = c.Tx.NewestFirst<PromotionCode>("promotion_code")
            .Where(x => string.Equals(x.Code, typed, StringComparison.OrdinalIgnoreCase) && x.Active)
            .OrderBy(x => x.Customer is null ? 1 : 0) // a code for this very customer first
            .FirstOrDefault(x => x.Customer is null || x.Customer == session.Customer)
            ?? throw new StripeException(StripeError.InvalidValue("promotion_code", "This code is invalid."));
        var di = Discounting.Create(c, Target(session), null, code.Id, "promotion_code");
        return Apply(c, session, di, "promotion_code");
    }

    private static DiscountTarget Target(CheckoutSession s) =>
        new(s.Customer, s.Currency ?? "usd") { CheckoutSession = s.Id, Amount = s.AmountSubtotal };

    /// <summary>The session's amounts with <paramref name="di"/>: each line's share, the discount, the total.</summary>
    public static CheckoutSession Apply(ApiContext c, CheckoutSession s, Discount di, string param)
    {
        var coupon = c.Tx.Get<Coupon>(di.Coupon)!;
        var trial = s.Mode == CheckoutMode.Subscription && s.SubscriptionData?.TrialPeriodDays is > 0;
        // What each line costs now: recurring lines are free during a trial.
        var lines = s.LineItems.Select(li => new InvoiceLine(li.Id,
            trial && c.Tx.Get<Price>(li.Price)?.Recurring is not null ? 0 : li.AmountSubtotal, li.Description, new BillingPeriod(0, 0), li.Quantity)).ToList();
        var applied = InvoiceTotals.Apply(lines, [di.Id], new Dictionary<string, DiscountTerms> { [di.Id] = DiscountRules.Terms(di, coupon) },
            [], new Dictionary<string, TaxTerms>());
        var items = s.LineItems.Select((li, i) =>
        {
            var off = applied[i].DiscountAmounts.Sum(d => d.Amount);
            return li with { AmountDiscount = off, AmountTotal = li.AmountSubtotal - off };
        }).ToList();
        var discount = items.Sum(li => li.AmountDiscount);
        var total = (s.AmountSubtotal ?? 0) - discount;
        if (s.Mode == CheckoutMode.Payment && total < Currencies.MinimumChargeAmount(s.Currency ?? "usd"))
            throw new StripeException(StripeError.InvalidValue(param,
                "This discount leaves less than the minimum amount to charge; free payment-mode sessions are not emulated."));
        return s with { Discounts = [di.Id], AmountDiscount = discount, LineItems = items, AmountTotal = total };
    }
}
