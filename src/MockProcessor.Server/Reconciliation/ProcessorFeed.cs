using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Reconciliation;
using MockProcessor.Server.Resources.Reporting;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Reconciliation;

/// <summary>The processor's side of a reconciliation, from the emulator's own records (the control API).</summary>
public static class ProcessorFeed
{
    public static ChargeFacts Facts(Charge c) =>
        new(c.Id, c.PaymentIntent, c.Created, c.Captured ? c.AmountCaptured : c.Amount, c.Currency, c.AmountRefunded,
            PaymentStates.OfCharge(c.Status.ToWire(), c.Captured, c.AmountCaptured, c.AmountRefunded));

    public static TransactionFacts Facts(BalanceTransaction t) =>
        new(t.Id, t.ReportingCategory.ToWire(), t.Amount, t.Fee, t.Currency, ReportLedger.PayoutIdOf(t));

    /// <summary>Feeds every charge, dispute, balance transaction and payout of the merchant; the reconciler picks the period.</summary>
    public static void Feed(Tx tx, Reconciler r)
    {
        foreach (var c in tx.OldestFirst<Charge>("charge")) r.AddCharge(Facts(c));
        foreach (var d in tx.OldestFirst<Dispute>("dispute")) r.SetDispute(d.Charge, PaymentStates.DisputeCounts(d.Status.ToWire()));
        foreach (var t in tx.OldestFirst<BalanceTransaction>("balance_transaction")) r.AddTransaction(Facts(t));
        foreach (var p in ReportLedger.Payouts(tx)) r.AddPayout(p);
    }
}
