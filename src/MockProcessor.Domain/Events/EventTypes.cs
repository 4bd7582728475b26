namespace MockProcessor.Domain.Events;

// Stripe's event type names the payments core emits, so a typo is a compile error rather than a webhook
// nobody receives.
public static class EventTypes
{
    public const string PaymentIntentCreated = "payment_intent.created";
    public const string PaymentIntentSucceeded = "payment_intent.succeeded";
    public const string PaymentIntentPaymentFailed = "payment_intent.payment_failed";
    public const string PaymentIntentRequiresAction = "payment_intent.requires_action";
    public const string PaymentIntentAmountCapturableUpdated = "payment_intent.amount_capturable_updated";
    public const string PaymentIntentCanceled = "payment_intent.canceled";
    public const string PaymentIntentProcessing = "payment_intent.processing";
    public const string SetupIntentCreated = "setup_intent.created";
    public const string SetupIntentRequiresAction = "setup_intent.requires_action";
    public const string SetupIntentSucceeded = "setup_intent.succeeded";
    public const string SetupIntentSetupFailed = "setup_intent.setup_failed";
    public const string SetupIntentCanceled = "setup_intent.canceled";
    public const string ChargeSucceeded = "charge.succeeded";
    public const string ChargeFailed = "charge.failed";
    public const string ChargePending = "charge.pending";
    public const string ChargeCaptured = "charge.captured";
    public const string ChargeExpired = "charge.expired";
    public const string ChargeUpdated = "charge.updated";
    public const string ChargeRefunded = "charge.refunded";
    public const string ChargeRefundUpdated = "charge.refund.updated";
    public const string ChargeDisputeCreated = "charge.dispute.created";
    public const string ChargeDisputeUpdated = "charge.dispute.updated";
    public const string ChargeDisputeClosed = "charge.dispute.closed";
    public const string ChargeDisputeFundsWithdrawn = "charge.dispute.funds_withdrawn";
    public const string ChargeDisputeFundsReinstated = "charge.dispute.funds_reinstated";
    public const string RefundCreated = "refund.created";
    public const string RefundUpdated = "refund.updated";
    public const string RefundFailed = "refund.failed";
    public const string ReportRunSucceeded = "reporting.report_run.succeeded";
    public const string ReportRunFailed = "reporting.report_run.failed";
    public const string PayoutCreated = "payout.created";
    public const string PayoutUpdated = "payout.updated";
    public const string PayoutPaid = "payout.paid";
    public const string PayoutFailed = "payout.failed";
    public const string PayoutCanceled = "payout.canceled";
    public const string PayoutReconciliationCompleted = "payout.reconciliation_completed";
}
