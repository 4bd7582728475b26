using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Billing;

public enum InvoicePaymentStatus { Open, Paid, Canceled }

/// <summary>
/// A payment attempt's link to an invoice (<c>inpay_</c>): made when the invoice's PaymentIntent is created (the
/// default payment, <c>is_default</c>), paid with the invoice, canceled when its PaymentIntent is replaced or canceled.
/// </summary>
public sealed record InvoicePayment : StripeObject
{
    public override string ObjectType => "invoice_payment";
    public required string Invoice { get; init; }
    public required string Currency { get; init; }
    public required long AmountRequested { get; init; }
    public long? AmountPaid { get; init; }
    public required string PaymentIntent { get; init; }
    public bool IsDefault { get; init; } = true;
    public InvoicePaymentStatus Status { get; init; } = InvoicePaymentStatus.Open;
    public long? PaidAt { get; init; }
    public long? CanceledAt { get; init; }
}
