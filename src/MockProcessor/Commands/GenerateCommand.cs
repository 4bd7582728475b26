using System.Diagnostics;
using System.Globalization;
using System.Text;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.Payouts;
using MockProcessor.Domain.Reconciliation;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Storage;

namespace MockProcessor.Commands;

public sealed class GenerateSettings
{
    public string? Db { get; set; }
    public long Transactions { get; set; } = 100_000;
    public long Seed { get; set; } = 1;
    public long Start { get; set; } = 1_767_225_600; // 2026-01-01
    public int? Days { get; set; }
    public string Key { get; set; } = "sk_test_bench";
    public string? Orders { get; set; }
    public int Discrepancies { get; set; }
}

/// <summary>
/// <c>mockprocessor generate</c>: a merchant's synthetic history written straight into a database file through the
/// store's own format (<see cref="BulkImport"/>): card charges with Stripe's fees, partial and full refunds, disputes
/// with their fee, a daily fee adjustment, failed charges, and the daily automatic payouts that swept them (each
/// balance transaction tagged with its payout, payouts adding up to what they swept). Optionally the merchant's
/// books (<c>--orders</c>) with injected discrepancies. Seeded: the same flags give the same file.
/// </summary>
public static class GenerateCommand
{
    public static readonly Command<GenerateSettings> Spec = new(
        "generate", "write a synthetic merchant history (charges, refunds, disputes, fees, payouts) into a database file",
        [
            new("db", false, "the database file to create (must not exist)", (s, v) => s.Db = v),
            new("balance-transactions", false, "about how many balance transactions (default 100000)", (s, v) => s.Transactions = CommandLine.Long(v) is > 0 and var n ? n : throw new ArgumentException("--balance-transactions must be > 0")),
            new("seed", false, "seed of ids and amounts (default 1)", (s, v) => s.Seed = CommandLine.Long(v)),
            new("start", false, "first day, YYYY-MM-DD (default 2026-01-01)", (s, v) => s.Start = Period.Parse(v, false) ?? throw new ArgumentException("--start must be YYYY-MM-DD")),
            new("days", false, "how many days the history spans (default: ~2,700 transactions a day)", (s, v) => s.Days = CommandLine.Int(v, "days", 1, 36_500)),
            new("key", false, "the merchant's secret key (default sk_test_bench)", (s, v) => s.Key = v.StartsWith("sk_test_", StringComparison.Ordinal) ? v : throw new ArgumentException("--key must be an sk_test_ key")),
            new("orders", false, "also write the merchant's books (CSV) here", (s, v) => s.Orders = v),
            new("discrepancies", false, "inject this many of each discrepancy kind into the books (default 0)", (s, v) => s.Discrepancies = CommandLine.Int(v, "discrepancies", 0, 1_000_000)),
        ],
        (s, _) => Task.FromResult(Run(s, Console.Out)),
        validate: s => s.Db is null ? "--db is required." : File.Exists(s.Db) ? $"{s.Db} exists; generate writes a new file." : null);

    private const long Day = 86_400;

    public static int Run(GenerateSettings s, TextWriter output)
    {
        var watch = Stopwatch.StartNew();
        var ids = new IdGenerator(s.Seed);
        var rnd = new Random((int)s.Seed);
        var days = s.Days ?? (int)Math.Max(1, s.Transactions / 2_700);
        var perDay = Math.Max(1, (int)(s.Transactions / days));
        var start = s.Start - s.Start % Day;
        var end = start + days * Day;
        var accountId = ids.Next("acct", 16);
        // Rows with heads, as the emulator writes them: a start files them without reading them.
        using var import = new BulkImport(s.Db!, Registry.Schema(new Server.Webhooks.WebhookDueQueue(new()), new Server.Resources.Events.EventFeed()),
            new Server.Time.TimerRegistry(Registry.Timers()));
        using var books = s.Orders is null ? null : new StreamWriter(s.Orders, false, new UTF8Encoding(false), 1 << 16);
        books?.WriteLine("order_id,payment_intent,amount,currency,status,refunded_amount");
        var bank = "ba_" + ids.Chars(24);
        import.Add(Server.Auth.ApiKey.WithImplicitKeys(
            new Account { Id = accountId, AccountId = accountId, Created = start, DefaultApiVersion = Server.Hosting.MockProcessorOptions.DefaultApiVersion },
            s.Key["sk_test_".Length..]));

        // A payout runs at 00:00 of every day after the first and sweeps all that is available then: charges two days
        // after their day, debits at once. Its id is known in advance, so every transaction is written once, tagged.
        var payoutIds = new string[days + 1];
        for (var d = 1; d <= days; d++) payoutIds[d] = ids.Next("po");
        var payoutNet = new long[days + 1];
        string? PayoutFor(long availableOn, out int run)
        {
            run = (int)((availableOn - start + Day - 1) / Day);
            if (run < 1) run = 1;
            return run <= days ? payoutIds[run] : null;
        }
        long transactions = 0, orders = 0;
        var injected = new Dictionary<string, int>();
        // The store lists each type in creation order and expects rows in that order (as live commits are): a day's
        // objects are buffered and written sorted by creation time, and nothing of a day spills into the next.
        var today = new List<Domain.Common.StripeObject>();
        void Emit(Domain.Common.StripeObject o) => today.Add(o);
        void Flush()
        {
            foreach (var o in today.OrderBy(o => o.Created)) import.Add(o); // OrderBy is stable
            today.Clear();
        }
        // A payment's transactions wait for its charge, which is decided last but stored first, as the emulator commits them.
        var held = new List<BalanceTransaction>();
        void Txn(BalanceTransaction t)
        {
            var payout = PayoutFor(t.AvailableOn, out var run);
            if (payout is not null) payoutNet[run] += t.Net;
            held.Add(t with { AutomaticPayoutId = payout });
            transactions++;
        }
        void Release()
        {
            foreach (var t in held) Emit(t);
            held.Clear();
        }
        string[] brands = ["visa", "mastercard", "amex", "discover"];
        var seq = 0;
        for (var d = 0; d < days; d++)
        {
            var dayStart = start + d * Day;
            // The payout that ran at this midnight: everything it swept was written on earlier days.
            if (d >= 1) WritePayout(d, dayStart);
            for (var i = 0; i < perDay; i++)
            {
                var created = dayStart + (long)i * Day / perDay;
                seq++;
                var amount = (long)Math.Round(Math.Exp(rnd.NextDouble() * 4.6 + 6.2)); // ~5.00 .. ~500.00, skewed low
                var brand = brands[rnd.Next(brands.Length)];
                var country = rnd.Next(10) == 0 ? "GB" : "US";
                var chargeId = ids.Next("ch");
                var pi = ids.Next("pi");
                var details = new CardPaymentDetails(brand, country, 12, 2030, ids.Chars(16), rnd.Next(3) == 0 ? "debit" : "credit",
                    (1000 + rnd.Next(9000)).ToString(CultureInfo.InvariantCulture), brand, CardChecks.None, null);
                if (rnd.Next(200) == 0)
                {
                    Emit(new Charge
                    {
                        Id = chargeId, AccountId = accountId, Created = created, Amount = amount, Currency = "usd", Status = ChargeStatus.Failed,
                        PaymentIntent = pi, PaymentMethodDetails = details, FailureCode = "card_declined", FailureMessage = "Your card was declined.",
                    });
                    Order($"ord_{seq}", pi, amount, "failed", 0);
                    continue;
                }
                var fee = Fees.CardProcessing(amount, "usd", country);
                var txnId = ids.Next("txn");
                Txn(new BalanceTransaction
                {
                    Id = txnId, AccountId = accountId, Created = created, Amount = amount, Currency = "usd", Fee = fee.Total, FeeDetails = fee.Details,
                    Type = BalanceTransactionType.Charge, ReportingCategory = ReportingCategory.Charge, Source = chargeId,
                    Description = $"Order ord_{seq}", AvailableOn = dayStart + 2 * Day,
                });
                long refunded = 0;
                string? dispute = null;
                var roll = rnd.Next(1000);
                var status = "paid";
                if (roll < 80)
                {
                    refunded = roll < 40 ? amount : Math.Max(50, amount * rnd.Next(10, 90) / 100);
                    var refundAt = Math.Min(created + rnd.Next(60, 3_600), dayStart + Day - 120);
                    var refundId = ids.Next("re");
                    var refundTxn = ids.Next("txn");
                    Emit(new Refund
                    {
                        Id = refundId, AccountId = accountId, Created = refundAt, Amount = refunded, Currency = "usd", Charge = chargeId,
                        PaymentIntent = pi, Status = RefundStatus.Succeeded, BalanceTransaction = refundTxn, Reason = RefundReason.RequestedByCustomer,
                    });
                    Txn(new BalanceTransaction
                    {
                        Id = refundTxn, AccountId = accountId, Created = refundAt, Amount = -refunded, Currency = "usd",
                        Type = BalanceTransactionType.Refund, ReportingCategory = ReportingCategory.Refund, Source = refundId,
                        Description = "REFUND FOR CHARGE", AvailableOn = refundAt,
                    });
                    status = refunded == amount ? "refunded" : "partially_refunded";
                }
                else if (roll < 85)
                {
                    dispute = ids.Next("dp");
                    var disputeAt = Math.Min(created + rnd.Next(3_600, 20_000), dayStart + Day - 120);
                    var disputeTxn = ids.Next("txn");
                    Emit(new Dispute
                    {
                        Id = dispute, AccountId = accountId, Created = disputeAt, Amount = amount, Currency = "usd", Charge = chargeId, PaymentIntent = pi,
                        Reason = "fraudulent", Status = DisputeStatus.NeedsResponse, EvidenceDetails = new DisputeEvidenceDetails(disputeAt + 21 * Day, false, false, 0),
                        Card = new DisputeCardDetails(brand, brand, DisputeCaseType.Chargeback, "10.4"), BalanceTransactions = [disputeTxn],
                    });
                    Txn(new BalanceTransaction
                    {
                        Id = disputeTxn, AccountId = accountId, Created = disputeAt, Amount = -amount, Currency = "usd", Fee = 1_500,
                        FeeDetails = [new FeeDetail(1_500, "usd", "Dispute fee", FeeType.StripeFee)],
                        Type = BalanceTransactionType.Adjustment, ReportingCategory = ReportingCategory.Dispute, Source = dispute,
                        Description = "Chargeback withdrawal", AvailableOn = disputeAt,
                    });
                    status = "disputed";
                }
                Emit(new Charge
                {
                    Id = chargeId, AccountId = accountId, Created = created, Amount = amount, AmountCaptured = amount, AmountRefunded = refunded,
                    Captured = true, Paid = true, Refunded = refunded == amount, Status = ChargeStatus.Succeeded, Currency = "usd",
                    PaymentIntent = pi, PaymentMethodDetails = details, BalanceTransaction = txnId, Disputed = dispute is not null, Dispute = dispute,
                    Description = $"Order ord_{seq}", CalculatedStatementDescriptor = "MOCKPROCESSOR",
                });
                Release();
                Order($"ord_{seq}", pi, amount, status, refunded);
            }
            // One fee adjustment a day (a correction Stripe books against the merchant).
            var adjustedAt = dayStart + Day - 60;
            Txn(new BalanceTransaction
            {
                Id = ids.Next("txn"), AccountId = accountId, Created = adjustedAt, Amount = -(100 + rnd.Next(900)), Currency = "usd",
                Type = BalanceTransactionType.Adjustment, ReportingCategory = ReportingCategory.Fee, Description = "Fee adjustment", AvailableOn = adjustedAt,
            });
            Release();
            Flush();
        }
        WritePayout(days, end);
        Flush();
        foreach (var kind in new[] { "missing_at_processor" })
            for (var k = 0; k < s.Discrepancies; k++)
            {
                books?.WriteLine($"ord_ghost_{k},pi_ghost{k:D20},1000,usd,paid,0");
                injected[kind] = injected.GetValueOrDefault(kind) + 1;
            }
        books?.Flush();
        output.WriteLine($"{transactions} balance transactions, {days} payouts over {days} days ({Dates(start)} – {Dates(end)}), {import.Rows} rows, " +
                         $"{orders} orders, merchant {accountId} ({s.Key[..Math.Min(14, s.Key.Length)]}…); {watch.Elapsed.TotalSeconds:0.0} s");
        if (injected.Count > 0) output.WriteLine("injected: " + string.Join(", ", injected.Select(kv => $"{kv.Key} {kv.Value}")));
        return 0;

        void WritePayout(int run, long at)
        {
            var amount = payoutNet[run];
            var po = payoutIds[run];
            var own = ids.Next("txn");
            Emit(new BalanceTransaction
            {
                Id = own, AccountId = accountId, Created = at, Amount = -amount, Currency = "usd", Type = BalanceTransactionType.Payout,
                ReportingCategory = ReportingCategory.Payout, Source = po, Description = "STRIPE PAYOUT", AvailableOn = at, AutomaticPayoutId = po,
            });
            transactions++;
            Emit(new Payout
            {
                Id = po, AccountId = accountId, Created = at, Amount = amount, Currency = "usd", ArrivalDate = at + Day, Automatic = true,
                Status = PayoutStatus.Paid, BalanceTransaction = own, Destination = bank, Description = "STRIPE PAYOUT",
                ReconciliationStatus = PayoutReconciliationStatus.Completed,
            });
        }

        // The books, with the requested discrepancies: a dropped order, an amount off by 5.00, a refund booked as paid.
        void Order(string id, string pi, long amount, string status, long refunded)
        {
            if (books is null) return;
            orders++;
            if (s.Discrepancies > 0 && status != "failed" && rnd.Next(50) == 0)
            {
                string? kind = null;
                if (injected.GetValueOrDefault("missing_in_books") < s.Discrepancies) kind = "missing_in_books";
                else if (injected.GetValueOrDefault("amount_mismatch") < s.Discrepancies) kind = "amount_mismatch";
                else if (status == "refunded" && injected.GetValueOrDefault("status_mismatch") < s.Discrepancies) kind = "status_mismatch";
                switch (kind)
                {
                    case "missing_in_books": injected[kind] = injected.GetValueOrDefault(kind) + 1; orders--; return;
                    case "amount_mismatch": injected[kind] = injected.GetValueOrDefault(kind) + 1; amount += 500; break;
                    case "status_mismatch":
                        injected[kind] = injected.GetValueOrDefault(kind) + 1;
                        injected["refund_mismatch"] = injected.GetValueOrDefault("refund_mismatch") + 1;
                        status = "paid"; refunded = 0; break;
                }
            }
            books.Write(id); books.Write(','); books.Write(pi); books.Write(',');
            books.Write(amount.ToString(CultureInfo.InvariantCulture)); books.Write(",usd,"); books.Write(status); books.Write(',');
            books.Write(refunded.ToString(CultureInfo.InvariantCulture)); books.Write('\n');
        }
    }

    private static string Dates(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
