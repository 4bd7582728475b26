namespace MockProcessor.Domain.Reconciliation;

/// <summary>
/// Reconciles the merchant's books against the processor's charges, balance transactions and payouts for a
/// period (docs/reports.md). Processor data is fed one item at a time (a later version of the same object
/// replaces the earlier, so a database log can be streamed as it is); balance transactions are folded into
/// per-payout totals at once; orders are streamed through <see cref="Reconcile"/> and not kept. Memory is one
/// ~64-byte slot per charge plus its two index entries.
/// </summary>
public sealed class Reconciler(long from, long to, long threshold = Reconciler.DefaultThreshold)
{
    public const long DefaultThreshold = 100;

    private struct ChargeSlot
    {
        public IdKey Id;
        public long Created, Amount, Refunded;
        public short Currency;
        public PaymentState State;
        public bool Claimed;
    }

    private sealed class PayoutAcc
    {
        public string Currency = "";
        public long Captures, Refunds, Fees, Disputes, Other;
        public int Count;
        public readonly List<(string Id, long Net)> PayoutCategory = [];
    }

    private readonly List<ChargeSlot> _charges = [];
    private readonly Dictionary<IdKey, int> _byCharge = [];
    private readonly Dictionary<IdKey, int> _byPaymentIntent = [];
    private readonly List<string> _currencies = [];
    private readonly Dictionary<string, short> _currencyIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<IdKey, PayoutAcc> _payoutTotals = [];
    private readonly Dictionary<string, PayoutFacts> _payouts = new(StringComparer.Ordinal);

    public long TransactionsSeen { get; private set; }

    private short Currency(string c)
    {
        if (_currencyIndex.TryGetValue(c, out var i)) return i;
        _currencies.Add(c);
        return _currencyIndex[c] = (short)(_currencies.Count - 1);
    }

    public void AddCharge(in ChargeFacts c)
    {
        if (!IdKey.TryFrom(c.Id, out var key)) return;
        IdKey.TryFrom(c.PaymentIntent, out var pi);
        AddCharge(key, pi, c.Created, c.Amount, c.Currency, c.AmountRefunded, c.State);
    }

    /// <summary>A charge by packed ids (<paramref name="paymentIntent"/> empty when none): the allocation-free path for large feeds.</summary>
    public void AddCharge(in IdKey id, in IdKey paymentIntent, long created, long amount, string currency, long refunded, PaymentState state)
    {
        var slot = new ChargeSlot
        {
            Id = id, Created = created, Amount = amount, Refunded = refunded, Currency = Currency(currency), State = state,
        };
        if (_byCharge.TryGetValue(id, out var at)) _charges[at] = slot;
        else
        {
            at = _charges.Count;
            _charges.Add(slot);
            _byCharge[id] = at;
        }
        // A PaymentIntent's failed attempts come before its successful charge: the successful one represents it.
        if (!paymentIntent.IsEmpty
            && (!_byPaymentIntent.TryGetValue(paymentIntent, out var existing) || existing == at || _charges[existing].State == PaymentState.Failed || state != PaymentState.Failed))
            _byPaymentIntent[paymentIntent] = at;
    }

    public void AddTransaction(in TransactionFacts t)
    {
        if (!IdKey.TryFrom(t.PayoutId, out var payout)) { TransactionsSeen++; return; }
        AddSettled(payout, t.Category, t.Amount, t.Fee, t.Currency, t.Category == "payout" ? t.Id : null);
    }

    /// <summary>
    /// A balance transaction that payout <paramref name="payout"/> swept (its own payout transaction included);
    /// <paramref name="id"/> is needed only for payout-category transactions.
    /// </summary>
    public void AddSettled(in IdKey payout, string category, long amount, long fee, string currency, string? id)
    {
        TransactionsSeen++;
        if (!_payoutTotals.TryGetValue(payout, out var acc)) _payoutTotals[payout] = acc = new PayoutAcc { Currency = currency };
        acc.Count++;
        acc.Fees += fee;
        switch (category)
        {
            case "charge": acc.Captures += amount; break;
            case "refund" or "refund_failure" or "partial_capture_reversal": acc.Refunds -= amount; break;
            case "dispute" or "dispute_reversal": acc.Disputes -= amount; break;
            case "payout":
                acc.PayoutCategory.Add((id ?? "", amount - fee));
                acc.Other += amount;
                break;
            default: acc.Other += amount; break;
        }
    }

    /// <summary>Counts a balance transaction no payout has swept (the feed's total).</summary>
    public void CountUnsettled() => TransactionsSeen++;

    public void AddPayout(PayoutFacts p) => _payouts[p.Id] = p;

    private readonly Dictionary<IdKey, bool> _disputes = [];

    /// <summary>
    /// A dispute on a charge; <paramref name="takesMoney"/> while it is open or lost (<see cref="PaymentStates.DisputeCounts"/>).
    /// Fed separately because a log lists a charge before its dispute; applied when reconciling. The latest call wins.
    /// </summary>
    public void SetDispute(string chargeId, bool takesMoney)
    {
        if (IdKey.TryFrom(chargeId, out var key)) _disputes[key] = takesMoney;
    }

    private void ApplyDisputes()
    {
        foreach (var (key, takesMoney) in _disputes)
        {
            if (!takesMoney || !_byCharge.TryGetValue(key, out var at)) continue;
            var slot = _charges[at];
            if (slot.State is PaymentState.Paid or PaymentState.PartiallyRefunded or PaymentState.Refunded)
            {
                slot.State = PaymentState.Disputed;
                _charges[at] = slot;
            }
        }
    }

    private bool InPeriod(long t) => t >= from && t < to;

    /// <summary>
    /// Compares every order with the processor. <paramref name="lookup"/> may find a payment the fed data lacks
    /// (e.g. created just outside the period); it is asked only for orders nothing matched.
    /// </summary>
    public ReconciliationResult Reconcile(IEnumerable<BookOrder> books, Func<BookOrder, ChargeFacts?>? lookup = null)
    {
        ApplyDisputes();
        var found = new List<Discrepancy>();
        int orders = 0, matched = 0, within = 0;
        var bookTotals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var o in books)
        {
            orders++;
            bookTotals[o.Currency] = bookTotals.GetValueOrDefault(o.Currency) + o.Amount;
            var at = Find(o);
            if (at < 0 && lookup?.Invoke(o) is { } extra)
            {
                AddCharge(extra);
                ApplyDisputes();
                at = Find(o);
            }
            if (at < 0)
            {
                found.Add(new Discrepancy(DiscrepancyKind.MissingAtProcessor, o.OrderId, o.Charge ?? o.PaymentIntent, null, o.Currency,
                    Money(o.Amount, o.Currency), null, null, "the processor has no such payment"));
                continue;
            }
            var slot = _charges[at];
            var chargeId = slot.Id.ToString();
            if (slot.Claimed)
            {
                found.Add(new Discrepancy(DiscrepancyKind.DuplicateInBooks, o.OrderId, chargeId, null, o.Currency, o.OrderId, null, null,
                    "another order already refers to this payment"));
                continue;
            }
            slot.Claimed = true;
            _charges[at] = slot;
            var before = found.Count;
            var near = false;
            var currency = _currencies[slot.Currency];
            if (!string.Equals(currency, o.Currency, StringComparison.OrdinalIgnoreCase))
                found.Add(new Discrepancy(DiscrepancyKind.CurrencyMismatch, o.OrderId, chargeId, null, o.Currency, o.Currency, currency, null,
                    "the books and the processor disagree on the currency"));
            else
            {
                var diff = o.Amount - slot.Amount;
                if (Math.Abs(diff) >= threshold)
                    found.Add(new Discrepancy(DiscrepancyKind.AmountMismatch, o.OrderId, chargeId, null, currency,
                        Money(o.Amount, currency), Money(slot.Amount, currency), diff, "amount differs by at least the threshold"));
                else if (diff != 0) near = true;
                if (o.RefundedAmount is { } booked)
                {
                    var rdiff = booked - slot.Refunded;
                    if (Math.Abs(rdiff) >= threshold)
                        found.Add(new Discrepancy(DiscrepancyKind.RefundMismatch, o.OrderId, chargeId, null, currency,
                            Money(booked, currency), Money(slot.Refunded, currency), rdiff, "refunded amount differs by at least the threshold"));
                    else if (rdiff != 0) near = true;
                }
            }
            if (!SameState(o.Status, slot.State))
                found.Add(new Discrepancy(DiscrepancyKind.StatusMismatch, o.OrderId, chargeId, null, currency,
                    o.Status.Wire(), slot.State.Wire(), null, $"{o.Status.Wire()} in the books, {slot.State.Wire()} at the processor"));
            if (found.Count == before)
            {
                matched++;
                if (near) within++;
            }
        }

        var processorTotals = new Dictionary<string, long>(StringComparer.Ordinal);
        var inPeriod = 0;
        for (var i = 0; i < _charges.Count; i++)
        {
            var s = _charges[i];
            if (!InPeriod(s.Created) || s.State is PaymentState.Failed or PaymentState.Pending or PaymentState.Canceled) continue;
            inPeriod++;
            var cur = _currencies[s.Currency];
            processorTotals[cur] = processorTotals.GetValueOrDefault(cur) + s.Amount;
            if (!s.Claimed)
                found.Add(new Discrepancy(DiscrepancyKind.MissingInBooks, null, s.Id.ToString(), null, cur, null, Money(s.Amount, cur), null,
                    $"a {s.State.Wire()} payment the books do not have"));
        }

        var payouts = PayoutSummaries(found);
        var totals = bookTotals.Keys.Union(processorTotals.Keys).Order(StringComparer.Ordinal)
            .Select(c => new CurrencyTotal(c, bookTotals.GetValueOrDefault(c), processorTotals.GetValueOrDefault(c))).ToList();
        return new ReconciliationResult(from, to, threshold, orders, matched, within, inPeriod, totals, found, payouts);
    }

    private List<PayoutSummary> PayoutSummaries(List<Discrepancy> found)
    {
        var list = new List<PayoutSummary>();
        foreach (var p in _payouts.Values.Where(p => p.Automatic && InPeriod(p.ArrivalDate)).OrderBy(p => p.ArrivalDate).ThenBy(p => p.Id, StringComparer.Ordinal))
        {
            var acc = (IdKey.TryFrom(p.Id, out var key) ? _payoutTotals.GetValueOrDefault(key) : null) ?? new PayoutAcc { Currency = p.Currency };
            // The payout's own transaction carries its id but is not part of what it settled (docs/payouts.md).
            var own = acc.PayoutCategory.Where(x => x.Id == p.BalanceTransaction).Sum(x => x.Net);
            var other = acc.Other - own;
            var count = acc.Count - (own != 0 ? 1 : 0);
            var expected = acc.Captures - acc.Refunds - acc.Fees - acc.Disputes + other;
            var summary = new PayoutSummary(p.Id, p.Currency, p.ArrivalDate, p.Status, count, acc.Captures, acc.Refunds, acc.Fees, acc.Disputes,
                other, expected, p.Amount);
            list.Add(summary);
            if (!summary.Matches)
                found.Add(new Discrepancy(DiscrepancyKind.PayoutMismatch, null, null, p.Id, p.Currency, Money(expected, p.Currency),
                    Money(p.Amount, p.Currency), expected - p.Amount, "captures − refunds − fees − disputes + other ≠ payout amount"));
        }
        return list;
    }

    /// <summary>Whether the fed data has the payment <paramref name="o"/> refers to.</summary>
    public bool Knows(BookOrder o) => Find(o) >= 0;

    private int Find(BookOrder o)
    {
        if (IdKey.TryFrom(o.Charge, out var ch) && _byCharge.TryGetValue(ch, out var a)) return a;
        if (IdKey.TryFrom(o.PaymentIntent, out var pi) && _byPaymentIntent.TryGetValue(pi, out var b)) return b;
        return -1;
    }

    private static bool SameState(PaymentState books, PaymentState processor) =>
        books == processor || (books == PaymentState.Canceled && processor == PaymentState.Failed);

    private static string Money(long minor, string currency) => Reporting.ReportCsv.Major(minor, currency);
}
