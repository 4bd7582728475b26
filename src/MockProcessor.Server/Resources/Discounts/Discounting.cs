using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Resources.Charges;
using MockProcessor.Server.Resources.Invoices;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Discounts;

/// <summary>Where a new discount goes, and what its promotion code's restrictions are checked against.</summary>
public sealed record DiscountTarget(string? Customer, string Currency)
{
    public string? Subscription { get; init; }
    public string? Invoice { get; init; }
    public string? InvoiceItem { get; init; }
    public string? CheckoutSession { get; init; }
    /// <summary>The amount a promotion code's <c>minimum_amount</c> is compared with (the first invoice's subtotal).</summary>
    public long? Amount { get; init; }
}

/// <summary>
/// Applying coupons and promotion codes (docs/discounts.md): reads <c>discounts[n][coupon|promotion_code|discount]</c>,
/// enforces the coupon's and the code's limits with Stripe-shaped errors, creates the <c>di_</c> objects (counting
/// <c>times_redeemed</c>), and recomputes an invoice's discount and tax amounts (<see cref="InvoiceTotals"/>).
/// </summary>
public static class Discounting
{
    public const int MaxDiscounts = 20;

    /// <summary>
    /// The discounts given under <paramref name="param"/>, as ids: null when absent, empty for <c>param=""</c>.
    /// <paramref name="existing"/> are the target's current discounts (kept when named again by <c>[discount]</c>).
    /// </summary>
    public static ImmutableList<string>? Read(ApiContext c, Params p, string param, DiscountTarget target, IReadOnlyList<string>? existing = null)
    {
        var entries = p.ObjectList(param);
        return entries is null ? null : Read(c, entries, p.NameOf(param), target, existing);
    }

    /// <summary><see cref="Read(ApiContext, Params, string, DiscountTarget, IReadOnlyList{string}?)"/> on entries already read.</summary>
    public static ImmutableList<string> Read(ApiContext c, List<Params> entries, string param, DiscountTarget target, IReadOnlyList<string>? existing = null)
    {
        if (entries.Count > MaxDiscounts) throw new StripeException(StripeError.InvalidValue(param, $"At most {MaxDiscounts} discounts can be applied."));
        var ids = ImmutableList.CreateBuilder<string>();
        for (var n = 0; n < entries.Count; n++)
        {
            var e = entries[n];
            var name = $"{param}[{n}]";
            var coupon = e.String("coupon", 200);
            var code = e.String("promotion_code", 200);
            var discount = e.String("discount", 200);
            if (new[] { coupon, code, discount }.Count(x => x is not null) != 1)
                throw new StripeException(StripeError.InvalidValue(name, $"Each of {name} needs exactly one of coupon, promotion_code or discount."));
            if (discount is not null)
            {
                var di = c.Tx.Get<Discount>(discount) is { Deleted: false } d && d.Customer == target.Customer ? d
                    : throw new StripeException(StripeError.ResourceMissing("discount", discount, name + "[discount]"));
                if (existing is not null && !existing.Contains(di.Id) && di.Subscription is not null && di.Subscription != target.Subscription)
                    throw new StripeException(StripeError.InvalidValue(name + "[discount]", $"The discount {di.Id} belongs to another subscription."));
                ids.Add(di.Id);
                continue;
            }
            ids.Add(Create(c, target, coupon, code, name).Id);
        }
        if (ids.Distinct().Count() != ids.Count)
            throw new StripeException(StripeError.InvalidValue(param, "The same discount cannot be applied twice."));
        return ids.ToImmutable();
    }

    /// <summary>A coupon or promotion code redeemed for <paramref name="target"/>: checks, a new <c>di_</c>, times_redeemed + 1.</summary>
    public static Discount Create(ApiContext c, DiscountTarget target, string? couponId, string? codeId, string name)
    {
        PromotionCode? code = null;
        if (codeId is not null)
        {
            code = c.Tx.Get<PromotionCode>(codeId) ?? throw new StripeException(StripeError.ResourceMissing("promotion_code", codeId, name + "[promotion_code]"));
            CheckCode(c, code, target, name + "[promotion_code]");
            couponId = code.Coupon;
        }
        var param = code is null ? name + "[coupon]" : name + "[promotion_code]";
        var coupon = c.Tx.Get<Coupon>(couponId!) is { Deleted: false } co ? co
            : throw new StripeException(StripeError.ResourceMissing("coupon", couponId!, param));
        if (!CouponRules.IsValid(coupon, c.Now))
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "coupon_expired",
                $"The coupon {coupon.Id} is no longer valid: it is past its redeem_by date or has reached max_redemptions.", param));
        if (coupon.AmountOff is not null && coupon.Currency != target.Currency)
            throw new StripeException(StripeError.InvalidValue(param,
                $"The coupon {coupon.Id} takes {coupon.AmountOff} {coupon.Currency} off and cannot apply to a {target.Currency} amount."));
        var di = new Discount
        {
            Id = c.Ids.Next("di"), AccountId = c.Account.Id, Created = c.Now, Coupon = coupon.Id, PromotionCode = code?.Id,
            Customer = target.Customer, Subscription = target.Subscription, Invoice = target.Invoice, InvoiceItem = target.InvoiceItem,
            CheckoutSession = target.CheckoutSession, Start = c.Now, End = DiscountRules.End(coupon, c.Now),
        };
        c.Tx.Put(di);
        c.Tx.Put(coupon with { TimesRedeemed = coupon.TimesRedeemed + 1 });
        if (code is not null) c.Tx.Put(code with { TimesRedeemed = code.TimesRedeemed + 1 });
        return di;
    }

    /// <summary>A promotion code's own limits (docs/discounts.md, "Redeeming").</summary>
    public static void CheckCode(ApiContext c, PromotionCode code, DiscountTarget target, string param)
    {
        var coupon = c.Tx.Get<Coupon>(code.Coupon);
        if (!code.Active)
            throw new StripeException(StripeError.InvalidValue(param, $"The promotion code {code.Code} is inactive."));
        if (code.ExpiresAt is { } at && c.Now >= at || code.MaxRedemptions is { } max && code.TimesRedeemed >= max
            || coupon is null || !CouponRules.IsValid(coupon, c.Now))
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "coupon_expired",
                $"The promotion code {code.Code} has expired or reached its maximum number of redemptions.", param));
        if (code.Customer is not null && code.Customer != target.Customer)
            throw new StripeException(StripeError.InvalidValue(param, $"The promotion code {code.Code} cannot be redeemed by this customer."));
        if (code.FirstTimeTransaction && target.Customer is not null && HasPriorTransactions(c, target.Customer))
            throw new StripeException(StripeError.InvalidValue(param,
                $"The promotion code {code.Code} is for first-time customers only, and this customer has prior transactions."));
        if (code.MinimumAmount is { } min && target.Amount is { } amount && code.MinimumAmountCurrency == target.Currency && amount < min)
            throw new StripeException(StripeError.InvalidValue(param,
                $"The promotion code {code.Code} needs a minimum amount of {min} {code.MinimumAmountCurrency}; this order is {amount}."));
    }

    /// <summary>A succeeded charge or a paid invoice with something paid makes a customer no longer first-time.</summary>
    private static bool HasPriorTransactions(ApiContext c, string customer) =>
        c.Tx.Find(ChargeEndpoints.ByCustomer, customer).Any(ch => ch.Status == ChargeStatus.Succeeded)
        || c.Tx.Find(InvoiceEndpoints.ByCustomer, customer).Any(i => i.Status == InvoiceStatus.Paid && i.AmountPaid > 0);

    /// <summary>The discount and tax amounts of an invoice's lines, from its discounts and tax rates as they are now.</summary>
    public static Invoice Recompute(ApiContext c, Invoice inv)
    {
        var discountIds = inv.Discounts.Concat(inv.Lines.SelectMany(l => l.Discounts)).Distinct();
        var terms = new Dictionary<string, DiscountTerms>();
        foreach (var id in discountIds)
            if (c.Tx.Get<Discount>(id) is { } d && c.Tx.Get<Coupon>(d.Coupon) is { } coupon)
                terms[id] = DiscountRules.Terms(d, coupon);
        var rates = new Dictionary<string, TaxTerms>();
        foreach (var id in inv.DefaultTaxRates.Concat(inv.Lines.SelectMany(l => l.TaxRates)).Distinct())
            if (c.Tx.Get<TaxRate>(id) is { } rate) rates[id] = DiscountRules.Terms(rate);
        return inv with { Lines = InvoiceTotals.Apply(inv.Lines, inv.Discounts, terms, inv.DefaultTaxRates, rates) };
    }

    /// <summary>
    /// The subscription's discounts that apply to an invoice made now (docs/discounts.md, "Durations"). Those that no
    /// longer can (a repeating discount past its end) are taken off the subscription first.
    /// </summary>
    public static ImmutableList<string> ForSubscriptionInvoice(ApiContext c, string subscriptionId)
    {
        var sub = c.Tx.Get<Subscription>(subscriptionId);
        if (sub is null || sub.Discounts.Count == 0) return [];
        var live = new List<string>();
        foreach (var id in sub.Discounts)
            if (c.Tx.Get<Discount>(id) is { } d && DiscountRules.AppliesAt(d, c.Now)) live.Add(id);
            else if (c.Tx.Get<Discount>(id) is { Deleted: false } ended) Remove(c, ended);
        if (live.Count != sub.Discounts.Count) Billing.BillingEngine.Save(c, sub, sub with { Discounts = [.. live] });
        return [.. live];
    }

    /// <summary>
    /// After an invoice of the subscription took its discounts: a <c>once</c> discount that took something off is spent
    /// and leaves the subscription (a $0 trial invoice does not spend it).
    /// </summary>
    public static void AfterSubscriptionInvoice(ApiContext c, string subscriptionId, Invoice inv)
    {
        var used = inv.Lines.SelectMany(l => l.DiscountAmounts).Where(d => d.Amount > 0).Select(d => d.Discount).ToHashSet();
        var spent = new List<string>();
        foreach (var id in inv.Discounts.Where(used.Contains))
            if (c.Tx.Get<Discount>(id) is { Deleted: false } d && c.Tx.Get<Coupon>(d.Coupon) is { Duration: CouponDuration.Once })
            {
                c.Tx.Put(d with { Spent = true });
                Remove(c, d with { Spent = true });
                spent.Add(id);
            }
        if (spent.Count > 0 && c.Tx.Get<Subscription>(subscriptionId) is { } sub)
            Billing.BillingEngine.Save(c, sub, sub with { Discounts = [.. sub.Discounts.Where(x => !spent.Contains(x))] });
    }

    /// <summary>Tax rate ids under <paramref name="param"/> (null when absent, empty for <c>""</c>): each must exist and be active.</summary>
    public static ImmutableList<string>? ReadTaxRates(ApiContext c, Params p, string param)
    {
        var ids = p.StringList(param);
        if (ids is null) return null;
        if (ids.Count > 10) throw new StripeException(StripeError.InvalidValue(p.NameOf(param), "At most 10 tax rates can be applied."));
        foreach (var (id, n) in ids.Select((id, n) => (id, n)))
        {
            var rate = c.Load<TaxRate>(id, "tax_rate", $"{p.NameOf(param)}[{n}]");
            if (!rate.Active)
                throw new StripeException(StripeError.InvalidValue($"{p.NameOf(param)}[{n}]", $"The tax rate {id} is inactive and cannot be applied."));
        }
        if (ids.Distinct().Count() != ids.Count) throw new StripeException(StripeError.InvalidValue(p.NameOf(param), "The same tax rate cannot be applied twice."));
        return [.. ids];
    }

    /// <summary>Removes a discount (<c>DELETE …/discount</c>, or a used-up one): flagged deleted, <c>customer.discount.deleted</c>.</summary>
    public static void Remove(ApiContext c, Discount di)
    {
        var gone = di with { Deleted = true };
        c.Tx.Put(gone);
        c.Emit("customer.discount.deleted", gone);
    }

    /// <summary>The discount object at the current version (fixture <c>discount</c>): the coupon under <c>source</c>.</summary>
    public static JsonObject Render(Discount di, RenderContext ctx, ExpandNode expand)
    {
        var source = expand.Child("source") ?? ExpandNode.None;
        var coupon = ctx.Tx.Get<Coupon>(di.Coupon);
        return new JsonObject
        {
            ["id"] = di.Id,
            ["object"] = "discount",
            ["checkout_session"] = di.CheckoutSession,
            // Stripe embeds the coupon object in source.coupon.
            ["source"] = new JsonObject
            {
                ["coupon"] = coupon is null ? di.Coupon : ctx.Render(coupon, source.Child("coupon") ?? ExpandNode.None),
                ["type"] = "coupon",
            },
            ["customer"] = ctx.Ref(expand, "customer", di.Customer),
            ["customer_account"] = null,
            ["end"] = di.End,
            ["invoice"] = di.Invoice,
            ["invoice_item"] = di.InvoiceItem,
            ["promotion_code"] = ctx.Ref(expand, "promotion_code", di.PromotionCode),
            ["start"] = di.Start,
            ["subscription"] = di.Subscription,
            ["subscription_item"] = null,
        };
    }

    /// <summary>A list of discount ids, each expanded into its object when <c>expand[]=discounts</c>.</summary>
    public static JsonArray Refs(RenderContext ctx, ExpandNode expand, string field, IEnumerable<string> ids)
    {
        var array = new JsonArray();
        var child = expand.Child(field);
        foreach (var id in ids)
            array.Add(child is not null && ctx.Tx.Get<Discount>(id) is { } d ? ctx.Render(d, child) : JsonValue.Create(id));
        return array;
    }

    /// <summary>Tax rates as Stripe embeds them (full objects) in <c>default_tax_rates</c> and <c>tax_rates</c>.</summary>
    public static JsonArray TaxRateObjects(RenderContext ctx, IEnumerable<string> ids)
    {
        var array = new JsonArray();
        foreach (var id in ids)
            if (ctx.Tx.Get<TaxRate>(id) is { } rate) array.Add(ctx.Render(rate));
        return array;
    }

    public static JsonArray Strings(IEnumerable<string> ids) => new([.. ids.Select(id => (JsonNode)JsonValue.Create(id)!)]);

    public static string Percent(decimal p) => p.ToString("0.####", CultureInfo.InvariantCulture);
}
