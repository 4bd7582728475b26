using MockProcessor.Domain.Reconciliation;

namespace MockProcessor.Domain.Tests.Reconciliation;

public class ReconcilerTests
{
    private const long From = 1_000, To = 2_000;

    private static ChargeFacts Charge(string id, long amount, PaymentState state = PaymentState.Paid, long refunded = 0, long created = 1_500, string? pi = null) =>
        new(id, pi, created, amount, "usd", refunded, state);

    [Fact]
    public void Payout_arithmetic_is_captures_minus_refunds_fees_and_disputes_and_a_wrong_amount_is_flagged()
    {
        var r = new Reconciler(From, To);
        // po_ok settles a 100.00 charge (fee 3.20), a 10.00 refund and a 20.00 dispute with its 15.00 fee; its own transaction is excluded.
        r.AddTransaction(new("txn_1", "charge", 10_000, 320, "usd", "po_ok"));
        r.AddTransaction(new("txn_2", "refund", -1_000, 0, "usd", "po_ok"));
        r.AddTransaction(new("txn_3", "dispute", -2_000, 1_500, "usd", "po_ok"));
        r.AddTransaction(new("txn_own", "payout", -5_180, 0, "usd", "po_ok"));
        r.AddTransaction(new("txn_4", "charge", 5_000, 175, "usd", "po_bad"));
        r.AddTransaction(new("txn_5", "charge", 7_000, 233, "usd", null));
        r.AddPayout(new("po_ok", 5_180, "usd", 1_800, true, "paid", "txn_own"));
        r.AddPayout(new("po_bad", 4_900, "usd", 1_900, true, "paid", "txn_other"));
        r.AddPayout(new("po_late", 100, "usd", 2_500, true, "paid", "txn_x"));   // arrives after the period
        r.AddPayout(new("po_manual", 100, "usd", 1_800, false, "paid", "txn_y")); // not itemized

        var result = r.Reconcile([]);

        Assert.Equal(["po_ok", "po_bad"], result.Payouts.Select(p => p.PayoutId));
        var ok = result.Payouts[0];
        Assert.Equal((10_000L, 1_000L, 1_820L, 2_000L, 0L, 5_180L, 3), (ok.Captures, ok.Refunds, ok.Fees, ok.Disputes, ok.Other, ok.ExpectedNet, ok.Transactions));
        Assert.True(ok.Matches);
        var bad = Assert.Single(result.Discrepancies);
        Assert.Equal((DiscrepancyKind.PayoutMismatch, "po_bad", 4_825L - 4_900L), (bad.Kind, bad.PayoutId, bad.Difference));
    }

    [Fact]
    public void Later_versions_replace_earlier_ones_and_a_payment_intent_is_represented_by_its_successful_charge()
    {
        var r = new Reconciler(From, To);
        r.AddCharge(Charge("ch_failed", 500, PaymentState.Failed, pi: "pi_1"));
        r.AddCharge(Charge("ch_ok", 500, PaymentState.Paid, pi: "pi_1"));
        r.AddCharge(Charge("ch_ok", 500, PaymentState.Refunded, refunded: 500, pi: "pi_1"));
        r.SetDispute("ch_gone", true);
        var result = r.Reconcile([new BookOrder("o1", "pi_1", null, 500, "usd", PaymentState.Refunded, 500)]);
        Assert.True(result.Clean, string.Join("; ", result.Discrepancies));
        Assert.Equal(1, result.Matched);
    }

    [Fact]
    public void An_open_or_lost_dispute_makes_the_payment_disputed_and_a_won_one_does_not()
    {
        var r = new Reconciler(From, To);
        r.AddCharge(Charge("ch_open", 1_000));
        r.AddCharge(Charge("ch_won", 1_000));
        r.SetDispute("ch_open", PaymentStates.DisputeCounts("needs_response"));
        r.SetDispute("ch_won", PaymentStates.DisputeCounts("won"));
        var result = r.Reconcile([
            new BookOrder("a", null, "ch_open", 1_000, "usd", PaymentState.Paid, null),
            new BookOrder("b", null, "ch_won", 1_000, "usd", PaymentState.Paid, null),
        ]);
        var d = Assert.Single(result.Discrepancies);
        Assert.Equal((DiscrepancyKind.StatusMismatch, "a", "disputed"), (d.Kind, d.OrderId, d.Processor));
    }

    [Theory]
    [InlineData(99, 0, 1)]
    [InlineData(100, 1, 0)]
    [InlineData(-100, 1, 0)]
    [InlineData(0, 0, 0)]
    public void Amount_differences_are_flagged_from_the_threshold(long diff, int flagged, int within)
    {
        var r = new Reconciler(From, To, threshold: 100);
        r.AddCharge(Charge("ch_1", 10_000));
        var result = r.Reconcile([new BookOrder("o", null, "ch_1", 10_000 + diff, "usd", PaymentState.Paid, null)]);
        Assert.Equal(flagged, result.Discrepancies.Count);
        Assert.Equal(within, result.WithinThreshold);
    }

    [Fact]
    public void Only_successful_payments_of_the_period_are_missing_in_books()
    {
        var r = new Reconciler(From, To);
        r.AddCharge(Charge("ch_in", 100));
        r.AddCharge(Charge("ch_before", 100, created: 999));
        r.AddCharge(Charge("ch_at_end", 100, created: 2_000));
        r.AddCharge(Charge("ch_failed", 100, PaymentState.Failed));
        r.AddCharge(Charge("ch_uncaptured", 100, PaymentState.Pending));
        var result = r.Reconcile([]);
        Assert.Equal(["ch_in"], result.Discrepancies.Select(d => d.ChargeId));
    }

    [Theory]
    [InlineData("ch_3PgaxNB7WZ01zgkWEV3TLf40")]
    [InlineData("pi_1")]
    [InlineData("x2345678901234567890123456789012")]
    public void Ids_pack_and_unpack_losslessly(string id)
    {
        Assert.True(IdKey.TryFrom(id, out var key));
        Assert.Equal(id, key.ToString());
        Assert.NotEqual(key, IdKey.From(id[..^1]));
    }

    [Fact]
    public void Ids_that_cannot_be_ours_are_refused()
    {
        Assert.False(IdKey.TryFrom(new string('a', 33), out _));
        Assert.False(IdKey.TryFrom("ch_é", out _));
        Assert.False(IdKey.TryFrom("", out _));
    }

    [Fact]
    public void Books_read_csv_with_quotes_decimals_and_aliases_and_name_the_bad_line()
    {
        var csv = "Order,payment_intent_id,amount,currency,status,amount_refunded\n\"A, 1\",pi_1,10.50,USD,succeeded,\n2,pi_2,1000,jpy,partially_refunded,300\n";
        var orders = Books.ReadCsv(new StringReader(csv)).ToList();
        Assert.Equal(new BookOrder("A, 1", "pi_1", null, 1050, "usd", PaymentState.Paid, null), orders[0]);
        Assert.Equal(new BookOrder("2", "pi_2", null, 1000, "jpy", PaymentState.PartiallyRefunded, 300), orders[1]);
        var bad = Assert.Throws<FormatException>(() => Books.ReadCsv(new StringReader("order_id,charge,amount,currency,status\n1,ch_1,ten,usd,paid\n")).ToList());
        Assert.Contains("line 2", bad.Message);
        Assert.Throws<FormatException>(() => Books.ReadCsv(new StringReader("order_id,amount,currency,status\n1,5,usd,paid\n")).ToList());
    }

    [Theory]
    [InlineData("2026-11-20", true, 1_795_219_200)]
    [InlineData("2026-11-20", false, 1_795_132_800)]
    [InlineData("1795132800", true, 1_795_132_800)]
    public void Periods_take_dates_with_the_end_day_included(string text, bool isEnd, long expected) =>
        Assert.Equal(expected, Period.Parse(text, isEnd));
}
