using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Invoices;

/// <summary>
/// <c>/v1/invoice_payments</c> (docs/billing.md, "Invoice payments"): list and retrieve; the objects are written by the
/// billing engine (<see cref="Started"/>, <see cref="Paid"/>, <see cref="Canceled"/>).
/// </summary>
public static class InvoicePaymentEndpoints
{
    public const string Object = "invoice_payment";
    private const string Base = "/v1/invoice_payments";

    public static readonly SecondaryIndex<InvoicePayment> ByInvoice = new(Object, "invoice", p => p.Invoice);
    public static readonly SecondaryIndex<InvoicePayment> ByPaymentIntent = new(Object, "payment_intent", p => p.PaymentIntent);

    /// <summary><c>invoice_payment.paid</c> exists from this version on (stripe-node's webhook event list; API_VERSIONS C65).</summary>
    public static readonly Wire.Versions.ApiVersion PaidEventSince = Wire.Versions.ApiVersions.Known("2025-05-28.basil");

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", Base, "list:" + Object, List) { Params = "created ending_before invoice limit payment starting_after status" },
        new("GET", Base + "/{id}", Object, Retrieve) { Params = "" },
    ];

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<InvoicePayment>(c.Route("id"), Object));

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var invoice = p.String("invoice", 100);
        var status = p.Enum<InvoicePaymentStatus>("status");
        string? paymentIntent = null;
        if (p.Object("payment") is { } payment)
        {
            var type = payment.Enum("type", "payment_intent", "payment_record")
                ?? throw new StripeException(Domain.Errors.StripeError.ParameterMissing("payment[type]"), beforeExecution: true);
            paymentIntent = payment.String("payment_intent", 100);
            payment.String("payment_record", 100);
            // The emulator records no payment records: such a filter finds nothing.
            if (type == "payment_record") paymentIntent = "";
        }
        IEnumerable<InvoicePayment> source = paymentIntent is { Length: > 0 } pi ? c.Tx.Find(ByPaymentIntent, pi)
            : invoice is not null ? c.Tx.Find(ByInvoice, invoice)
            : c.Tx.NewestFirst<InvoicePayment>(Object);
        bool Keep(InvoicePayment x) => (invoice is null || x.Invoice == invoice) && (status is null || x.Status == status)
            && (paymentIntent is null || x.PaymentIntent == paymentIntent);
        var (page, more) = Lists.Page(source, lp, Keep, Object);
        return Lists.Render(page, more, Base, c.Render, c.Expand);
    }

    public static JsonObject Render(InvoicePayment x, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = x.Id,
        ["object"] = Object,
        ["amount_paid"] = x.AmountPaid,
        ["amount_requested"] = x.AmountRequested,
        ["created"] = x.Created,
        ["currency"] = x.Currency,
        ["invoice"] = ctx.Ref(expand, "invoice", x.Invoice),
        ["is_default"] = x.IsDefault,
        ["livemode"] = false,
        ["payment"] = new JsonObject
        {
            ["payment_intent"] = ctx.Ref(expand.Child("payment") ?? ExpandNode.None, "payment_intent", x.PaymentIntent),
            ["type"] = "payment_intent",
        },
        ["status"] = x.Status.ToWire(),
        ["status_transitions"] = new JsonObject { ["canceled_at"] = x.CanceledAt, ["paid_at"] = x.PaidAt },
    };

    /// <summary>An invoice's payments, newest first (the invoice's includable <c>payments</c> list).</summary>
    public static JsonObject ListOf(Invoice inv, RenderContext ctx, ExpandNode expand)
    {
        var data = new JsonArray();
        var all = ctx.Tx.Find(ByInvoice, inv.Id).ToList();
        foreach (var x in all) data.Add(Render(x, ctx, expand));
        return new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["has_more"] = false, ["total_count"] = all.Count, ["url"] = $"{Base}?invoice={inv.Id}",
        };
    }

    /// <summary>A payment attempt starts: the invoice's PaymentIntent was created.</summary>
    internal static void Started(ApiContext c, Invoice inv, string paymentIntent, long amount)
    {
        var x = new InvoicePayment
        {
            Id = c.Ids.Next("inpay"), AccountId = c.Account.Id, Created = c.Now, Invoice = inv.Id, Currency = inv.Currency,
            AmountRequested = amount, PaymentIntent = paymentIntent,
        };
        c.Tx.Put(x);
    }

    /// <summary>The invoice was paid through <paramref name="paymentIntent"/>: its payment is paid (<c>invoice_payment.paid</c>).</summary>
    internal static void Paid(ApiContext c, string paymentIntent, long amount)
    {
        foreach (var x in c.Tx.Find(ByPaymentIntent, paymentIntent).Where(x => x.Status == InvoicePaymentStatus.Open).ToList())
        {
            var paid = x with { Status = InvoicePaymentStatus.Paid, AmountPaid = amount, PaidAt = c.Now };
            c.Tx.Put(paid);
            if (Wire.Versions.ApiVersions.Stored(c.EventApiVersion).CompareTo(PaidEventSince) >= 0) c.Emit("invoice_payment.paid", paid);
        }
    }

    /// <summary>The payment's PaymentIntent was canceled or replaced.</summary>
    internal static void Canceled(ApiContext c, string paymentIntent)
    {
        foreach (var x in c.Tx.Find(ByPaymentIntent, paymentIntent).Where(x => x.Status == InvoicePaymentStatus.Open).ToList())
            c.Tx.Put(x with { Status = InvoicePaymentStatus.Canceled, CanceledAt = c.Now });
    }
}
