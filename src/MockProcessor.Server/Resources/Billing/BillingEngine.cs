using System.Globalization;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Resources.Invoices;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;
using static MockProcessor.Domain.Billing.SubscriptionStatus;
using PiCancellation = MockProcessor.Domain.PaymentIntents.CancellationReason;

namespace MockProcessor.Server.Resources.Billing;

/// <summary>
/// The billing engine (docs/billing.md): invoices for subscription periods, finalization, collection by an off-session
/// PaymentIntent on the card network, retries, and the subscription status changes that follow, all through
/// <see cref="SubscriptionRules"/> and <see cref="InvoiceRules"/>. Every function works in the caller's unit of work,
/// at <see cref="ApiContext.Now"/>, which callers have set to the customer's billing clock.
/// </summary>
public static class BillingEngine
{
    public static BillingSettings Settings(ApiContext c) =>
        (c.Tx.Get<Account>(c.Account.Id) ?? c.Account).Billing ?? BillingSettings.Default;

    // ---------------------------------------------------------------- subscriptions

    /// <summary>Stores a subscription version (and each changed item under its own id) and announces it.</summary>
    public static void Save(ApiContext c, Subscription before, Subscription after, string? eventType = "customer.subscription.updated")
    {
        foreach (var item in after.Items)
            if (!before.Items.Contains(item)) c.Tx.Put(item);
        foreach (var gone in before.Items.Where(b => after.Items.All(a => a.Id != b.Id)))
            c.Tx.Put(gone with { Deleted = true });
        if (eventType is null)
        {
            c.Tx.Put(after); // announced by the caller
            return;
        }
        if (eventType == "customer.subscription.deleted")
        {
            c.Tx.Put(after);
            c.Emit(eventType, after);
            return;
        }
        if (after == before) return;
        c.Tx.Put(after);
        // Items are new list instances even when nothing in them changed: only a visible change is announced.
        c.EmitChange(eventType, before, after, announceInvisible: false);
    }

    /// <summary>
    /// Applies a status trigger through the table; no transition in the table leaves the subscription as it is.
    /// <paramref name="changed"/>: other changes saved (and announced) with the status in one update.
    /// </summary>
    public static Subscription Transition(ApiContext c, Subscription sub, SubscriptionTrigger trigger, Subscription? changed = null)
    {
        var to = SubscriptionRules.Next(sub.Status, trigger);
        if (to is null || to == sub.Status)
        {
            if (changed is not null) Save(c, sub, changed);
            return changed ?? sub;
        }
        var after = (changed ?? sub) with { Status = to.Value };
        if (to is Canceled or IncompleteExpired)
        {
            after = after with
            {
                CanceledAt = sub.CanceledAt ?? c.Now, EndedAt = c.Now,
                CancellationReason = trigger == SubscriptionTrigger.RetriesExhaustedCancel ? Domain.Billing.CancellationReason.PaymentFailed : sub.CancellationReason ?? Domain.Billing.CancellationReason.CancellationRequested,
            };
            if (to == IncompleteExpired) after = after with { CancellationReason = null };
        }
        if (to == Paused)
            after = after with
            {
                PausedAt = c.Now,
                PauseReason = trigger == SubscriptionTrigger.TrialEndedWithoutPaymentMethodPause ? PauseReason.TrialEndWithoutPaymentMethod : PauseReason.PauseRequested,
            };
        else if (sub.Status == Paused) after = after with { PausedAt = null, PauseReason = null };
        Save(c, sub, after, to == Canceled ? "customer.subscription.deleted" : "customer.subscription.updated");
        // Entering and leaving `paused` are announced on their own as well (BILLING_CHECKOUT §2.5).
        if (to == Paused) c.Emit("customer.subscription.paused", after);
        else if (sub.Status == Paused && to == Active) c.Emit("customer.subscription.resumed", after);
        return after;
    }

    /// <summary>
    /// The end of the current period: a subscription set to cancel then ends; otherwise the next period starts (a trial
    /// ends into <c>active</c>) and its invoice is created as a draft that finalizes an hour later.
    /// </summary>
    public static void PeriodEnd(ApiContext c, Subscription sub)
    {
        if (sub.CancelAtPeriodEnd || sub.CancelAt is { } at && at <= sub.CurrentPeriodEnd)
        {
            Cancel(c, sub, Domain.Billing.CancellationReason.CancellationRequested, requested: sub.CancelAtPeriodEnd ? sub.CanceledAt : null);
            return;
        }
        var customer = c.Tx.Get<Customer>(sub.Customer)!;
        if (sub.Status == Trialing && sub.TrialMissingPaymentMethod != MissingPaymentMethodBehavior.CreateInvoice
            && (sub.DefaultPaymentMethod ?? customer.DefaultPaymentMethod) is null)
        {
            // trial_settings.end_behavior.missing_payment_method: no invoice; paused until resumed, or canceled.
            Transition(c, sub, sub.TrialMissingPaymentMethod == MissingPaymentMethodBehavior.Pause
                ? SubscriptionTrigger.TrialEndedWithoutPaymentMethodPause : SubscriptionTrigger.TrialEndedWithoutPaymentMethodCancel);
            return;
        }
        var start = sub.CurrentPeriodEnd;
        var end = BillingPeriods.NextAfter(sub.PeriodGrid(), sub.Interval, sub.IntervalCount, start);
        var invoiceId = c.Ids.Next("in");
        var after = sub with { CurrentPeriodStart = start, CurrentPeriodEnd = end, LatestInvoice = invoiceId };
        if (sub.Status == Trialing && SubscriptionRules.Next(Trialing, SubscriptionTrigger.TrialEnded) is { } next)
            after = after with { Status = next };
        Save(c, sub, after);
        var lines = after.Items.Select(i => PeriodLine(c, after, i, new BillingPeriod(start, end))).ToList();
        // While unpaid, Stripe keeps creating period invoices but leaves them as drafts it does not attempt; so does
        // pause_collection=keep_as_draft.
        var autoAdvance = after.Status != Unpaid && after.PauseCollection?.Behavior != PauseCollectionBehavior.KeepAsDraft;
        CreateInvoice(c, invoiceId, customer, after, BillingReason.SubscriptionCycle, lines, sub.CurrentPeriodStart, start, autoAdvance);
    }

    /// <summary>
    /// A draft finalized by its timer: charged automatically unless its subscription's collection is paused, in which
    /// case it is marked uncollectible or voided per <c>pause_collection[behavior]</c> (keep_as_draft never gets here).
    /// </summary>
    public static void FinalizeAndCollect(ApiContext c, Invoice draft)
    {
        var open = Finalize(c, draft);
        if (open.Status != InvoiceStatus.Open) return;
        var pause = open.Subscription is { } id ? c.Tx.Get<Subscription>(id)?.PauseCollection : null;
        if (pause?.Behavior == PauseCollectionBehavior.MarkUncollectible) MarkUncollectible(c, open);
        else if (pause?.Behavior == PauseCollectionBehavior.Void) Void(c, open);
        else if (open.CollectionMethod == CollectionMethod.ChargeAutomatically) Attempt(c, open, null, automatic: true);
    }

    /// <summary>
    /// <c>invoice.upcoming</c> for the subscription's next renewal: the invoice the period end will create (pending items,
    /// then each item for the next period), stored nowhere; its object has no id. Marks the period as announced.
    /// </summary>
    public static void AnnounceUpcoming(ApiContext c, Subscription sub)
    {
        var customer = c.Tx.Get<Customer>(sub.Customer)!;
        var n = 0;
        string LineId() => $"il_tmp_{c.Ids.Chars(16)}{n++:D2}";
        var lines = PendingItems(c, sub.Customer, sub.Id, sub.Currency).Select(ii => LineOf(ii, LineId())).ToList();
        var start = sub.CurrentPeriodEnd;
        var end = BillingPeriods.NextAfter(sub.PeriodGrid(), sub.Interval, sub.IntervalCount, start);
        lines.AddRange(sub.Items.Select(i => PeriodLine(c, sub, i, new BillingPeriod(start, end), LineId())));
        var preview = new Invoice
        {
            Id = "upcoming_in_" + c.Ids.Chars(24), AccountId = c.Account.Id, Created = c.Now, Customer = sub.Customer, Currency = sub.Currency,
            Status = InvoiceStatus.Draft, BillingReason = BillingReason.Upcoming, Subscription = sub.Id, Lines = [.. lines],
            PeriodStart = sub.CurrentPeriodStart, PeriodEnd = start, CollectionMethod = sub.CollectionMethod, TestClock = customer.TestClock,
            StartingBalance = customer.Balance, SubscriptionMetadata = sub.Metadata, UpcomingPayload = true,
            // When it will be charged: an hour after the renewal creates it.
            NextPaymentAttempt = start + SubscriptionRules.DraftWindowSeconds,
        };
        var (due, ending) = InvoiceRules.ApplyBalance(InvoiceRules.Total(preview), customer.Balance);
        c.Emit("invoice.upcoming", preview with { AmountDueAtFinalization = due, EndingBalance = ending });
        c.Tx.Put(sub with { UpcomingSentFor = sub.CurrentPeriodEnd });
    }

    /// <summary>Cancels now (a call, <c>cancel_at</c>, the period end, or retries exhausted); nothing bills afterwards.</summary>
    /// <paramref name="requested"/>: when <c>cancel_at_period_end</c> was set, kept as <c>canceled_at</c> (Stripe's rule).
    public static Subscription Cancel(ApiContext c, Subscription sub, Domain.Billing.CancellationReason reason, string? comment = null, string? feedback = null,
        long? requested = null)
    {
        var after = sub with
        {
            Status = Canceled, CanceledAt = requested ?? c.Now, EndedAt = c.Now, CancellationReason = reason,
            CancellationComment = comment ?? sub.CancellationComment, CancellationFeedback = feedback ?? sub.CancellationFeedback,
        };
        Save(c, sub, after, "customer.subscription.deleted");
        return after;
    }

    /// <summary>23 hours without paying the first invoice: <c>incomplete_expired</c>, and the open invoice is voided.</summary>
    public static void ExpireIncomplete(ApiContext c, Subscription sub)
    {
        var after = Transition(c, sub, SubscriptionTrigger.IncompleteExpired);
        if (after.LatestInvoice is { } id && c.Tx.Get<Invoice>(id) is { Status: InvoiceStatus.Open } inv) Void(c, inv);
    }

    /// <summary>
    /// Proration invoice items for a change of items at <paramref name="at"/> (docs/billing.md, "Prorations"): a credit for
    /// the unused time of each old price and quantity, a debit for the remaining time of each new one.
    /// </summary>
    public static List<InvoiceItem> Prorations(ApiContext c, Subscription before, Subscription after, long at, bool store)
    {
        var made = new List<InvoiceItem>();
        var (start, end) = (before.CurrentPeriodStart, before.CurrentPeriodEnd);
        if (at >= end) return made;
        var date = DateTimeOffset.FromUnixTimeSeconds(at).ToString("d MMM yyyy", CultureInfo.InvariantCulture);
        // The subscription's live discounts are reflected in the amounts (the lines themselves are not discountable).
        var discounts = before.Discounts.Select(id => c.Tx.Get<Discount>(id)).OfType<Discount>().Where(d => DiscountRules.AppliesAt(d, c.Now))
            .Select(d => c.Tx.Get<Coupon>(d.Coupon) is { } coupon && (coupon.AmountOff is null || coupon.Currency == before.Currency) ? DiscountRules.Terms(d, coupon) : null)
            .OfType<DiscountTerms>().ToList();
        void Add(SubscriptionItem item, bool credit)
        {
            var price = c.Tx.Get<Price>(item.Price)!;
            var full = InvoiceTotals.DiscountedForProration(PriceRules.AmountFor(price, item.Quantity, before.Currency) ?? 0, discounts,
                (credit ? before : after).Items.Count);
            var amount = InvoiceRules.Prorate(full, start, end, at);
            if (amount == 0) return;
            var ii = new InvoiceItem
            {
                Id = store ? c.Ids.Next("ii") : "ii_tmp_" + made.Count, AccountId = c.Account.Id, Created = c.Now, Date = c.Now,
                Customer = before.Customer, Currency = before.Currency, Amount = credit ? -amount : amount,
                Period = new BillingPeriod(at, end), Proration = true, Price = price.Id, Quantity = item.Quantity,
                Subscription = before.Id, SubscriptionItem = item.Id, TestClock = before.TestClock,
                Description = $"{(credit ? "Unused" : "Remaining")} time on {(item.Quantity == 1 ? "" : item.Quantity + " × ")}{ProductName(c, price)} after {date}",
            };
            made.Add(ii);
            if (!store) return;
            c.Tx.Put(ii);
            c.Emit("invoiceitem.created", ii);
        }
        foreach (var old in before.Items)
        {
            var now = after.Items.FirstOrDefault(i => i.Id == old.Id);
            if (now is not null && now.Price == old.Price && now.Quantity == old.Quantity) continue;
            Add(old, credit: true);
            if (now is not null) Add(now, credit: false);
        }
        foreach (var added in after.Items.Where(a => before.Items.All(b => b.Id != a.Id))) Add(added, credit: false);
        return made;
    }

    // ---------------------------------------------------------------- invoices

    /// <summary>A subscription item's line for a period: the price × quantity, or $0 in a trial.</summary>
    public static InvoiceLine ItemLine(ApiContext c, Subscription sub, SubscriptionItem item, BillingPeriod period, bool trial, string? id = null)
    {
        var price = c.Tx.Get<Price>(item.Price)!;
        var amount = trial ? 0 : PriceRules.AmountFor(price, item.Quantity, sub.Currency) ?? 0;
        var name = ProductName(c, price);
        var description = trial ? $"Trial period for {name}"
            : $"{item.Quantity} × {name} (at {FormatMoney(price.UnitAmount, sub.Currency)} / {Every(price.Recurring!)})";
        return new InvoiceLine(id ?? c.Ids.Next("il"), amount, description, period, item.Quantity)
        {
            Price = price.Id, SubscriptionItem = item.Id, Subscription = sub.Id, TaxRates = item.TaxRates,
        };
    }

    /// <summary>
    /// An item's line for a paid period on the subscription's grid: the whole price when the period starts on a boundary;
    /// prorated when it starts between two (the time from a trial's end to a later anchor), "Billing cycle anchor"
    /// in docs/billing.md.
    /// </summary>
    public static InvoiceLine PeriodLine(ApiContext c, Subscription sub, SubscriptionItem item, BillingPeriod period, string? id = null)
    {
        var (gridStart, _) = BillingPeriods.Containing(sub.PeriodGrid(), sub.Interval, sub.IntervalCount, period.Start);
        return gridStart == period.Start ? ItemLine(c, sub, item, period, trial: false, id) : AnchorLine(c, sub, item, period, !sub.FreeUntilAnchor, id);
    }

    /// <summary>
    /// An item's line from <c>period.Start</c> to an anchor (<c>period.End</c>, a boundary of the grid): price × quantity ×
    /// (end − start) / (end − the boundary one interval before it), rounded half away from zero; $0 unless
    /// <paramref name="prorate"/> (<c>proration_behavior=none</c>).
    /// </summary>
    public static InvoiceLine AnchorLine(ApiContext c, Subscription sub, SubscriptionItem item, BillingPeriod period, bool prorate, string? id = null)
    {
        var line = ItemLine(c, sub, item, period, trial: false, id);
        if (!prorate) return line with { Amount = 0 };
        var (full, _) = BillingPeriods.Containing(sub.PeriodGrid(), sub.Interval, sub.IntervalCount, period.End - 1);
        var amount = InvoiceRules.Prorate(line.Amount, full, period.End, period.Start);
        var until = DateTimeOffset.FromUnixTimeSeconds(period.End).ToString("d MMM yyyy", CultureInfo.InvariantCulture);
        return line with
        {
            Amount = amount, Proration = true,
            Description = $"Remaining time on {(item.Quantity == 1 ? "" : item.Quantity + " × ")}{ProductName(c, c.Tx.Get<Price>(item.Price)!)} until {until}",
        };
    }

    /// <summary>The customer's pending invoice items a new invoice sweeps in: those of no subscription or of this one, oldest first.</summary>
    public static List<InvoiceItem> PendingItems(ApiContext c, string customer, string? subscription, string currency) =>
        c.Tx.Find(InvoiceItemEndpoints.PendingByCustomer, customer)
            .Where(ii => ii.Invoice is null && !ii.Deleted && ii.Currency == currency && (ii.Subscription is null || ii.Subscription == subscription))
            .Reverse().ToList();

    public static InvoiceLine LineOf(InvoiceItem ii, string lineId) =>
        new(lineId, ii.Amount, ii.Description ?? "", ii.Period, ii.Quantity)
        {
            Price = ii.Price, InvoiceItem = ii.Id, SubscriptionItem = ii.SubscriptionItem, Subscription = ii.Subscription,
            Proration = ii.Proration, Metadata = ii.Metadata, Discounts = ii.Discounts, TaxRates = ii.TaxRates,
        };

    /// <summary>
    /// A new invoice: the pending invoice items first, then <paramref name="lines"/>. With <paramref name="autoAdvance"/>
    /// the draft finalizes (and, charged automatically, is paid) an hour later. Emits <c>invoice.created</c>.
    /// </summary>
    public static Invoice CreateInvoice(ApiContext c, string id, Customer customer, Subscription? sub, BillingReason reason,
        IReadOnlyList<InvoiceLine> lines, long periodStart, long periodEnd, bool autoAdvance, string? currency = null)
    {
        var cur = sub?.Currency ?? currency ?? customer.Currency ?? "usd";
        var all = new List<InvoiceLine>();
        foreach (var ii in PendingItems(c, customer.Id, sub?.Id, cur))
        {
            all.Add(LineOf(ii, c.Ids.Next("il")));
            c.Tx.Put(ii with { Invoice = id });
        }
        all.AddRange(lines);
        var collection = sub?.CollectionMethod ?? CollectionMethod.ChargeAutomatically;
        var inv = new Invoice
        {
            Id = id, AccountId = c.Account.Id, Created = c.Now, Customer = customer.Id, Currency = cur, Status = InvoiceStatus.Draft,
            BillingReason = reason, Subscription = sub?.Id, CollectionMethod = collection, Lines = [.. all],
            PeriodStart = periodStart, PeriodEnd = periodEnd, AutoAdvance = autoAdvance,
            AutomaticallyFinalizesAt = autoAdvance ? c.Now + SubscriptionRules.DraftWindowSeconds : null,
            DaysUntilDue = collection == CollectionMethod.SendInvoice ? sub?.DaysUntilDue : null,
            TestClock = customer.TestClock,
        };
        // The subscription's live discounts and default tax rates (docs/discounts.md), then the amounts they make.
        if (sub is not null)
            inv = inv with { Discounts = Discounts.Discounting.ForSubscriptionInvoice(c, sub.Id), DefaultTaxRates = c.Tx.Get<Subscription>(sub.Id)?.DefaultTaxRates ?? sub.DefaultTaxRates };
        inv = Discounts.Discounting.Recompute(c, inv);
        c.Tx.Put(inv);
        c.Emit("invoice.created", inv);
        if (sub is not null) Discounts.Discounting.AfterSubscriptionInvoice(c, sub.Id, inv);
        return inv;
    }

    /// <summary>
    /// The number <paramref name="customer"/>'s next finalized invoice takes (<c>next_invoice_sequence</c>): as stored, or,
    /// for a customer stored before it was kept, one past its numbered invoices.
    /// </summary>
    public static long NextInvoiceSequence(Storage.Tx tx, Customer customer) =>
        customer.NextInvoiceSequence ?? tx.Find(InvoiceEndpoints.ByCustomer, customer.Id).Count(i => i.Number is not null) + 1;

    /// <summary>
    /// draft → open: the customer balance is applied (credit lowers the amount due, a net credit is kept as balance), the
    /// invoice is numbered; an invoice with nothing to pay is paid at once. Emits <c>invoice.finalized</c>.
    /// </summary>
    public static Invoice Finalize(ApiContext c, Invoice inv, bool? autoAdvance = null)
    {
        if (InvoiceRules.Guard(inv, InvoiceAction.Finalize) is { } error) throw new StripeException(error);
        inv = Discounts.Discounting.Recompute(c, inv);
        var customer = c.Tx.Get<Customer>(inv.Customer)!;
        var (due, balance) = InvoiceRules.ApplyBalance(InvoiceRules.Total(inv), customer.Balance);
        // The movement is in the ledger as `applied_to_invoice` and announced with customer.updated.
        if (balance != customer.Balance)
            Customers.CustomerBalanceTransactionEndpoints.Record(c, customer, balance - customer.Balance, inv.Currency, "applied_to_invoice", invoice: inv.Id);
        var sequence = NextInvoiceSequence(c.Tx, customer);
        // On the version the balance movement above may have stored.
        c.Tx.Put(c.Tx.Get<Customer>(customer.Id)! with { NextInvoiceSequence = sequence + 1 });
        var sub = inv.Subscription is { } s ? c.Tx.Get<Subscription>(s) : null;
        var open = inv with
        {
            Status = InvoiceStatus.Open, FinalizedAt = c.Now, AutomaticallyFinalizesAt = null,
            Number = $"{customer.InvoicePrefix ?? "INVOICE"}-{sequence:D4}",
            StartingBalance = customer.Balance, EndingBalance = balance, AmountDueAtFinalization = due,
            SubscriptionMetadata = sub?.Metadata, AutoAdvance = autoAdvance ?? inv.AutoAdvance,
            CustomerTaxIds = Customers.TaxIdEndpoints.CurrentOf(c.Tx, customer.Id),
            // Every finalized invoice has a hosted page; its token is derived, not drawn (docs/billing.md, "Hosted page").
            HostedToken = inv.HostedToken ?? InvoicePage.TokenFor(c, inv.Id), PageBaseUrl = inv.PageBaseUrl ?? sub?.PageBaseUrl ?? c.BaseUrl,
            DueDate = inv.CollectionMethod == CollectionMethod.SendInvoice ? inv.DueDate ?? c.Now + (inv.DaysUntilDue ?? 30) * 86_400 : null,
        };
        c.Tx.Put(open);
        c.Emit("invoice.finalized", open);
        return due == 0 ? MarkPaid(c, open) : open;
    }

    /// <summary>open → paid (and the subscription's status from the table). Emits <c>invoice.paid</c> and, unless paid out of band, <c>invoice.payment_succeeded</c>.</summary>
    /// <summary><paramref name="paymentEvent"/> false: nothing was paid (a credit note took the invoice to zero), so no <c>invoice.payment_succeeded</c>.</summary>
    public static Invoice MarkPaid(ApiContext c, Invoice inv, bool outOfBand = false, bool paymentEvent = true)
    {
        var paid = inv with
        {
            Status = InvoiceStatus.Paid, AmountPaid = InvoiceRules.AmountDue(inv), PaidAt = c.Now, NextPaymentAttempt = null,
            AutoAdvance = false, PaidOutOfBand = outOfBand,
        };
        c.Tx.Put(paid);
        c.Emit("invoice.paid", paid);
        if (!outOfBand && paymentEvent) c.Emit("invoice.payment_succeeded", paid);
        if (!outOfBand && paid.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { Status: PaymentIntentStatus.Succeeded } pi)
            InvoicePaymentEndpoints.Paid(c, pi.Id, pi.AmountReceived);
        if (SubscriptionOf(c, paid) is { } sub)
        {
            if (sub.PendingUpdate is { } pending && pending.Invoice == paid.Id) sub = ApplyPendingUpdate(c, sub, pending);
            Transition(c, sub, SubscriptionTrigger.InvoicePaid);
        }
        return paid;
    }

    /// <summary>The held items replace the subscription's once the pending update's invoice is paid.</summary>
    private static Subscription ApplyPendingUpdate(ApiContext c, Subscription sub, PendingUpdate pending)
    {
        var applied = sub with { Items = pending.Items, PendingUpdate = null };
        // Paid in the request that made it, the update was never visible as pending: that request announces it.
        Save(c, sub, applied, pending.Announced ? "customer.subscription.updated" : null);
        if (pending.Announced) c.Emit("customer.subscription.pending_update_applied", applied);
        return applied;
    }

    /// <summary>
    /// A pending update reaching <c>expires_at</c> unpaid: dropped (<c>customer.subscription.pending_update_expired</c>)
    /// and its still-open invoice voided so no later retry charges for a change that was not made [?].
    /// </summary>
    public static void ExpirePendingUpdate(ApiContext c, Subscription sub)
    {
        var pending = sub.PendingUpdate!;
        var dropped = sub with { PendingUpdate = null };
        Save(c, sub, dropped);
        c.Emit("customer.subscription.pending_update_expired", dropped);
        if (c.Tx.Get<Invoice>(pending.Invoice) is { Status: InvoiceStatus.Open } inv) Void(c, inv);
    }

    public static Invoice Void(ApiContext c, Invoice inv)
    {
        if (InvoiceRules.Guard(inv, InvoiceAction.Void) is { } error) throw new StripeException(error);
        var voided = inv with { Status = InvoiceStatus.Void, VoidedAt = c.Now, NextPaymentAttempt = null, AutoAdvance = false };
        c.Tx.Put(voided);
        c.Emit("invoice.voided", voided);
        // Balance the finalization applied goes back to the customer (`unapplied_from_invoice`).
        if (inv.StartingBalance is { } start && inv.EndingBalance is { } end && start != end && c.Tx.Get<Customer>(inv.Customer) is { } customer)
            Customers.CustomerBalanceTransactionEndpoints.Record(c, customer, start - end, inv.Currency, "unapplied_from_invoice", invoice: inv.Id);
        CancelPaymentIntent(c, inv);
        return voided;
    }

    public static Invoice MarkUncollectible(ApiContext c, Invoice inv)
    {
        if (InvoiceRules.Guard(inv, InvoiceAction.MarkUncollectible) is { } error) throw new StripeException(error);
        var marked = inv with { Status = InvoiceStatus.Uncollectible, MarkedUncollectibleAt = c.Now, NextPaymentAttempt = null, AutoAdvance = false };
        c.Tx.Put(marked);
        c.Emit("invoice.marked_uncollectible", marked);
        if (SubscriptionOf(c, marked) is { } sub) Transition(c, sub, SubscriptionTrigger.InvoiceMarkedUncollectible);
        return marked;
    }

    /// <summary>The invoice's subscription when the invoice is its latest one (Stripe derives the status from that invoice).</summary>
    private static Subscription? SubscriptionOf(ApiContext c, Invoice inv) =>
        inv.Subscription is { } id && c.Tx.Get<Subscription>(id) is { } sub && sub.LatestInvoice == inv.Id ? sub : null;

    public sealed record Payment(Invoice Invoice, StripeError? Error);

    /// <summary>
    /// One collection attempt on an open invoice: a PaymentIntent (the invoice's, or a new one) confirmed off-session on
    /// the payment method given, else the invoice's, the subscription's or the customer's default. The card network
    /// decides: paid; a card that must authenticate leaves the PaymentIntent in <c>requires_action</c>
    /// (<c>invoice.payment_action_required</c>); a decline is <c>invoice.payment_failed</c> with the next retry scheduled
    /// when <paramref name="automatic"/>, and the subscription moves per the table, with the merchant's final action
    /// once retries are exhausted.
    /// </summary>
    public static Payment Attempt(ApiContext c, Invoice inv, string? paymentMethod, bool automatic, string? returnUrl = null)
    {
        var sub = inv.Subscription is { } sid ? c.Tx.Get<Subscription>(sid) : null;
        var customer = c.Tx.Get<Customer>(inv.Customer)!;
        if (automatic && HardDeclinedOn(c, inv) is { } declined
            && declined == (paymentMethod ?? inv.DefaultPaymentMethod ?? sub?.DefaultPaymentMethod ?? customer.DefaultPaymentMethod))
            return PassOver(c, inv);
        // The first attempt of any kind counts; afterwards only automatic retries do (Stripe's attempt_count).
        var attempted = inv with
        {
            Attempted = true, FirstAttemptAt = inv.FirstAttemptAt ?? c.Now,
            AttemptCount = inv.AttemptCount == 0 || automatic ? inv.AttemptCount + 1 : inv.AttemptCount,
        };
        var due = InvoiceRules.AmountRemaining(inv);
        if (due < Currencies.MinimumChargeAmount(inv.Currency))
        {
            // Below the currency's minimum charge Stripe marks the invoice paid and carries the amount to the balance.
            Customers.CustomerBalanceTransactionEndpoints.Record(c, customer, due, inv.Currency, "invoice_too_small", invoice: inv.Id);
            return new Payment(MarkPaid(c, attempted with { AmountDueAtFinalization = inv.AmountDueAtFinalization ?? InvoiceRules.AmountDue(inv) }), null);
        }
        var pmId = paymentMethod ?? inv.DefaultPaymentMethod ?? sub?.DefaultPaymentMethod ?? customer.DefaultPaymentMethod;
        var pm = pmId is null ? null : c.Tx.Get<PaymentMethod>(pmId);
        if (pm is null)
            return Failed(c, attempted, sub, new StripeError(400, StripeError.InvalidRequest, "invoice_no_customer_payment_method",
                $"The customer {customer.Id} has no default payment method, and none was given for invoice {inv.Id}."), automatic);

        var pi = inv.PaymentIntent is { } existing ? c.Tx.Get<PaymentIntent>(existing) : null;
        if (pi is null || pi.Status is not (PaymentIntentStatus.RequiresPaymentMethod or PaymentIntentStatus.RequiresConfirmation))
        {
            CancelPaymentIntent(c, inv);
            pi = CreatePaymentIntent(c, inv, due);
        }
        attempted = attempted with { PaymentIntent = pi.Id };
        c.Tx.Put(attempted);
        var card = c.Service<TestCards>().Resolve(pm.Card.TestCardKey);
        // A card that needs the customer to authenticate is confirmed as on-session so it stops in requires_action,
        // as Stripe's invoice PaymentIntents do, rather than failing with authentication_required.
        var mustAuthenticate = card is not null && CardNetworkEngine.NeedsAuthentication(card.Behavior.ThreeDSecure, offSession: true, pm.SetUpForOffSession);
        var change = PaymentIntentEndpoints.ConfirmAttempt(c, pi, pm, new ConfirmOptions { OffSession = !mustAuthenticate, ReturnUrl = returnUrl });
        var after = change.PaymentIntent;
        if (after.Status is PaymentIntentStatus.Succeeded) return new Payment(MarkPaid(c, attempted), null);
        if (after.Status is PaymentIntentStatus.RequiresAction)
        {
            var waiting = attempted with { NextPaymentAttempt = null };
            c.Tx.Put(waiting);
            c.Emit("invoice.payment_action_required", waiting);
            if (SubscriptionOf(c, waiting) is { PendingUpdate: null } s) Transition(c, s, SubscriptionTrigger.PaymentFailed);
            return new Payment(waiting, new StripeError(402, StripeError.InvalidRequest, "invoice_payment_intent_requires_action",
                $"Payment for invoice {inv.Id} requires a customer action: confirm its PaymentIntent {after.Id} with the customer present (3-D Secure)."));
        }
        return Failed(c, attempted, sub, change.Error ?? new StripeError(402, StripeError.CardErrorType, "card_declined", "Your card was declined."), automatic);
    }

    /// <summary>
    /// <c>payment_behavior=default_incomplete</c>: the first invoice's PaymentIntent is made but not confirmed, for the
    /// customer to confirm on the page (its secret is <c>latest_invoice.confirmation_secret</c>).
    /// </summary>
    public static Invoice PrepareForClient(ApiContext c, Invoice inv)
    {
        var pi = CreatePaymentIntent(c, inv, InvoiceRules.AmountRemaining(inv));
        var prepared = inv with { PaymentIntent = pi.Id };
        c.Tx.Put(prepared);
        return prepared;
    }

    // The retry after the invoice's attempts so far; if a retry was passed over (below), the attempts lag behind the
    // schedule, and the next retry is the first scheduled one still ahead.
    private static long? Scheduled(BillingSettings settings, Invoice inv, long now) =>
        InvoiceRules.NextAttempt(settings, inv.FirstAttemptAt!.Value, inv.AttemptCount) is { } at && at > now
            ? at
            : InvoiceRules.NextScheduledAfter(settings, inv.FirstAttemptAt!.Value, now);

    /// <summary>
    /// The payment method of the invoice's last attempt when the issuer declined it for good (a hard decline code), else null.
    /// </summary>
    private static string? HardDeclinedOn(ApiContext c, Invoice inv) =>
        inv.PaymentIntent is { } id && c.Tx.Get<PaymentIntent>(id)?.LastPaymentError is { } error && InvoiceRules.IsHardDecline(error.DeclineCode)
            ? error.PaymentMethodId
            : null;

    /// <summary>
    /// A scheduled retry after a hard decline, with nothing new to charge: not executed (no PaymentIntent confirmation, no
    /// charge, no event, <c>attempt_count</c> unchanged), and the next scheduled retry takes its place; once none is
    /// left, the merchant's final action applies as after a last failed retry (docs/billing.md, "Retries").
    /// </summary>
    private static Payment PassOver(ApiContext c, Invoice inv)
    {
        var settings = Settings(c);
        var next = InvoiceRules.NextScheduledAfter(settings, inv.FirstAttemptAt ?? c.Now, c.Now);
        var passed = inv with { NextPaymentAttempt = next };
        c.Tx.Put(passed);
        if (next is null && SubscriptionOf(c, passed) is { PendingUpdate: null, Status: PastDue } s) RetriesExhausted(c, settings, s);
        return new Payment(passed, null);
    }

    private static Subscription RetriesExhausted(ApiContext c, BillingSettings settings, Subscription s) => settings.AfterFinalFailure switch
    {
        FinalFailureAction.Cancel => Transition(c, s, SubscriptionTrigger.RetriesExhaustedCancel),
        FinalFailureAction.Unpaid => Transition(c, s, SubscriptionTrigger.RetriesExhaustedUnpaid),
        _ => s,
    };

    private static Payment Failed(ApiContext c, Invoice inv, Subscription? sub, StripeError error, bool automatic)
    {
        var settings = Settings(c);
        // The first invoice of a subscription is not retried (the subscription expires after 23 hours instead).
        var retries = inv.BillingReason != BillingReason.SubscriptionCreate && inv.CollectionMethod == CollectionMethod.ChargeAutomatically;
        long? next = !retries ? null
            : automatic || inv.NextPaymentAttempt is null && inv.AttemptCount == 1 ? Scheduled(settings, inv, c.Now)
            : inv.NextPaymentAttempt;
        var failed = inv with { NextPaymentAttempt = next };
        c.Tx.Put(failed);
        c.Emit("invoice.payment_failed", failed);
        // A pending update's failed invoice leaves the subscription's status alone (the change is simply not made).
        if (SubscriptionOf(c, failed) is { PendingUpdate: null } s)
        {
            s = Transition(c, s, SubscriptionTrigger.PaymentFailed);
            if (retries && automatic && next is null && s.Status == PastDue) RetriesExhausted(c, settings, s);
        }
        return new Payment(failed, error);
    }

    private static PaymentIntent CreatePaymentIntent(ApiContext c, Invoice inv, long amount)
    {
        var description = inv.BillingReason switch
        {
            BillingReason.SubscriptionCreate => "Subscription creation",
            BillingReason.SubscriptionCycle or BillingReason.SubscriptionUpdate => "Subscription update",
            _ => $"Payment for Invoice",
        };
        var created = PaymentIntentRules.Create(new CreatePaymentIntent(amount, inv.Currency)
        {
            Customer = inv.Customer, Description = description, PaymentMethodTypes = ["card"], CaptureMethod = CaptureMethod.Automatic,
        }, c.Account.Id, c.Now, c.Ids);
        if (created.IsError) throw new StripeException(created.Error!);
        Changes.Apply(c, created.Value);
        InvoicePaymentEndpoints.Started(c, inv, created.Value.PaymentIntent.Id, amount);
        return created.Value.PaymentIntent;
    }

    /// <summary>A voided invoice's unfinished PaymentIntent is canceled (<c>void_invoice</c>), as Stripe does.</summary>
    internal static void CancelPaymentIntent(ApiContext c, Invoice inv)
    {
        if (inv.PaymentIntent is not { } id || c.Tx.Get<PaymentIntent>(id) is not { } pi
            || pi.Status is not (PaymentIntentStatus.RequiresPaymentMethod or PaymentIntentStatus.RequiresConfirmation or PaymentIntentStatus.RequiresAction)) return;
        var canceled = pi with
        {
            Status = PaymentIntentStatus.Canceled, CanceledAt = c.Now, CancellationReason = PiCancellation.VoidInvoice, NextAction = null,
        };
        c.Tx.Put(canceled);
        c.Emit("payment_intent.canceled", canceled);
        InvoicePaymentEndpoints.Canceled(c, id);
    }

    /// <summary>After the 3-D Secure page completed an invoice's PaymentIntent: the invoice is paid.</summary>
    public static void AfterAuthentication(ApiContext c, PaymentIntent pi)
    {
        if (pi.Status is not PaymentIntentStatus.Succeeded) return;
        foreach (var inv in c.Tx.Find(InvoiceEndpoints.ByPaymentIntent, pi.Id).ToList())
            if (inv.Status is InvoiceStatus.Open or InvoiceStatus.Uncollectible) MarkPaid(BillingClock.AtCustomerClock(c, inv.Customer), inv);
    }

    // ---------------------------------------------------------------- wording

    public static string ProductName(ApiContext c, Price price) => c.Tx.Get<Product>(price.Product)?.Name ?? price.Product;

    private static string Every(Recurring r) =>
        r.IntervalCount == 1 ? r.Interval.ToString().ToLowerInvariant() : $"every {r.IntervalCount} {r.Interval.ToString().ToLowerInvariant()}s";

    public static string FormatMoney(decimal? amount, string currency)
    {
        var exponent = Currencies.Exponent(currency);
        var major = (amount ?? 0) / (decimal)Math.Pow(10, exponent);
        var text = major.ToString("N" + exponent, CultureInfo.InvariantCulture);
        return currency == "usd" ? "$" + text : $"{text} {currency.ToUpperInvariant()}";
    }
}
