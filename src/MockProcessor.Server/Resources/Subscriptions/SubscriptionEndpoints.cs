using System.Collections.Immutable;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Products;
using MockProcessor.Domain.Search;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Resources.Discounts;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;
using static MockProcessor.Domain.Billing.SubscriptionStatus;

namespace MockProcessor.Server.Resources.Subscriptions;

/// <summary><c>/v1/subscriptions</c> and <c>/v1/subscription_items</c> (docs/billing.md).</summary>
public static class SubscriptionEndpoints
{
    public const int MaxItems = 20;
    private const string Base = "/v1/subscriptions";

    public static readonly SecondaryIndex<Subscription> ByCustomer = new("subscription", "customer", s => s.Customer);
    public static readonly SecondaryIndex<Subscription> ByStatus = new("subscription", "status", s => s.Status.ToWire());
    public static readonly SecondaryIndex<SubscriptionItem> ItemsByPrice = new("subscription_item", "price", i => i.Deleted ? null : i.Price);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", Base, SubscriptionJson.Object, Create)
        {
            Params = "billing_cycle_anchor billing_cycle_anchor_config cancel_at cancel_at_period_end collection_method currency customer days_until_due default_payment_method default_tax_rates description discounts items metadata off_session payment_behavior proration_behavior trial_end trial_from_plan trial_period_days trial_settings",
        },
        new("GET", Base, "list:" + SubscriptionJson.Object, List) { Params = "created customer ending_before limit price starting_after status" },
        new("GET", Base + "/search", "search:" + SubscriptionJson.Object, Search) { Params = "limit page query" },
        new("GET", Base + "/{id}", SubscriptionJson.Object, Retrieve) { Params = "" },
        new("POST", Base + "/{id}", SubscriptionJson.Object, Update)
        {
            Params = "billing_cycle_anchor cancel_at cancel_at_period_end cancellation_details collection_method days_until_due default_payment_method default_tax_rates description discounts items metadata off_session pause_collection payment_behavior proration_behavior proration_date trial_end trial_from_plan trial_settings",
        },
        new("DELETE", Base + "/{id}/discount", "discount", DeleteDiscount) { Params = "" },
        new("POST", Base + "/{id}/resume", SubscriptionJson.Object, SubscriptionPause.Resume)
            { Params = "billing_cycle_anchor payment_behavior proration_behavior proration_date" },
        new("DELETE", Base + "/{id}", SubscriptionJson.Object, Cancel) { Params = "cancellation_details invoice_now prorate" },
        new("GET", "/v1/subscription_items", "list:subscription_item", ListItems) { Params = "created ending_before limit starting_after subscription" },
        new("GET", "/v1/subscription_items/{id}", "subscription_item", RetrieveItem) { Params = "" },
        new("POST", "/v1/subscription_items/{id}", "subscription_item", UpdateItem)
            { Params = "metadata off_session payment_behavior plan price proration_behavior proration_date quantity tax_rates" },
    ];

    private static StripeException Bad(string param, string message) => new(StripeError.InvalidValue(param, message));

    public static Subscription Load(ApiContext c, string id, string param = "id") => c.Load<Subscription>(id, "subscription", param);

    // ------------------------------------------------------------------ create

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var customerId = p.RequiredString("customer", 100);
        var customer = c.Tx.Get<Customer>(customerId) is { Deleted: false } found ? found
            : throw new StripeException(StripeError.ResourceMissing("customer", customerId, "customer"));
        c = c.AtTime(BillingClock.Now(c, customerId));
        var now = c.Now;
        var itemParams = p.ObjectList("items") ?? throw new StripeException(StripeError.ParameterMissing("items"), beforeExecution: true);
        if (itemParams.Count is 0 or > MaxItems) throw Bad("items", $"A subscription needs between 1 and {MaxItems} items.");
        var subId = c.Ids.Next("sub");
        var items = new List<SubscriptionItem>();
        Price? first = null;
        for (var n = 0; n < itemParams.Count; n++)
        {
            var ip = itemParams[n];
            var (priceId, priceParam) = ItemPrice(ip, $"items[{n}]");
            var price = LoadPrice(c, priceId ?? throw new StripeException(StripeError.ParameterMissing($"items[{n}][price]"), beforeExecution: true), priceParam, first);
            first ??= price;
            items.Add(new SubscriptionItem
            {
                Id = c.Ids.Next("si", 14), AccountId = c.Account.Id, Created = now, Subscription = subId, Price = price.Id,
                Quantity = ip.Long("quantity", 0, 1_000_000_000) ?? 1, Metadata = ip.Metadata(Metadata.Empty),
                TaxRates = Discounting.ReadTaxRates(c, ip, "tax_rates") ?? [],
            });
        }
        var recurring = first!.Recurring!;
        if (p.String("currency") is { } currency && currency.ToLowerInvariant() != first.Currency)
            throw Bad("currency", $"The currency {currency} does not match the items' prices ({first.Currency}).");

        var trialDays = p.Long("trial_period_days", 0, SubscriptionRules.MaxTrialDays);
        var trialEndText = p.String("trial_end");
        var fromPlan = p.Bool("trial_from_plan") ?? false;
        if (trialDays is not null && trialEndText is not null) throw new StripeException(StripeError.ParametersExclusive("trial_end", "trial_period_days"), beforeExecution: true);
        if (fromPlan && trialEndText is not null) throw new StripeException(StripeError.ParametersExclusive("trial_end", "trial_from_plan"), beforeExecution: true);
        long? trialEnd = trialDays is > 0 ? now + trialDays.Value * 86_400
            : fromPlan && recurring.TrialPeriodDays is > 0 ? now + recurring.TrialPeriodDays.Value * 86_400
            : trialEndText is null || trialEndText == "now" ? null
            : ReadTimestamp(trialEndText, "trial_end", now, now + SubscriptionRules.MaxTrialDays * 86_400);

        var pm = ReadPaymentMethod(c, p.String("default_payment_method", 100), customerId);
        var collection = p.Enum<CollectionMethod>("collection_method") ?? CollectionMethod.ChargeAutomatically;
        var daysUntilDue = ReadDaysUntilDue(p, collection, null);
        var behavior = p.Enum<PaymentBehavior>("payment_behavior") ?? PaymentBehavior.AllowIncomplete;
        if (behavior == PaymentBehavior.PendingIfIncomplete)
            throw Bad("payment_behavior", "payment_behavior=pending_if_incomplete can only be used when updating a subscription.");
        var proration = p.Enum<ProrationBehavior>("proration_behavior") ?? ProrationBehavior.CreateProrations;
        p.Bool("off_session");
        var anchor = ReadAnchor(p, recurring, now, trialEnd);
        // An anchor equal to the trial end is the default anchor: a plain trial.
        if (anchor is { } a0 && a0.Anchor == trialEnd && a0.Grid is null && a0.Config is null) anchor = null;
        var cancelAt = p.Long("cancel_at") is { } ca ? ReadTimestamp(ca.ToString(System.Globalization.CultureInfo.InvariantCulture), "cancel_at", now, Timestamps.Latest) : (long?)null;

        var defaultTaxRates = Discounting.ReadTaxRates(c, p, "default_tax_rates") ?? [];
        var firstAmount = items.Sum(i => PriceRules.AmountFor(c.Tx.Get<Price>(i.Price)!, i.Quantity, first.Currency) ?? 0);
        var discounts = Discounting.Read(c, p, "discounts", new DiscountTarget(customerId, first.Currency) { Subscription = subId, Amount = firstAmount }) ?? [];
        var sub = Start(c, customer, new NewSubscription(subId, items, first, trialEnd, pm?.Id, collection, daysUntilDue, behavior)
        {
            Description = p.String("description", 500), Metadata = p.Metadata(Metadata.Empty),
            CancelAtPeriodEnd = p.Bool("cancel_at_period_end") ?? false, CancelAt = cancelAt,
            Discounts = discounts, DefaultTaxRates = defaultTaxRates,
            TrialMissingPaymentMethod = SubscriptionPause.ReadTrialSettings(p, MissingPaymentMethodBehavior.CreateInvoice),
            BillingCycleAnchor = anchor?.Anchor, GridAnchor = anchor?.Grid, AnchorConfig = anchor?.Config,
            ProrateToAnchor = proration != ProrationBehavior.None,
        });
        return c.Respond(sub);
    }

    /// <summary>
    /// <c>billing_cycle_anchor</c> (a timestamp) or <c>billing_cycle_anchor_config</c> on create (docs/billing.md,
    /// "Billing cycle anchor on create"). The first paid period starts now, or at the trial's end, and the anchor must
    /// fall after that start and no later than its natural end (start + one interval). Returns the anchor, the grid
    /// reference when it differs (<see cref="Subscription.GridAnchor"/>) and the config; null without either parameter.
    /// </summary>
    private static (long Anchor, long? Grid, BillingCycleAnchorConfig? Config)? ReadAnchor(Params p, Recurring recurring, long now, long? trialEnd)
    {
        var text = p.String("billing_cycle_anchor");
        var configParams = p.Object("billing_cycle_anchor_config");
        if (text is null && configParams is null) return null;
        if (text is not null && configParams is not null)
            throw new StripeException(StripeError.ParametersExclusive("billing_cycle_anchor", "billing_cycle_anchor_config"), beforeExecution: true);
        var paidFrom = trialEnd ?? now;
        var natural = BillingPeriods.NextAfter(paidFrom, recurring.Interval, recurring.IntervalCount, paidFrom);
        if (configParams is not null)
        {
            const string name = "billing_cycle_anchor_config";
            if (recurring.Interval is not (RecurringInterval.Month or RecurringInterval.Year))
                throw Bad(name, "billing_cycle_anchor_config can only be used with prices whose interval is month or year.");
            int? Part(string key, int min, int max) => configParams.Long(key, min, max) is { } v ? (int)v : null;
            var config = new BillingCycleAnchorConfig(
                Part("day_of_month", 1, 31) ?? throw new StripeException(StripeError.ParameterMissing($"{name}[day_of_month]"), beforeExecution: true),
                Part("hour", 0, 23), Part("minute", 0, 59), Part("second", 0, 59), Part("month", 1, 12));
            var (configured, grid) = BillingPeriods.ConfigAnchor(config, recurring.Interval, recurring.IntervalCount, paidFrom, now);
            if (configured > natural)
                throw Bad(config.Month is null ? name : $"{name}[month]",
                    $"billing_cycle_anchor_config gives an anchor ({configured}) later than the next natural billing date ({natural}) for plan");
            return (configured, grid, config);
        }
        var anchor = ReadTimestamp(text!, "billing_cycle_anchor", now, Timestamps.Latest);
        if (trialEnd is { } te && anchor < te)
            throw Bad("billing_cycle_anchor", $"billing_cycle_anchor cannot be earlier than the trial end ({te}).");
        if (anchor > natural)
            throw Bad("billing_cycle_anchor", $"billing_cycle_anchor cannot be later than next natural billing date ({natural}) for plan");
        return (anchor, null, null);
    }

    /// <summary>What <see cref="Start"/> makes: the items (already checked, ids given), the trial and how to collect.</summary>
    public sealed record NewSubscription(string Id, IReadOnlyList<SubscriptionItem> Items, Price First, long? TrialEnd, string? DefaultPaymentMethod,
        CollectionMethod Collection, long? DaysUntilDue, PaymentBehavior Behavior)
    {
        public string? Description { get; init; }
        public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Domain.Common.Metadata.Empty;
        public bool CancelAtPeriodEnd { get; init; }
        public long? CancelAt { get; init; }
        /// <summary>Discounts already created for this subscription (<see cref="Discounting.Read"/>).</summary>
        public ImmutableList<string> Discounts { get; init; } = [];
        public ImmutableList<string> DefaultTaxRates { get; init; } = [];
        public MissingPaymentMethodBehavior TrialMissingPaymentMethod { get; init; } = MissingPaymentMethodBehavior.CreateInvoice;
        /// <summary>Lines added to the first invoice only (Checkout's one-time prices).</summary>
        public IReadOnlyList<(Price Price, long Quantity)> OneTime { get; init; } = [];
        /// <summary>
        /// A future <c>billing_cycle_anchor</c>: the first paid period runs from now (or from the trial's end) to it.
        /// <see cref="GridAnchor"/>, <see cref="AnchorConfig"/>: as on <see cref="Subscription"/> (<c>billing_cycle_anchor_config</c>).
        /// </summary>
        public long? BillingCycleAnchor { get; init; }
        public long? GridAnchor { get; init; }
        public BillingCycleAnchorConfig? AnchorConfig { get; init; }
        /// <summary>With an anchor: bill the time up to it prorated (<c>create_prorations</c>), or nothing (<c>none</c>).</summary>
        public bool ProrateToAnchor { get; init; } = true;
    }

    /// <summary>
    /// Creates a subscription and its first invoice, finalized and collected per <c>payment_behavior</c>: shared by
    /// <c>POST /v1/subscriptions</c> and Checkout's subscription mode. <paramref name="c"/> runs on the customer's clock.
    /// With <c>error_if_incomplete</c> a failed payment throws (the caller's unit of work is then discarded).
    /// </summary>
    public static Subscription Start(ApiContext c, Customer customer, NewSubscription n)
    {
        var now = c.Now;
        var (subId, items, first, trialEnd, collection) = (n.Id, n.Items, n.First, n.TrialEnd, n.Collection);
        var recurring = first.Recurring!;
        var behavior = n.Behavior;
        var customerId = customer.Id;
        var anchor = n.BillingCycleAnchor ?? trialEnd ?? now;
        var periodEnd = trialEnd ?? n.BillingCycleAnchor ?? BillingPeriods.NextAfter(anchor, recurring.Interval, recurring.IntervalCount, now);
        var invoiceId = c.Ids.Next("in");
        var sub = new Subscription
        {
            Id = subId, AccountId = c.Account.Id, Created = now, StartDate = now, Customer = customerId, Currency = first.Currency,
            Status = trialEnd is not null ? Trialing : collection == CollectionMethod.SendInvoice ? Active : Incomplete,
            BillingCycleAnchor = anchor, GridAnchor = n.GridAnchor, AnchorConfig = n.AnchorConfig, CurrentPeriodStart = now, CurrentPeriodEnd = periodEnd,
            FreeUntilAnchor = n.BillingCycleAnchor is not null && trialEnd is not null && !n.ProrateToAnchor,
            TrialStart = trialEnd is null ? null : now, TrialEnd = trialEnd,
            Interval = recurring.Interval, IntervalCount = recurring.IntervalCount,
            CollectionMethod = collection, DaysUntilDue = n.DaysUntilDue, DefaultPaymentMethod = n.DefaultPaymentMethod,
            Description = n.Description, Metadata = n.Metadata, CancelAtPeriodEnd = n.CancelAtPeriodEnd, CancelAt = n.CancelAt,
            CanceledAt = n.CancelAtPeriodEnd ? now : null,
            LatestInvoice = invoiceId, TestClock = customer.TestClock, Items = [.. items], PageBaseUrl = c.BaseUrl,
            Discounts = n.Discounts, DefaultTaxRates = n.DefaultTaxRates,
            TrialMissingPaymentMethod = n.TrialMissingPaymentMethod,
        };
        foreach (var item in items) c.Tx.Put(item);
        c.Tx.Put(sub);
        c.Emit("customer.subscription.created", sub);
        foreach (var id in n.Discounts) c.Emit("customer.discount.created", c.Tx.Get<Discount>(id)!);

        var period = new BillingPeriod(now, periodEnd);
        var lines = items.Select(i => n.BillingCycleAnchor is not null && trialEnd is null ? BillingEngine.AnchorLine(c, sub, i, period, n.ProrateToAnchor)
            : BillingEngine.ItemLine(c, sub, i, period, trial: trialEnd is not null)).ToList();
        foreach (var (price, quantity) in n.OneTime)
            lines.Add(new InvoiceLine(c.Ids.Next("il"), PriceRules.AmountFor(price, quantity) ?? 0,
                $"{quantity} × {BillingEngine.ProductName(c, price)}", new BillingPeriod(now, now), quantity) { Price = price.Id });
        if (collection == CollectionMethod.SendInvoice)
        {
            // Sent invoices wait an hour as drafts, then are finalized and sent; the subscription is active meanwhile.
            BillingEngine.CreateInvoice(c, invoiceId, customer, sub, BillingReason.SubscriptionCreate, lines, now, now, autoAdvance: true);
            return c.Tx.Get<Subscription>(subId)!;
        }
        var draft = BillingEngine.CreateInvoice(c, invoiceId, customer, sub, BillingReason.SubscriptionCreate, lines, now, now, autoAdvance: false);
        var open = BillingEngine.Finalize(c, draft, autoAdvance: true);
        if (open.Status == InvoiceStatus.Open)
        {
            if (behavior == PaymentBehavior.DefaultIncomplete) BillingEngine.PrepareForClient(c, open);
            else
            {
                var payment = BillingEngine.Attempt(c, open, null, automatic: false);
                if (payment.Error is { } error && behavior == PaymentBehavior.ErrorIfIncomplete) throw new StripeException(error);
            }
        }
        return c.Tx.Get<Subscription>(subId)!;
    }

    private static long ReadTimestamp(string text, string param, long after, long max)
    {
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var t))
            throw new StripeException(StripeError.InvalidInteger(param, text), beforeExecution: true);
        if (t <= after) throw Bad(param, $"Invalid timestamp: {param} must be in the future.");
        if (t > max) throw Bad(param, $"Invalid timestamp: {param} can be no more than {max}.");
        return t;
    }

    private static long? ReadDaysUntilDue(Params p, CollectionMethod collection, long? current)
    {
        var days = p.Long("days_until_due", 0, 730);
        if (collection == CollectionMethod.SendInvoice) return days ?? current ?? 30;
        if (days is not null) throw Bad("days_until_due", "days_until_due can only be set when collection_method is send_invoice.");
        return null;
    }

    /// <summary>A payment method for the subscription: it must be attached to the customer, as Stripe requires.</summary>
    private static PaymentMethod? ReadPaymentMethod(ApiContext c, string? id, string customer)
    {
        if (id is null) return null;
        var pm = c.Load<PaymentMethod>(id, "PaymentMethod", "default_payment_method");
        if (pm.Customer != customer)
            throw Bad("default_payment_method", $"The payment method {id} must be attached to the customer {customer} to be its subscription's default.");
        return pm;
    }

    /// <summary>
    /// An item's price: <c>price</c>, or the same object named as its legacy plan (<c>plan</c>, docs/credit-notes.md);
    /// with the name of the parameter it came from (under <paramref name="prefix"/>, e.g. <c>items[0]</c>).
    /// </summary>
    private static (string? Id, string Param) ItemPrice(Params ip, string? prefix)
    {
        string Name(string key) => prefix is null ? key : $"{prefix}[{key}]";
        var price = ip.String("price", 100);
        var plan = ip.String("plan", 100);
        if (price is not null && plan is not null) throw new StripeException(StripeError.ParametersExclusive(Name("price"), Name("plan")), beforeExecution: true);
        return plan is not null ? (plan, Name("plan")) : (price, Name("price"));
    }

    /// <summary>
    /// A price an item may bill: an active recurring licensed price, with the currency and interval of the others
    /// (<paramref name="like"/>). Changing the interval of a subscription is not emulated.
    /// </summary>
    private static Price LoadPrice(ApiContext c, string id, string param, Price? like) =>
        CheckPrice(c.Load<Price>(id, "price", param), param, like);

    /// <summary>The checks of <see cref="LoadPrice"/> on a price already loaded (Checkout's recurring line items).</summary>
    public static Price CheckPrice(Price price, string param, Price? like)
    {
        var id = price.Id;
        if (price.Recurring is not { } r)
            throw Bad(param, $"The price {id} is a one-time price; a subscription item needs a recurring price.");
        if (r.UsageType == UsageType.Metered)
            throw Bad(param, $"The price {id} is metered; metered billing is not emulated yet (docs/billing.md).");
        if (!price.Active) throw Bad(param, $"The price {id} is not active and cannot be subscribed to.");
        if (like is not null && (price.Currency != like.Currency || r.Interval != like.Recurring!.Interval || r.IntervalCount != like.Recurring.IntervalCount))
            throw Bad(param, "Currency and interval fields must match across all prices on a subscription.");
        return price;
    }

    private static Price? PriceOf(ApiContext c, Subscription s) => s.Items.Count == 0 ? null : c.Tx.Get<Price>(s.Items[0].Price);

    // ------------------------------------------------------------------ read

    private static ApiResult Retrieve(ApiContext c) => c.Respond(Load(c, c.Route("id")));

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var customer = p.String("customer", 100);
        var price = p.String("price", 100);
        var statusText = p.Enum("status", [.. WireEnum.AllWire<SubscriptionStatus>(), "all", "ended"]);
        SubscriptionStatus? status = statusText is not null && WireEnum.TryParse<SubscriptionStatus>(statusText, out var st) ? st : null;
        IEnumerable<Subscription> source = price is not null
            ? c.Tx.Find(ItemsByPrice, price).Select(i => c.Tx.Get<Subscription>(i.Subscription)).OfType<Subscription>()
                .DistinctBy(s => s.Id).OrderByDescending(s => s.Created).ToList()
            : customer is not null ? c.Tx.Find(ByCustomer, customer)
            : status is not null ? c.Tx.Find(ByStatus, status.Value.ToWire())
            : c.Tx.NewestFirst<Subscription>(SubscriptionJson.Object);
        bool Keep(Subscription s) =>
            (customer is null || s.Customer == customer) && (price is null || s.Items.Any(i => i.Price == price))
            && statusText switch
            {
                null => s.Status != Canceled,
                "all" => true,
                "ended" => s.Status is Canceled or IncompleteExpired,
                _ => s.Status == status,
            };
        var (page, more) = Lists.Page(source, lp, Keep, SubscriptionJson.Object);
        return Lists.Render(page, more, Base, c.Render, c.Expand);
    }

    /// <summary><c>GET /v1/subscriptions/search</c>: Stripe's fields <c>created</c>, <c>metadata</c>, <c>status</c>; canceled ones included.</summary>
    private static ApiResult Search(ApiContext c) =>
        SearchEndpoint.Run(c, StripeSearchSchemas.Subscriptions, Base + "/search",
            c.Tx.NewestFirst<Subscription>(SubscriptionJson.Object), s => new SearchDocument(s));

    private sealed class SearchDocument(Subscription s) : ISearchDocument
    {
        public string? GetString(string field) => field == "status" ? s.Status.ToWire() : null;
        public long? GetNumber(string field) => field == "created" ? s.Created : null;
        public string? GetMetadata(string key) => s.Metadata.GetValueOrDefault(key);
    }

    // ------------------------------------------------------------------ update

    private static ApiResult Update(ApiContext c)
    {
        var before = Load(c, c.Route("id"));
        c = c.AtTime(BillingClock.Now(c, before.Customer));
        var p = c.P;
        if (SubscriptionRules.IsTerminal(before.Status))
        {
            // Stripe lets a canceled subscription change only its metadata (and cancellation details).
            var meta = before with { Metadata = p.Metadata(before.Metadata) };
            ReadCancellationDetails(p, ref meta);
            if (p.Keys.Any(k => k is not ("metadata" or "cancellation_details" or "expand")))
                throw Bad("id", $"The subscription {before.Id} is {before.Status.ToWire()}; only metadata and cancellation_details can be updated.");
            BillingEngine.Save(c, before, meta);
            return c.Respond(meta);
        }
        var pending = p.Enum<PaymentBehavior>("payment_behavior") == PaymentBehavior.PendingIfIncomplete;
        if (pending) CheckPendingUpdate(p, before);
        var after = before;
        var itemParams = p.ObjectList("items");
        var itemsGiven = itemParams is not null;
        if (itemParams is not null) after = after with { Items = ApplyItems(c, before, itemParams, "items") };
        var behavior = p.Enum<ProrationBehavior>("proration_behavior") ?? ProrationBehavior.CreateProrations;
        var at = p.Long("proration_date") ?? c.Now;
        var paymentBehavior = p.Enum<PaymentBehavior>("payment_behavior") ?? PaymentBehavior.AllowIncomplete;
        p.Bool("off_session");
        // Stripe records the request's time in canceled_at when cancel_at_period_end is set, and clears it when undone.
        if (p.Bool("cancel_at_period_end") is { } atEnd)
            after = after with { CancelAtPeriodEnd = atEnd, CancelAt = atEnd ? null : after.CancelAt, CanceledAt = atEnd ? c.Now : null };
        if (p.Has("cancel_at"))
            after = p.IsEmpty("cancel_at") && p.String("cancel_at") is null ? after with { CancelAt = null }
                : after with { CancelAt = ReadTimestamp(p.Long("cancel_at")!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "cancel_at", c.Now, Timestamps.Latest), CancelAtPeriodEnd = false };
        ReadCancellationDetails(p, ref after);
        if (p.StringPatch("default_payment_method", 100) is { IsSet: true } dpm)
            after = after with { DefaultPaymentMethod = ReadPaymentMethod(c, dpm.Value, before.Customer)?.Id };
        if (p.StringPatch("description", 500) is { IsSet: true } description) after = after with { Description = description.Value };
        after = after with { Metadata = p.Metadata(after.Metadata) };
        after = SubscriptionPause.ReadPauseCollection(c, after) with { TrialMissingPaymentMethod = SubscriptionPause.ReadTrialSettings(p, after.TrialMissingPaymentMethod) };
        var collection = p.Enum<CollectionMethod>("collection_method") ?? after.CollectionMethod;
        after = after with { CollectionMethod = collection, DaysUntilDue = ReadDaysUntilDue(p, collection, after.DaysUntilDue) };
        if (Discounting.ReadTaxRates(c, p, "default_tax_rates") is { } rates) after = after with { DefaultTaxRates = rates };
        // A list replaces the discounts, "" clears them (Stripe's rule).
        var newDiscounts = Discounting.Read(c, p, "discounts", new DiscountTarget(before.Customer, before.Currency) { Subscription = before.Id }, before.Discounts);
        if (newDiscounts is not null) after = after with { Discounts = newDiscounts };

        var itemsChanged = itemsGiven && !after.Items.SequenceEqual(before.Items);
        // A pending update is billed at once (as always_invoice) so that its payment can decide whether it applies.
        if (pending && behavior == ProrationBehavior.CreateProrations) behavior = ProrationBehavior.AlwaysInvoice;
        var reset = ReadCycleChange(c, before, after, behavior);
        if (reset is not null) after = reset.After;
        var prorates = reset is null && itemsChanged && behavior != ProrationBehavior.None && before.Status is Active or PastDue;
        if (prorates)
        {
            if (at < before.CurrentPeriodStart || at > before.CurrentPeriodEnd)
                throw Bad("proration_date", "proration_date must be within the subscription's current period.");
            BillingEngine.Prorations(c, before, after, at, store: true);
        }
        string? invoiceId = prorates && behavior == ProrationBehavior.AlwaysInvoice || reset is { InvoiceNow: true } ? c.Ids.Next("in") : null;
        if (pending && invoiceId is not null) return c.Respond(HoldPendingUpdate(c, before, after, invoiceId));
        if (invoiceId is not null) after = after with { LatestInvoice = invoiceId };
        var newPeriod = new BillingPeriod(after.CurrentPeriodStart, after.CurrentPeriodEnd);
        // A new paid period starting now (trial ended, anchor reset) is billed whole on the invoice made now.
        List<InvoiceLine> periodLines = reset is { InvoiceNow: true, BillsNewPeriod: true }
            ? [.. after.Items.Select(i => BillingEngine.ItemLine(c, after, i, newPeriod, trial: false))] : [];
        BillingEngine.Save(c, before, after);
        AnnounceDiscounts(c, before.Discounts, after.Discounts);
        if (reset is { TrialWillEndNow: true })
        {
            var noticed = after with { TrialWillEndSent = true };
            c.Tx.Put(noticed);
            c.Emit("customer.subscription.trial_will_end", noticed);
        }
        if (invoiceId is not null)
        {
            var customer = c.Tx.Get<Customer>(before.Customer)!;
            var (invStart, invEnd) = reset is null ? (before.CurrentPeriodStart, c.Now) : (c.Now, c.Now);
            var draft = BillingEngine.CreateInvoice(c, invoiceId, customer, after, BillingReason.SubscriptionUpdate, periodLines, invStart, invEnd, autoAdvance: false);
            var open = BillingEngine.Finalize(c, draft);
            if (open.Status == InvoiceStatus.Open && open.CollectionMethod == CollectionMethod.ChargeAutomatically)
            {
                var payment = BillingEngine.Attempt(c, open, null, automatic: false);
                if (payment.Error is { } error && paymentBehavior == PaymentBehavior.ErrorIfIncomplete) throw new StripeException(error);
            }
        }
        return c.Respond(c.Tx.Get<Subscription>(before.Id)!);
    }

    /// <summary>
    /// What <c>trial_end</c>, <c>trial_from_plan</c> and <c>billing_cycle_anchor</c> do on update (docs/billing.md,
    /// "Trials and the anchor on update"): the subscription as it becomes, whether an invoice is made now (and bills the
    /// new period whole), and whether <c>trial_will_end</c> goes out in the request. Null when none of them changes the
    /// cycle. The unused time of the old period is credited (pending items swept into the invoice made now, or into
    /// the next one) unless <c>proration_behavior=none</c>.
    /// </summary>
    private sealed record CycleChange(Subscription After, bool InvoiceNow, bool BillsNewPeriod, bool TrialWillEndNow);

    private static CycleChange? ReadCycleChange(ApiContext c, Subscription before, Subscription after, ProrationBehavior behavior)
    {
        var p = c.P;
        var now = c.Now;
        var trialEndText = p.String("trial_end");
        var fromPlan = p.Bool("trial_from_plan") ?? false;
        var anchorType = p.IsHash("billing_cycle_anchor")
            ? p.Object("billing_cycle_anchor")!.Enum("type", "now", "unchanged")
                ?? throw new StripeException(StripeError.ParameterMissing("billing_cycle_anchor[type]"), beforeExecution: true)
            : p.Enum("billing_cycle_anchor", "now", "unchanged");
        if (fromPlan && trialEndText is not null) throw new StripeException(StripeError.ParametersExclusive("trial_end", "trial_from_plan"), beforeExecution: true);
        if (anchorType == "now" && (trialEndText is not null || fromPlan))
            throw new StripeException(StripeError.ParametersExclusive("billing_cycle_anchor", trialEndText is not null ? "trial_end" : "trial_from_plan"), beforeExecution: true);
        long? trialEnd = trialEndText is null or "now" ? null
            : ReadTimestamp(trialEndText, "trial_end", now, now + SubscriptionRules.MaxTrialDays * 86_400);
        if (fromPlan && PriceOf(c, after)?.Recurring?.TrialPeriodDays is { } days and > 0) trialEnd = now + days * 86_400;
        var endTrialNow = trialEndText == "now" && before.Status == Trialing;
        if (trialEnd is null && !endTrialNow && anchorType != "now") return null;

        var param = anchorType == "now" ? "billing_cycle_anchor" : trialEndText is not null ? "trial_end" : "trial_from_plan";
        var allowed = anchorType == "now" ? before.Status is Active or PastDue : before.Status is Trialing or Active or PastDue;
        if (!allowed)
            throw Bad(param, anchorType == "now" && before.Status == Trialing
                ? "billing_cycle_anchor=now cannot be used while the subscription is trialing; end the trial with trial_end=now."
                : $"{param} cannot be changed on a {before.Status.ToWire()} subscription.");
        // The old period's unused time is credited when a paid period is cut short (not a trial: nothing was paid).
        var credits = before.Status is Active or PastDue && behavior != ProrationBehavior.None
            && BillingEngine.Prorations(c, before, before with { Items = [] }, now, store: true).Count > 0;
        var reset = after with { GridAnchor = null, AnchorConfig = null, FreeUntilAnchor = false };
        if (trialEnd is { } te)
        {
            var status = SubscriptionRules.Next(before.Status, SubscriptionTrigger.TrialStarted) ?? before.Status;
            reset = reset with
            {
                Status = status, TrialStart = before.Status == Trialing ? before.TrialStart : now, TrialEnd = te, BillingCycleAnchor = te,
                CurrentPeriodStart = before.Status == Trialing ? before.CurrentPeriodStart : now, CurrentPeriodEnd = te, TrialWillEndSent = false,
            };
            return new CycleChange(reset, credits && behavior == ProrationBehavior.AlwaysInvoice, BillsNewPeriod: false,
                TrialWillEndNow: te - SubscriptionRules.TrialWillEndNoticeSeconds <= now);
        }
        var end = BillingPeriods.NextAfter(now, before.Interval, before.IntervalCount, now);
        reset = reset with { BillingCycleAnchor = now, CurrentPeriodStart = now, CurrentPeriodEnd = end };
        if (endTrialNow)
            reset = reset with { Status = SubscriptionRules.Next(Trialing, SubscriptionTrigger.TrialEnded) ?? Active, TrialEnd = now };
        return new CycleChange(reset, InvoiceNow: true, BillsNewPeriod: true, TrialWillEndNow: endTrialNow && !before.TrialWillEndSent);
    }

    /// <summary>
    /// The parameters Stripe allows with <c>payment_behavior=pending_if_incomplete</c> that the emulator updates
    /// (items by price and quantity, proration settings); anything else is a 400 naming it, as are subscriptions that
    /// cannot hold a pending update.
    /// </summary>
    private static void CheckPendingUpdate(Params p, Subscription sub, bool itemRoute = false)
    {
        const string why = "cannot be used with payment_behavior=pending_if_incomplete";
        foreach (var key in p.Keys)
            if (key is not ("payment_behavior" or "proration_behavior" or "proration_date" or "off_session" or "expand")
                && !(itemRoute ? key is "price" or "plan" or "quantity" : key == "items"))
                throw new StripeException(StripeError.InvalidValue(key, $"{key} {why}; pending updates take items (price, quantity), proration_behavior and proration_date."), beforeExecution: true);
        var items = itemRoute ? [] : p.ObjectList("items") ?? [];
        for (var n = 0; n < items.Count; n++)
            foreach (var key in items[n].Keys.ToList())
            {
                if (key is not ("id" or "price" or "plan" or "quantity"))
                    throw new StripeException(StripeError.InvalidValue($"items[{n}][{key}]", $"items[{n}][{key}] {why}."), beforeExecution: true);
                items[n].Accept(key); // read again by ApplyItems (a second view of the same form)
            }
        if (sub.CollectionMethod != CollectionMethod.ChargeAutomatically)
            throw Bad("payment_behavior", "payment_behavior=pending_if_incomplete needs collection_method=charge_automatically.");
        if (sub.Status is not (Active or PastDue))
            throw Bad("payment_behavior", $"payment_behavior=pending_if_incomplete cannot be used on a {sub.Status.ToWire()} subscription.");
        if (sub.PendingUpdate is not null)
            throw Bad("payment_behavior", $"The subscription {sub.Id} already has a pending update; pay its invoice or wait for it to expire.");
    }

    /// <summary>
    /// <c>pending_if_incomplete</c> with something to charge: the subscription keeps its items and holds the new ones in
    /// <c>pending_update</c> (expiring after 23 hours) while the change's invoice is created and attempted. Paid at once,
    /// the change applies (<see cref="BillingEngine.MarkPaid"/>); otherwise the pending update is announced and waits.
    /// </summary>
    private static Subscription HoldPendingUpdate(ApiContext c, Subscription before, Subscription after, string invoiceId)
    {
        var held = before with
        {
            LatestInvoice = invoiceId,
            PendingUpdate = new PendingUpdate { ExpiresAt = c.Now + SubscriptionRules.IncompleteWindowSeconds, Items = after.Items, Invoice = invoiceId },
        };
        c.Tx.Put(held);
        var customer = c.Tx.Get<Customer>(before.Customer)!;
        var draft = BillingEngine.CreateInvoice(c, invoiceId, customer, held, BillingReason.SubscriptionUpdate, [], before.CurrentPeriodStart, c.Now, autoAdvance: false);
        var open = BillingEngine.Finalize(c, draft);
        if (open.Status == InvoiceStatus.Open) BillingEngine.Attempt(c, open, null, automatic: false);
        var now = c.Tx.Get<Subscription>(before.Id)!;
        if (now.PendingUpdate is { } pu) now = now with { PendingUpdate = pu with { Announced = true } };
        BillingEngine.Save(c, before, now);
        return now;
    }

    /// <summary><c>customer.discount.created</c> for discounts added, <c>customer.discount.deleted</c> for those taken off [?].</summary>
    private static void AnnounceDiscounts(ApiContext c, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        foreach (var id in after.Where(a => !before.Contains(a)))
            if (c.Tx.Get<Discount>(id) is { } d) c.Emit("customer.discount.created", d);
        foreach (var id in before.Where(b => !after.Contains(b)))
            if (c.Tx.Get<Discount>(id) is { Deleted: false } d) Discounting.Remove(c, d);
    }

    /// <summary><c>DELETE /v1/subscriptions/{id}/discount</c>: removes the subscription's discounts; answers the deleted discount.</summary>
    private static ApiResult DeleteDiscount(ApiContext c)
    {
        var sub = Load(c, c.Route("id"));
        c = c.AtTime(BillingClock.Now(c, sub.Customer));
        if (sub.Discounts.Count == 0)
            throw new StripeException(StripeError.ResourceMissing("discount", sub.Id, "id") with { Message = $"The subscription {sub.Id} has no discount." });
        var first = c.Tx.Get<Discount>(sub.Discounts[0])!;
        BillingEngine.Save(c, sub, sub with { Discounts = [] });
        AnnounceDiscounts(c, sub.Discounts, []);
        return DeletedDiscount(first with { Deleted = true }, c);
    }

    /// <summary>Stripe's deleted discount: the discount's fields with <c>deleted: true</c>.</summary>
    private static System.Text.Json.Nodes.JsonObject DeletedDiscount(Discount d, ApiContext c)
    {
        var json = Discounting.Render(d, c.Render, ExpandNode.None);
        json["deleted"] = true;
        return json;
    }

    private static void ReadCancellationDetails(Params p, ref Subscription s)
    {
        if (p.Object("cancellation_details") is not { } d) return;
        s = s with
        {
            CancellationComment = d.StringPatch("comment", 5000) is { IsSet: true } cm ? cm.Value : s.CancellationComment,
            CancellationFeedback = d.Enum("feedback", "customer_service", "low_quality", "missing_features", "other", "switched_service",
                "too_complex", "too_expensive", "unused") ?? s.CancellationFeedback,
        };
    }

    /// <summary>
    /// <c>items[n]</c> on update: <c>id</c> names an existing item (changed, or removed with <c>deleted</c>), no id adds
    /// one. A new <c>price</c> without <c>quantity</c> resets the quantity to 1, as Stripe does.
    /// </summary>
    private static ImmutableList<SubscriptionItem> ApplyItems(ApiContext c, Subscription sub, List<Params> changes, string param)
    {
        var items = sub.Items.ToList();
        var like = PriceOf(c, sub);
        for (var n = 0; n < changes.Count; n++)
        {
            var ip = changes[n];
            var id = ip.String("id", 100);
            var (priceId, priceParam) = ItemPrice(ip, $"{param}[{n}]");
            var quantity = ip.Long("quantity", 0, 1_000_000_000);
            var deleted = ip.Bool("deleted") ?? false;
            ip.Bool("clear_usage");
            if (id is not null)
            {
                var index = items.FindIndex(i => i.Id == id);
                if (index < 0) throw new StripeException(StripeError.ResourceMissing("subscription_item", id, $"{param}[{n}][id]"));
                if (deleted) { items.RemoveAt(index); continue; }
                var item = items[index];
                if (priceId is not null) item = item with { Price = LoadPrice(c, priceId, priceParam, like).Id, Quantity = quantity ?? 1 };
                else if (quantity is not null) item = item with { Quantity = quantity.Value };
                items[index] = item with { Metadata = ip.Metadata(item.Metadata), TaxRates = Discounting.ReadTaxRates(c, ip, "tax_rates") ?? item.TaxRates };
            }
            else
            {
                if (deleted) throw Bad($"{param}[{n}][deleted]", "deleted needs the id of the item to remove.");
                var price = LoadPrice(c, priceId ?? throw new StripeException(StripeError.ParameterMissing(priceParam), beforeExecution: true),
                    priceParam, like);
                items.Add(new SubscriptionItem
                {
                    Id = c.Ids.Next("si", 14), AccountId = c.Account.Id, Created = c.Now, Subscription = sub.Id, Price = price.Id,
                    Quantity = quantity ?? 1, Metadata = ip.Metadata(Metadata.Empty), TaxRates = Discounting.ReadTaxRates(c, ip, "tax_rates") ?? [],
                });
            }
        }
        if (items.Count == 0) throw Bad(param, "A subscription must keep at least one item; cancel it instead.");
        if (items.Count > MaxItems) throw Bad(param, $"A subscription can have at most {MaxItems} items.");
        return [.. items];
    }

    // ------------------------------------------------------------------ cancel

    private static ApiResult Cancel(ApiContext c)
    {
        var sub = Load(c, c.Route("id"));
        c = c.AtTime(BillingClock.Now(c, sub.Customer));
        var p = c.P;
        var invoiceNow = p.Bool("invoice_now") ?? false;
        var prorate = p.Bool("prorate") ?? false;
        var details = sub;
        ReadCancellationDetails(p, ref details);
        if (SubscriptionRules.IsTerminal(sub.Status))
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "resource_missing",
                $"The subscription {sub.Id} is already {sub.Status.ToWire()}.", "id"));
        if (prorate && sub.Status is Active or PastDue)
            BillingEngine.Prorations(c, sub, sub with { Items = [] }, c.Now, store: true);
        var canceled = BillingEngine.Cancel(c, sub, CancellationReason.CancellationRequested, details.CancellationComment, details.CancellationFeedback);
        if (invoiceNow && BillingEngine.PendingItems(c, sub.Customer, sub.Id, sub.Currency).Count > 0)
        {
            var customer = c.Tx.Get<Customer>(sub.Customer)!;
            var id = c.Ids.Next("in");
            c.Tx.Put(canceled = canceled with { LatestInvoice = id });
            var draft = BillingEngine.CreateInvoice(c, id, customer, canceled, BillingReason.SubscriptionUpdate, [], sub.CurrentPeriodStart, c.Now, autoAdvance: false);
            var open = BillingEngine.Finalize(c, draft);
            if (open.Status == InvoiceStatus.Open) BillingEngine.Attempt(c, open, null, automatic: false);
        }
        return c.Respond(c.Tx.Get<Subscription>(sub.Id)!);
    }

    // ------------------------------------------------------------------ subscription items

    private static ApiResult ListItems(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var sub = Load(c, p.RequiredString("subscription", 100), "subscription");
        // An item list is short (at most 20): newest first, as Stripe lists them.
        var items = sub.Items.Reverse().ToList();
        var (page, more) = Lists.Page(items, lp, null, "subscription_item");
        return Lists.Render(page, more, "/v1/subscription_items", c.Render, c.Expand);
    }

    private static ApiResult RetrieveItem(ApiContext c)
    {
        var item = c.Load<SubscriptionItem>(c.Route("id"), "subscription_item");
        return item.Deleted ? throw new StripeException(StripeError.ResourceMissing("subscription_item", item.Id)) : c.Respond(item);
    }

    /// <summary>An item's price or quantity: the same change as <c>items[0]</c> on the subscription, with its prorations.</summary>
    private static ApiResult UpdateItem(ApiContext c)
    {
        var item = c.Load<SubscriptionItem>(c.Route("id"), "subscription_item");
        if (item.Deleted) throw new StripeException(StripeError.ResourceMissing("subscription_item", item.Id));
        var before = Load(c, item.Subscription);
        if (SubscriptionRules.IsTerminal(before.Status)) throw Bad("id", $"The subscription {before.Id} is {before.Status.ToWire()}.");
        c = c.AtTime(BillingClock.Now(c, before.Customer));
        var p = c.P;
        var pending = p.Enum<PaymentBehavior>("payment_behavior") == PaymentBehavior.PendingIfIncomplete;
        if (pending) CheckPendingUpdate(p, before, itemRoute: true);
        var updated = item;
        if (ItemPrice(p, null) is ({ } priceId, var priceParam))
            updated = updated with { Price = LoadPrice(c, priceId, priceParam, PriceOf(c, before)).Id, Quantity = p.Long("quantity", 0, 1_000_000_000) ?? 1 };
        else if (p.Long("quantity", 0, 1_000_000_000) is { } q) updated = updated with { Quantity = q };
        updated = updated with { Metadata = p.Metadata(updated.Metadata), TaxRates = Discounting.ReadTaxRates(c, p, "tax_rates") ?? updated.TaxRates };
        var behavior = p.Enum<ProrationBehavior>("proration_behavior") ?? ProrationBehavior.CreateProrations;
        var at = p.Long("proration_date") ?? c.Now;
        p.Enum<PaymentBehavior>("payment_behavior");
        p.Bool("off_session");
        var after = before with { Items = before.Items.Replace(before.Items.First(i => i.Id == item.Id), updated) };
        var prorates = behavior != ProrationBehavior.None && before.Status is Active or PastDue && (updated.Price != item.Price || updated.Quantity != item.Quantity);
        if (prorates && pending)
        {
            // As on the subscription: billed at once, applied when paid (the answer is the item as it still is).
            if (at < before.CurrentPeriodStart || at > before.CurrentPeriodEnd)
                throw Bad("proration_date", "proration_date must be within the subscription's current period.");
            BillingEngine.Prorations(c, before, after, at, store: true);
            var now = HoldPendingUpdate(c, before, after, c.Ids.Next("in"));
            return c.Respond(now.Items.FirstOrDefault(i => i.Id == item.Id) ?? item);
        }
        if (prorates)
            BillingEngine.Prorations(c, before, after, at, store: true);
        BillingEngine.Save(c, before, after);
        return c.Respond(updated);
    }
}
