using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Connect;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Connect;

/// <summary>
/// Books Connect's money movement in the call's unit of work (docs/connect.md): on capture, a direct charge's
/// application fee (connected account's fee, platform's earning) or a destination charge's transfer and the
/// connected account's <c>py_</c> payment; on refund, the fee refund and the transfer reversal. Every amount is a
/// balance transaction on the account whose balance it moves, so both balances stay the sum of their nets.
/// </summary>
public static class ConnectMoney
{
    public const string ApplicationFeeDescription = "Application fee";

    private static Account AccountOf(ApiContext c, string id) =>
        c.Tx.GetInTree<Account>(id) ?? throw new InvalidOperationException($"Account {id} is not in this tree.");

    /// <summary>
    /// Called for every PaymentIntent change before it is stored: copies the Connect parameters onto the charge and,
    /// when the change books a capture, moves the money. Returns the charge and transaction to store instead.
    /// </summary>
    public static PaymentIntentChange OnChange(ApiContext c, PaymentIntentChange change)
    {
        if (change.PaymentIntent.Connect is not { } cp || change.Charge is not { } charge) return change;
        charge = charge with { Connect = cp };
        if (change.BalanceTransaction is not { Type: BalanceTransactionType.Charge } txn || charge.ApplicationFee is not null || charge.Transfer is not null)
            return change with { Charge = charge };
        if (c.Account.Platform is { } platform)
            (charge, txn) = DirectCharge(c, AccountOf(c, platform), cp, charge, txn);
        else if (cp.TransferDestination is { } destination)
            charge = DestinationCharge(c, AccountOf(c, destination), cp, charge, txn);
        return change with { Charge = charge, BalanceTransaction = txn };
    }

    // The connected account pays the fee out of its charge (an application_fee line in fee_details); the platform
    // books the same amount as an application_fee transaction.
    private static (Charge, BalanceTransaction) DirectCharge(ApiContext c, Account platform, ConnectPayment cp, Charge charge, BalanceTransaction txn)
    {
        if (cp.ApplicationFeeAmount is not { } amount || amount == 0) return (charge, txn);
        var p = c.As(platform);
        var feeId = c.Ids.Next("fee");
        var earning = ConnectRules.Book(c.Ids, platform.Id, c.Now, amount, charge.Currency, BalanceTransactionType.ApplicationFee,
            ReportingCategory.PlatformEarning, feeId, txn.AvailableOn, ApplicationFeeDescription);
        var fee = new ApplicationFee
        {
            Id = feeId, AccountId = platform.Id, Created = c.Now, Amount = amount, Currency = charge.Currency,
            Account = c.Account.Id, Charge = charge.Id, BalanceTransaction = earning.Id,
        };
        p.Tx.Put(earning);
        p.Tx.Put(fee);
        p.Emit("application_fee.created", fee);
        txn = txn with
        {
            Fee = checked(txn.Fee + amount),
            FeeDetails = [.. txn.FeeDetails, new FeeDetail(amount, charge.Currency, ApplicationFeeDescription, FeeType.ApplicationFee) { Application = platform.Id }],
        };
        return (charge with { ApplicationFee = feeId }, txn);
    }

    // The platform keeps the charge and sends the connected account its share as a transfer, which arrives there as a
    // py_ payment; the fee is what the platform keeps (the application_fee object records it, no money moves for it).
    private static Charge DestinationCharge(ApiContext c, Account destination, ConnectPayment cp, Charge charge, BalanceTransaction txn)
    {
        var amount = ConnectRules.TransferAmount(cp, charge.AmountCaptured);
        var transferId = c.Ids.Next("tr");
        var sent = ConnectRules.Book(c.Ids, c.Account.Id, c.Now, -amount, charge.Currency, BalanceTransactionType.Transfer,
            ReportingCategory.Transfer, transferId, txn.AvailableOn);
        var d = c.As(destination);
        var paymentId = c.Ids.Next("py");
        var received = ConnectRules.Book(c.Ids, destination.Id, c.Now, amount, charge.Currency, BalanceTransactionType.Payment,
            ReportingCategory.Charge, paymentId, txn.AvailableOn);
        var payment = new Charge
        {
            Id = paymentId, AccountId = destination.Id, Created = c.Now, Amount = amount, AmountCaptured = amount, Captured = true,
            Paid = true, Status = ChargeStatus.Succeeded, Currency = charge.Currency, BalanceTransaction = received.Id,
            SourceTransfer = transferId, Funds = charge.Funds,
        };
        var transfer = new Transfer
        {
            Id = transferId, AccountId = c.Account.Id, Created = c.Now, Amount = amount, Currency = charge.Currency,
            Destination = destination.Id, DestinationPayment = paymentId, BalanceTransaction = sent.Id, SourceTransaction = charge.Id,
        };
        c.Tx.Put(sent);
        c.Tx.Put(transfer);
        d.Tx.Put(received);
        d.Tx.Put(payment);
        c.Emit("transfer.created", transfer);
        charge = charge with { Transfer = transferId };
        if (cp.ApplicationFeeAmount is { } feeAmount and > 0)
        {
            var fee = new ApplicationFee
            {
                Id = c.Ids.Next("fee"), AccountId = c.Account.Id, Created = c.Now, Amount = feeAmount, Currency = charge.Currency,
                Account = destination.Id, Charge = charge.Id,
            };
            c.Tx.Put(fee);
            c.Emit("application_fee.created", fee);
            charge = charge with { ApplicationFee = fee.Id };
        }
        return charge;
    }

    /// <summary>
    /// After a refund of <paramref name="charge"/> (as it is after the refund): reverses the transfer's and refunds the
    /// fee's proportional share when asked. Returns the refund with its transfer reversal, stored.
    /// </summary>
    public static Refund OnRefund(ApiContext c, Charge charge, Refund refund, bool reverseTransfer, bool refundApplicationFee)
    {
        if (reverseTransfer)
        {
            if (charge.Transfer is not { } transferId || c.Tx.GetInTree<Transfer>(transferId) is not { } transfer)
                throw new StripeException(StripeError.InvalidValue("reverse_transfer", $"Charge {charge.Id} has no transfer to reverse."), beforeExecution: true);
            var amount = ConnectRules.ProportionalShare(transfer.Amount, transfer.AmountReversed, charge.AmountCaptured, charge.AmountRefunded);
            if (amount > 0) refund = refund with { TransferReversal = ReverseTransfer(c, transfer, amount, refund.Id).Id };
        }
        if (refundApplicationFee)
        {
            if (charge.ApplicationFee is not { } feeId || c.Tx.GetInTree<ApplicationFee>(feeId) is not { } fee)
                throw new StripeException(StripeError.InvalidValue("refund_application_fee", $"Charge {charge.Id} has no application fee to refund."), beforeExecution: true);
            var amount = ConnectRules.ProportionalShare(fee.Amount, fee.AmountRefunded, charge.AmountCaptured, charge.AmountRefunded);
            if (amount > 0) RefundFee(c, fee, amount);
        }
        c.Tx.Put(refund);
        return refund;
    }

    /// <summary>
    /// A transfer straight from the platform's available balance (<c>POST /v1/transfers</c>, "separate charges and
    /// transfers"): the platform books −amount, the connected account a <c>py_</c> payment of +amount, both available now.
    /// </summary>
    public static Transfer SendTransfer(ApiContext c, Account destination, long amount, string currency, string? description,
        System.Collections.Immutable.ImmutableSortedDictionary<string, string> metadata)
    {
        var available = Balance.BalanceEndpoints.SummaryOf(c.Tx, c.Now, currency).Available.FirstOrDefault()?.Amount ?? 0;
        if (amount > available) throw new StripeException(StripeError.TransferBalanceInsufficient());
        var transferId = c.Ids.Next("tr");
        var sent = ConnectRules.Book(c.Ids, c.Account.Id, c.Now, -amount, currency, BalanceTransactionType.Transfer,
            ReportingCategory.Transfer, transferId, c.Now, description);
        var paymentId = c.Ids.Next("py");
        var received = ConnectRules.Book(c.Ids, destination.Id, c.Now, amount, currency, BalanceTransactionType.Payment,
            ReportingCategory.Charge, paymentId, c.Now, description);
        var payment = new Charge
        {
            Id = paymentId, AccountId = destination.Id, Created = c.Now, Amount = amount, AmountCaptured = amount, Captured = true,
            Paid = true, Status = ChargeStatus.Succeeded, Currency = currency, BalanceTransaction = received.Id, SourceTransfer = transferId,
            Description = description, Funds = Domain.CardNetwork.FundsAvailability.Available,
        };
        var transfer = new Transfer
        {
            Id = transferId, AccountId = c.Account.Id, Created = c.Now, Amount = amount, Currency = currency, Destination = destination.Id,
            DestinationPayment = paymentId, BalanceTransaction = sent.Id, Description = description, Metadata = metadata,
        };
        var d = c.As(destination);
        c.Tx.Put(sent);
        c.Tx.Put(transfer);
        d.Tx.Put(received);
        d.Tx.Put(payment);
        c.Emit("transfer.created", transfer);
        return transfer;
    }

    /// <summary>Takes <paramref name="amount"/> of a transfer back from the connected account (a <c>trr_</c>).</summary>
    public static TransferReversal ReverseTransfer(ApiContext c, Transfer transfer, long amount, string? sourceRefund,
        System.Collections.Immutable.ImmutableSortedDictionary<string, string>? metadata = null)
    {
        var platform = c.As(AccountOf(c, transfer.AccountId));
        var destination = c.As(AccountOf(c, transfer.Destination));
        var reversalId = c.Ids.Next("trr");
        var back = ConnectRules.Book(c.Ids, transfer.AccountId, c.Now, amount, transfer.Currency, BalanceTransactionType.TransferRefund,
            ReportingCategory.TransferReversal, reversalId, c.Now);
        // Deviation: Stripe books the connected account's side against a pyr_ refund of the py_ payment; the
        // emulator books it against the reversal itself and shows it on the py_ as amount_refunded.
        var taken = ConnectRules.Book(c.Ids, transfer.Destination, c.Now, -amount, transfer.Currency, BalanceTransactionType.PaymentRefund,
            ReportingCategory.Refund, reversalId, c.Now);
        var reversal = new TransferReversal
        {
            Id = reversalId, AccountId = transfer.AccountId, Created = c.Now, Amount = amount, Currency = transfer.Currency,
            Transfer = transfer.Id, BalanceTransaction = back.Id, SourceRefund = sourceRefund,
            Metadata = metadata ?? System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty,
        };
        var after = transfer with { AmountReversed = transfer.AmountReversed + amount };
        platform.Tx.Put(back);
        platform.Tx.Put(reversal);
        platform.Tx.Put(after);
        destination.Tx.Put(taken);
        if (transfer.DestinationPayment is { } py && destination.Tx.Get<Charge>(py) is { } payment)
        {
            var refunded = payment.AmountRefunded + amount;
            destination.Tx.Put(payment with { AmountRefunded = refunded, Refunded = refunded >= payment.Amount });
        }
        platform.Emit("transfer.reversed", after);
        return reversal;
    }

    /// <summary>Gives <paramref name="amount"/> of an application fee back (a <c>fr_</c>).</summary>
    public static FeeRefund RefundFee(ApiContext c, ApplicationFee fee, long amount,
        System.Collections.Immutable.ImmutableSortedDictionary<string, string>? metadata = null)
    {
        var platform = c.As(AccountOf(c, fee.AccountId));
        var connected = c.As(AccountOf(c, fee.Account));
        var refundId = c.Ids.Next("fr");
        var after = fee with { AmountRefunded = fee.AmountRefunded + amount };
        BalanceTransaction? paid = null;
        // A destination charge's fee never left the platform's charge, and the customer's refund comes out of the
        // platform's balance: its fee refund is a record, no money moves (as none moved for the fee).
        if (fee.BalanceTransaction is not null)
        {
            paid = ConnectRules.Book(c.Ids, fee.AccountId, c.Now, -amount, fee.Currency, BalanceTransactionType.ApplicationFeeRefund,
                ReportingCategory.PlatformEarningRefund, refundId, c.Now);
            var returned = ConnectRules.Book(c.Ids, fee.Account, c.Now, amount, fee.Currency, BalanceTransactionType.ApplicationFeeRefund,
                ReportingCategory.Fee, refundId, c.Now);
            platform.Tx.Put(paid);
            connected.Tx.Put(returned);
        }
        var feeRefund = new FeeRefund
        {
            Id = refundId, AccountId = fee.AccountId, Created = c.Now, Amount = amount, Currency = fee.Currency, Fee = fee.Id,
            BalanceTransaction = paid?.Id, Metadata = metadata ?? System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty,
        };
        platform.Tx.Put(feeRefund);
        platform.Tx.Put(after);
        platform.Emit("application_fee.refunded", after);
        return feeRefund;
    }
}
