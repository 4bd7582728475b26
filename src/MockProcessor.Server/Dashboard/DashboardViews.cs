using MockProcessor.Domain.Money;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Payouts;
using MockProcessor.Domain.Refunds;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Resources.Charges;
using MockProcessor.Server.Resources.Disputes;
using MockProcessor.Server.Resources.Events;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Refunds;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Dashboard;

// The pages' models: plain data, built under the merchant's lock and rendered after it is released.
public sealed record PaymentRow(string Id, long Amount, string Currency, string Status, string? Customer, long Created, string? Card, string? DeclineCode);
public sealed record PaymentsModel(Chrome Chrome, PaymentFilter Filter, IReadOnlyList<PaymentRow> Rows, string? Older, int Scanned);
public sealed record PaymentFilter(string? Status, string? Min, string? Max, string? Customer, string? From, string? To, string? Card);
public sealed record TimelineEntry(long At, string What, string Detail);
public sealed record AttemptRow(string Charge, long At, string Status, string Amount, string? Card, string? TestCard, string Network, string? DeclineCode,
    string? Rule, string? ThreeDSecure);
public sealed record DeliveryAttemptRow(long At, int? Status, string? Error, long DurationMs, string? BodyExcerpt, IReadOnlyList<string> Faults);
public sealed record DeliveryRow(string Id, string EventId, string EventType, string EndpointId, string EndpointUrl, string Status, int AttemptCount,
    long? NextAttemptAt, IReadOnlyList<DeliveryAttemptRow> Attempts);
public sealed record EventRow(string Id, string Type, long Created, string ObjectId, IReadOnlyList<DeliveryRow> Deliveries);
public sealed record PaymentModel(Chrome Chrome, PaymentIntent Intent, IReadOnlyList<AttemptRow> Attempts, IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<EventRow> Events, string? Invoice, string? Subscription);
public sealed record EventsModel(Chrome Chrome, string? Type, IReadOnlyList<EventRow> Rows);
public sealed record EndpointRow(string Id, string Url, bool Active, IReadOnlyList<string> EnabledEvents, int Attempts, int Succeeded,
    WebhookFaults Faults);
public sealed record WebhooksModel(Chrome Chrome, IReadOnlyList<EndpointRow> Endpoints, IReadOnlyList<DeliveryRow> Deliveries);
public sealed record DisputeRow(string Id, string Charge, string? PaymentIntent, long Amount, string Currency, string Reason, string Status,
    long? DueBy, bool NeedsResponse, bool UnderReview);
public sealed record DisputesModel(Chrome Chrome, IReadOnlyList<DisputeRow> Open, IReadOnlyList<DisputeRow> Closed);
public sealed record RuleRow(string Id, string Match, string Outcome, int? Remaining, int Fired);
public sealed record NetworkModel(Chrome Chrome, IReadOnlyList<RuleRow> Rules, IReadOnlyList<AttemptRow> Decisions);
public sealed record DueRow(long Due, string Work, string ObjectId);
public sealed record ClockModel(Chrome Chrome, long Offset, IReadOnlyList<DueRow> Due);
public sealed record FundsRow(string Currency, long Available, long Pending);
public sealed record PayoutRow(string Id, long Amount, string Currency, string Status, long ArrivalDate, bool Automatic,
    IReadOnlyList<LedgerRow> Transactions);
public sealed record LedgerRow(string Id, string Type, string? Source, long Amount, long Fee, long Net, string Currency, long Created);
public sealed record BalanceModel(Chrome Chrome, IReadOnlyList<FundsRow> Funds, IReadOnlyList<PayoutRow> Payouts);
public sealed record CardRow(string Id, string Brand, string Last4, int ExpMonth, int ExpYear, bool Default);
public sealed record CustomerRow(string Id, string? Email, string? Name, long Created, IReadOnlyList<CardRow> Cards,
    IReadOnlyList<SubscriptionRow> Subscriptions);
public sealed record SubscriptionRow(string Id, string Customer, string Status, string Plan, long CurrentPeriodEnd, bool CancelAtPeriodEnd,
    long? TrialEnd, string? LatestInvoice);
public sealed record InvoiceRow(string Id, string? Number, string Customer, string? Subscription, string Status, string BillingReason,
    long AmountDue, long AmountPaid, string Currency, long Created, long? NextPaymentAttempt, string? PaymentIntent);
public sealed record BillingModel(Chrome Chrome, string? Status, IReadOnlyList<SubscriptionRow> Subscriptions, IReadOnlyList<InvoiceRow> Invoices);
public sealed record CustomersModel(Chrome Chrome, IReadOnlyList<CustomerRow> Rows);
public sealed record ReconciliationRun(string? From, string? To, string? Report, string? Error);
public sealed record ReportRunRow(string Id, string ReportType, string Status, long Created, string? FileId, string? Error);
public sealed record ReconciliationModel(Chrome Chrome, string DefaultFrom, string DefaultTo, ReconciliationRun? Run, IReadOnlyList<ReportRunRow> ReportRuns);

/// <summary>Builds each page's model from the store (docs/dashboard.md).</summary>
public static class DashboardViews
{
    public const int PageSize = 50;

    // ---- Payments

    public static PaymentsModel Payments(DashboardView v, Query q)
    {
        var f = new PaymentFilter(q["status"], q["min"], q["max"], q["customer"], q["from"], q["to"], q["card"]);
        // Days as the reconciliation period reads them: a "to" day is included.
        var from = f.From is null ? null : Domain.Reconciliation.Period.Parse(f.From, isEnd: false);
        var to = f.To is null ? null : Domain.Reconciliation.Period.Parse(f.To, isEnd: true);
        var after = q["starting_after"];
        var rows = new List<PaymentRow>();
        var scanned = 0;
        string? older = null;
        var testCardMatches = new Dictionary<string, bool>(StringComparer.Ordinal); // per test card: does the filter match it
        var mins = new Dictionary<string, long?>(StringComparer.Ordinal); // the typed bounds in each currency's minor units
        var maxes = new Dictionary<string, long?>(StringComparer.Ordinal);
        var customerMatches = new Dictionary<string, bool>(StringComparer.Ordinal);
        var all = v.Tx.NewestFirst<PaymentIntent>("payment_intent");
        // "Older payments" seeks to its cursor in the list's index; an unknown cursor starts from the newest.
        foreach (var pi in (after is null ? null : all.OlderThan(after)) ?? all)
        {
            scanned++;
            if (f.Status is { } s && Show.Wire(pi.Status) != s) continue;
            if (from is { } a && pi.Created < a) continue;
            if (to is { } b && pi.Created >= b) continue;
            if (f.Min is not null && Bound(f.Min, pi.Currency, mins) is { } min && pi.Amount < min) continue;
            if (f.Max is not null && Bound(f.Max, pi.Currency, maxes) is { } max && pi.Amount > max) continue;
            if (f.Customer is { } c && !(pi.Customer is { } cus &&
                    (customerMatches.TryGetValue(cus, out var m) ? m : customerMatches[cus] = CustomerMatches(v, cus, c)))) continue;
            var charge = pi.LatestCharge is { } chId ? v.Tx.Get<Charge>(chId) : null;
            var card = charge?.PaymentMethodDetails;
            if (f.Card is { } cardFilter && !CardMatches(v, card, cardFilter, testCardMatches)) continue;
            if (rows.Count == PageSize)
            {
                older = rows[^1].Id;
                break;
            }
            rows.Add(new PaymentRow(pi.Id, pi.Amount, pi.Currency, Show.Wire(pi.Status), pi.Customer, pi.Created,
                card is null ? null : $"{card.Brand} •••• {card.Last4}", pi.LastPaymentError?.DeclineCode ?? charge?.FailureCode));
        }
        return new PaymentsModel(v.Chrome, f, rows, older, scanned);
    }

    private static long? Bound(string typed, string currency, Dictionary<string, long?> byCurrency) =>
        byCurrency.TryGetValue(currency, out var known) ? known : byCurrency[currency] = Show.MinorUnits(typed, currency);

    private static bool CustomerMatches(DashboardView v, string customerId, string typed)
    {
        if (customerId == typed) return true;
        return v.Tx.Get<Customer>(customerId) is { } c &&
               (c.Email?.Contains(typed, StringComparison.OrdinalIgnoreCase) == true || c.Name?.Contains(typed, StringComparison.OrdinalIgnoreCase) == true);
    }

    /// <summary>A card filter: last 4 digits, a brand, or part of the test card's description or alias (<c>Insufficient</c>).</summary>
    private static bool CardMatches(DashboardView v, CardPaymentDetails? card, string typed, Dictionary<string, bool> byTestCard)
    {
        if (card is null) return false;
        if (card.Last4 == typed || card.Brand.Equals(typed, StringComparison.OrdinalIgnoreCase)) return true;
        if (card.TestCardKey is not { } key) return false;
        if (byTestCard.TryGetValue(key, out var known)) return known;
        // The test card's description and the aliases it is known by (pm_card_chargeDeclinedInsufficientFunds).
        var matches = v.TestCards.Resolve(key) is { } t &&
                      (t.Description.Contains(typed, StringComparison.OrdinalIgnoreCase) ||
                       t.PaymentMethods.Concat(t.Tokens).Any(alias => alias.Contains(typed, StringComparison.OrdinalIgnoreCase)));
        return byTestCard[key] = matches;
    }

    private static string? TestCardOf(DashboardView v, CardPaymentDetails card) =>
        card.TestCardKey is { } key && v.TestCards.Resolve(key) is { } t ? $"{t.Description} (test card •••• {t.Last4})" : null;

    public static PaymentModel? Payment(DashboardView v, string? id)
    {
        if (id is null || v.Tx.Get<PaymentIntent>(id) is not { } pi) return null;
        var charges = v.Tx.Find(ChargeEndpoints.ByPaymentIntent, pi.Id).OrderBy(c => c.Created).ToList();
        var attempts = charges.Select(c => Attempt(v, c)).ToList();
        var refunds = v.Tx.Find(RefundEndpoints.ByPaymentIntent, pi.Id).OrderBy(r => r.Created).ToList();
        var disputes = v.Tx.Find(DisputeEndpoints.ByPaymentIntent, pi.Id).OrderBy(d => d.Created).ToList();
        var ids = new HashSet<string>(StringComparer.Ordinal) { pi.Id };
        ids.UnionWith(charges.Select(c => c.Id));
        ids.UnionWith(refunds.Select(r => r.Id));
        ids.UnionWith(disputes.Select(d => d.Id));
        var events = ids.SelectMany(o => v.Tx.Find(EventEndpoints.ByObject, o)).DistinctBy(e => e.Id)
            .OrderBy(e => e.Created).ThenBy(e => v.Tx.CommittedKey(e.Id, "event")?.Seq ?? long.MaxValue).ToList();

        var timeline = new List<TimelineEntry> { new(pi.Created, "Created", Currencies.Display(pi.Amount, pi.Currency)) };
        foreach (var a in attempts)
            timeline.Add(new TimelineEntry(a.At, a.Status == "failed" ? "Attempt declined" : "Attempt " + a.Status,
                string.Join("; ", new[] { a.Card, a.TestCard, a.Network, a.DeclineCode is null ? null : "decline code " + a.DeclineCode,
                    a.Rule is null ? null : "network rule " + a.Rule, a.ThreeDSecure is null ? null : "3-D Secure " + a.ThreeDSecure }.OfType<string>())));
        foreach (var e in events.Where(e => e.Type is "payment_intent.requires_action" or "charge.captured" or "payment_intent.canceled" or "charge.expired"))
            timeline.Add(new TimelineEntry(e.Created, e.Type switch
            {
                "payment_intent.requires_action" => "3-D Secure required",
                "charge.captured" => "Captured",
                "charge.expired" => "Authorization expired",
                _ => "Canceled",
            }, e.Snapshot.Id));
        foreach (var r in refunds)
            timeline.Add(new TimelineEntry(r.Created, "Refund " + Show.Wire(r.Status), $"{Currencies.Display(r.Amount, r.Currency)} ({r.Id})"));
        foreach (var d in disputes)
            timeline.Add(new TimelineEntry(d.Created, "Dispute " + Show.Wire(d.Status), $"{Currencies.Display(d.Amount, d.Currency)}, {d.Reason} ({d.Id})"));
        timeline.Sort((x, y) => x.At.CompareTo(y.At));
        var invoice = v.Tx.Find(Resources.Invoices.InvoiceEndpoints.ByPaymentIntent, pi.Id).FirstOrDefault();
        return new PaymentModel(v.Chrome, pi, attempts, timeline, events.Select(e => EventRow(v, e)).ToList(), invoice?.Id, invoice?.Subscription);
    }

    private static AttemptRow Attempt(DashboardView v, Charge c)
    {
        var card = c.PaymentMethodDetails;
        return new AttemptRow(c.Id, c.Created, Show.Wire(c.Status), Currencies.Display(c.Amount, c.Currency),
            card is null ? null : $"{card.Brand} •••• {card.Last4}", card is null ? null : TestCardOf(v, card),
            c.Outcome is { } o ? $"{Show.Wire(o.NetworkStatus)}, {Show.Wire(o.Type)}" : "awaiting the network",
            c.FailureCode == "card_declined" ? c.Outcome?.Reason ?? c.FailureCode : c.FailureCode,
            c.NetworkRule ?? c.Outcome?.Rule, card?.ThreeDSecure is { } t ? Show.Wire(t.Result) : null);
    }

    // ---- Events and webhooks

    public static EventsModel Events(DashboardView v, Query q)
    {
        var type = q["type"];
        var source = type is null ? v.Tx.NewestFirst<Event>("event") : v.Tx.Find(EventEndpoints.ByType, type);
        return new EventsModel(v.Chrome, type, source.Take(PageSize).Select(e => EventRow(v, e)).ToList());
    }

    private static EventRow EventRow(DashboardView v, Event e) =>
        new(e.Id, e.Type, e.Created, e.Snapshot.Id, v.Tx.Find(WebhookIndexes.ByEvent, e.Id).Select(d => Delivery(v, d)).ToList());

    private static DeliveryRow Delivery(DashboardView v, WebhookDelivery d) =>
        new(d.Id, d.EventId, d.EventType, d.EndpointId, v.Tx.Get<WebhookEndpoint>(d.EndpointId)?.Url ?? "(deleted)", d.Status, d.AttemptCount,
            d.NextAttemptAt,
            d.Attempts.Select(a => new DeliveryAttemptRow(a.AttemptedAt, a.Status, a.Error, a.DurationMs,
                a.ResponseBody is { Length: > 200 } body ? body[..200] + "…" : a.ResponseBody, a.Faults)).ToList());

    public static WebhooksModel Webhooks(DashboardView v)
    {
        var endpoints = v.Tx.NewestFirst<WebhookEndpoint>("webhook_endpoint").Where(e => !e.Deleted).ToList();
        var deliveries = v.Tx.NewestFirst<WebhookDelivery>("webhook_delivery").Take(PageSize).Select(d => Delivery(v, d)).ToList();
        var rows = endpoints.Select(e =>
        {
            // Success rate over the endpoint's recent deliveries' attempts (its last 100 deliveries).
            var recent = v.Tx.Find(WebhookIndexes.ByEndpoint, e.Id).Take(100).SelectMany(d => d.Attempts).ToList();
            return new EndpointRow(e.Id, e.Url, e.Active, e.EnabledEvents, recent.Count, recent.Count(a => a.Succeeded), e.Faults);
        }).ToList();
        return new WebhooksModel(v.Chrome, rows, deliveries);
    }

    // ---- Disputes

    public static DisputesModel Disputes(DashboardView v)
    {
        var all = v.Tx.NewestFirst<Dispute>("dispute").Select(d => new DisputeRow(d.Id, d.Charge, d.PaymentIntent, d.Amount, d.Currency, d.Reason,
            Show.Wire(d.Status), d.EvidenceDetails.DueBy, d.Status is DisputeStatus.NeedsResponse or DisputeStatus.WarningNeedsResponse,
            d.Status is DisputeStatus.UnderReview or DisputeStatus.WarningUnderReview)).ToList();
        return new DisputesModel(v.Chrome, all.Where(d => d.NeedsResponse || d.UnderReview).ToList(),
            all.Where(d => !d.NeedsResponse && !d.UnderReview).Take(PageSize).ToList());
    }

    // ---- Network rules

    public static NetworkModel Network(DashboardView v)
    {
        var rules = v.Tx.Get<Domain.Accounts.Account>(v.Chrome.AccountId)!.NetworkRules.Select(r => new RuleRow(r.Id, Describe(r.Match), Describe(r.Outcome), r.Remaining, r.Fired)).ToList();
        var decisions = v.Tx.NewestFirst<Charge>("charge").Take(20).Select(c => Attempt(v, c)).ToList();
        return new NetworkModel(v.Chrome, rules, decisions);
    }

    private static string Describe(NetworkRuleMatch m)
    {
        var parts = new List<string>();
        if (m.Amount is { } a) parts.Add($"amount = {a}");
        if (m.AmountGte is { } g) parts.Add($"amount ≥ {g}");
        if (m.AmountLte is { } l) parts.Add($"amount ≤ {l}");
        if (m.Currency is { } c) parts.Add($"currency {c}");
        if (m.Brand is { } b) parts.Add($"brand {b}");
        if (m.Last4 is { } l4) parts.Add($"card •••• {l4}");
        if (m.Country is { } co) parts.Add($"country {co}");
        if (m.Customer is { } cu) parts.Add($"customer {cu}");
        if (m.Attempt is { } at) parts.Add($"attempt {at}");
        parts.AddRange(m.Metadata.Select(kv => $"metadata {kv.Key}={kv.Value}"));
        return parts.Count == 0 ? "every payment" : string.Join(", ", parts);
    }

    private static string Describe(NetworkRuleOutcome o) => o.Kind switch
    {
        NetworkRuleOutcomeKind.Decline => "decline" + (o.DeclineCode is { } d ? $" ({d})" : ""),
        NetworkRuleOutcomeKind.Timeout => $"time out, settle after {o.SettleAfterSeconds} s as " + (o.SettleSucceeds ? "approved" : "declined"),
        NetworkRuleOutcomeKind.RequireThreeDSecure => "require 3-D Secure",
        _ => Show.Wire(o.Kind),
    };

    // ---- Clock

    public static ClockModel Clock(DashboardView v)
    {
        var due = new List<DueRow>();
        var timers = v.Store.Timers;
        if (timers is not null)
        {
            Func<string, StripeObject?> get = id => v.Tx.GetInTree<StripeObject>(id);
            foreach (var id in v.State.Timers.UnorderedItems.Select(t => v.State.TimerId(t.Element)))
                if (get(id) is { } obj && (v.Chrome.AccountId == v.Chrome.MerchantId || obj.AccountId == v.Chrome.AccountId) &&
                    timers.Next(obj, get) is { } next)
                    due.Add(new DueRow(next.Due, Work(next.Timer), id));
        }
        foreach (var d in v.Tx.NewestFirst<WebhookDelivery>("webhook_delivery").Where(d => d.IsPending && d.NextAttemptAt is not null).Take(200))
            due.Add(new DueRow(d.NextAttemptAt!.Value, $"webhook {(d.AttemptCount == 0 ? "delivery" : "retry")} of {d.EventType}", d.Id));
        var account = v.Tx.Get<Domain.Accounts.Account>(v.Chrome.MerchantId)!;
        return new ClockModel(v.Chrome, account.ClockOffset,
            due.DistinctBy(d => (d.ObjectId, d.Due)).OrderBy(d => d.Due).ThenBy(d => d.ObjectId, StringComparer.Ordinal).Take(100).ToList());
    }

    /// <summary>A timer's work in words: <c>AuthorizationExpiryTimer</c> → "authorization expiry".</summary>
    private static string Work(Time.IObjectTimer timer)
    {
        var name = timer.GetType().Name.Replace("Timer", "");
        return string.Concat(name.Select((ch, i) => i > 0 && char.IsUpper(ch) ? " " + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
    }

    // ---- Balance, payouts, customers

    public static BalanceModel Balance(DashboardView v)
    {
        var summary = Resources.Balance.BalanceEndpoints.SummaryOf(v.Tx, v.Now);
        var currencies = summary.Available.Select(f => f.Currency).Union(summary.Pending.Select(f => f.Currency)).Order(StringComparer.Ordinal);
        var funds = currencies.Select(c => new FundsRow(c, summary.Available.FirstOrDefault(f => f.Currency == c)?.Amount ?? 0,
            summary.Pending.FirstOrDefault(f => f.Currency == c)?.Amount ?? 0)).ToList();
        var payouts = v.Tx.NewestFirst<Payout>("payout").Take(PageSize).Select(p => new PayoutRow(p.Id, p.Amount, p.Currency, Show.Wire(p.Status),
            p.ArrivalDate, p.Automatic, Resources.Payouts.PayoutLedger.TransactionsOf(v.Tx, p.Id)
                .Select(t => new LedgerRow(t.Id, Show.Wire(t.Type), t.Source, t.Amount, t.Fee, t.Net, t.Currency, t.Created)).ToList())).ToList();
        return new BalanceModel(v.Chrome, funds, payouts);
    }

    public static ReconciliationModel Reconciliation(DashboardView v, ReconciliationRun? run)
    {
        var runs = v.Tx.NewestFirst<Domain.Reporting.ReportRun>("reporting.report_run").Take(PageSize)
            .Select(r => new ReportRunRow(r.Id, r.ReportType, Show.Wire(r.Status), r.Created, r.HasResult ? r.ResultFileId : null, r.Error)).ToList();
        var today = DateTimeOffset.FromUnixTimeSeconds(v.Now);
        return new ReconciliationModel(v.Chrome, today.AddDays(-30).ToString("yyyy-MM-dd"), today.ToString("yyyy-MM-dd"), run, runs);
    }

    public static CustomersModel Customers(DashboardView v)
    {
        var rows = v.Tx.NewestFirst<Customer>("customer").Where(c => !c.Deleted).Take(PageSize).Select(c => new CustomerRow(c.Id, c.Email, c.Name, c.Created,
            v.Tx.Find(PaymentMethodEndpoints.ByCustomer, c.Id).Select(pm => new CardRow(pm.Id, pm.Card.Brand, pm.Card.Last4, pm.Card.ExpMonth,
                pm.Card.ExpYear, pm.Id == c.DefaultPaymentMethod)).ToList(),
            v.Tx.Find(Resources.Subscriptions.SubscriptionEndpoints.ByCustomer, c.Id).Select(sub => Subscription(v, sub)).ToList())).ToList();
        return new CustomersModel(v.Chrome, rows);
    }

    // ---- Billing

    /// <summary>Subscriptions (filtered by status) and the latest invoices.</summary>
    public static BillingModel Billing(DashboardView v, Query q)
    {
        var status = q["status"];
        var subscriptions = (status is null
                ? v.Tx.NewestFirst<Domain.Billing.Subscription>("subscription")
                : v.Tx.Find(Resources.Subscriptions.SubscriptionEndpoints.ByStatus, status))
            .Take(PageSize).Select(s => Subscription(v, s)).ToList();
        var invoices = v.Tx.NewestFirst<Domain.Billing.Invoice>("invoice").Take(PageSize).Select(i => Invoice(i)).ToList();
        return new BillingModel(v.Chrome, status, subscriptions, invoices);
    }

    private static SubscriptionRow Subscription(DashboardView v, Domain.Billing.Subscription s)
    {
        var plan = string.Join(", ", s.Items.Where(i => !i.Deleted).Select(i => v.Tx.Get<Domain.Products.Price>(i.Price) is { UnitAmount: { } unit, Recurring: { } r } price
            ? $"{i.Quantity} × {Currencies.Display((long)unit, price.Currency)} / {(r.IntervalCount == 1 ? "" : r.IntervalCount + " ")}{Show.Wire(r.Interval)}"
            : $"{i.Quantity} × {i.Price}"));
        return new SubscriptionRow(s.Id, s.Customer, Show.Wire(s.Status), plan, s.CurrentPeriodEnd, s.CancelAtPeriodEnd, s.TrialEnd, s.LatestInvoice);
    }

    private static InvoiceRow Invoice(Domain.Billing.Invoice i) =>
        new(i.Id, i.Number, i.Customer, i.Subscription, Show.Wire(i.Status), Show.Wire(i.BillingReason), Domain.Billing.InvoiceRules.AmountDue(i),
            i.AmountPaid, i.Currency, i.Created, i.NextPaymentAttempt, i.PaymentIntent);
}
