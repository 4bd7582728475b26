using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Files;
using MockProcessor.Domain.Reporting;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Payouts;
using MockProcessor.Domain.Products;
using MockProcessor.Domain.Refunds;
using MockProcessor.Domain.SetupIntents;
using MockProcessor.Domain.TestClocks;
using MockProcessor.Domain.Tokens;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Resources.Accounts;
using MockProcessor.Server.Resources.Balance;
using MockProcessor.Server.Resources.BalanceTransactions;
using MockProcessor.Server.Resources.Charges;
using MockProcessor.Server.Resources.Checkout;
using MockProcessor.Server.Resources.Customers;
using MockProcessor.Server.Resources.Disputes;
using MockProcessor.Server.Resources.Events;
using MockProcessor.Server.Resources.Files;
using MockProcessor.Server.Resources.Reporting;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Payouts;
using MockProcessor.Server.Resources.Prices;
using MockProcessor.Server.Resources.Products;
using MockProcessor.Server.Resources.Refunds;
using MockProcessor.Server.Resources.SetupIntents;
using MockProcessor.Server.Resources.TestClocks;
using MockProcessor.Server.Resources.Tokens;
using MockProcessor.Server.Resources.WebhookEndpoints;
using MockProcessor.Server.Webhooks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources;

/// <summary>The table of contents of the /v1 API: every resource's routes, renderer and stored type.</summary>
public static class Registry
{
    public static IEnumerable<ApiRoute> Routes() =>
        CustomerEndpoints.Routes()
            .Concat(CustomerSourceEndpoints.Routes())
            .Concat(CustomerBalanceTransactionEndpoints.Routes())
            .Concat(TaxIdEndpoints.Routes())
            .Concat(PaymentMethodEndpoints.Routes())
            .Concat(TokenEndpoints.Routes())
            .Concat(ConfirmationTokens.ConfirmationTokenEndpoints.Routes())
            .Concat(PaymentIntentEndpoints.Routes())
            .Concat(SetupIntentEndpoints.Routes())
            .Concat(EventEndpoints.Routes())
            .Concat(ChargeEndpoints.Routes())
            .Concat(RefundEndpoints.Routes())
            .Concat(BalanceEndpoints.Routes())
            .Concat(BalanceTransactionEndpoints.Routes())
            .Concat(DisputeEndpoints.Routes())
            .Concat(PayoutEndpoints.Routes())
            .Concat(WebhookEndpointEndpoints.Routes())
            .Concat(TestClockEndpoints.Routes())
            .Concat(FileEndpoints.Routes())
            .Concat(ReportEndpoints.Routes())
            .Concat(AccountEndpoints.Routes())
            .Concat(Connect.ConnectEndpoints.Routes())
            .Concat(ProductEndpoints.Routes())
            .Concat(PriceEndpoints.Routes())
            .Concat(Plans.PlanEndpoints.Routes())
            .Concat(CheckoutSessionEndpoints.Routes())
            .Concat(Subscriptions.SubscriptionEndpoints.Routes())
            .Concat(Invoices.InvoiceEndpoints.Routes())
            .Concat(Invoices.InvoiceItemEndpoints.Routes())
            .Concat(Invoices.InvoicePaymentEndpoints.Routes())
            .Concat(Coupons.CouponEndpoints.Routes())
            .Concat(BillingPortal.PortalEndpoints.Routes())
            .Concat(TaxRates.TaxRateEndpoints.Routes())
            .Concat(CreditNotes.CreditNoteEndpoints.Routes());

    public static Renderers Renderers() => new Renderers()
        .Add<Customer>(CustomerJson.Render)
        .Add<CardSource>(CardJson.Render)
        .Add<CustomerBalanceTransaction>(CustomerBalanceTransactionEndpoints.Render)
        .Add<TaxId>(TaxIdEndpoints.Render)
        .Add<PaymentMethod>(PaymentMethodJson.Render)
        .Add<Token>(TokenJson.Render)
        .Add<Domain.ConfirmationTokens.ConfirmationToken>(ConfirmationTokens.ConfirmationTokenJson.Render)
        .Add<PaymentIntent>(PaymentIntentJson.Render)
        .Add<SetupIntent>(SetupIntentJson.Render)
        .Add<Event>(EventJson.Render)
        .Add<Charge>(ChargeJson.Render)
        .Add<Refund>(RefundJson.Render)
        .Add<BalanceTransaction>(BalanceTransactionJson.Render)
        .Add<Dispute>(DisputeJson.Render)
        .Add<Payout>(PayoutJson.Render)
        .Add<WebhookEndpoint>(WebhookEndpointJson.Render)
        .Add<WebhookDelivery>(WebhookDeliveryJson.Render)
        .Add<TestClock>(TestClockJson.Render)
        .Add<StripeFile>(FileJson.Render)
        .Add<ReportRun>(ReportRunJson.Render)
        .Add<Account>(AccountJson.Render)
        .Add<Domain.Connect.ApplicationFee>(Connect.ConnectJson.ApplicationFee)
        .Add<Domain.Connect.FeeRefund>(Connect.ConnectJson.FeeRefund)
        .Add<Domain.Connect.Transfer>(Connect.ConnectJson.Transfer)
        .Add<Domain.Connect.TransferReversal>(Connect.ConnectJson.TransferReversal)
        .Add<Product>(ProductJson.Render)
        .Add<Price>(PriceJson.Render)
        .Add<PlanSnapshot>(Plans.PlanJson.RenderSnapshot)
        .Add<CheckoutSession>(CheckoutSessionJson.Render)
        .Add<Domain.Billing.Subscription>(Subscriptions.SubscriptionJson.Render, Subscriptions.SubscriptionJson.PreviousAttributes, Subscriptions.SubscriptionJson.ChangesVisibly)
        .Add<Domain.Billing.SubscriptionItem>(Subscriptions.SubscriptionJson.RenderItem)
        .Add<Domain.Billing.Invoice>(Invoices.InvoiceJson.Render)
        .Add<Domain.Billing.InvoiceItem>(Invoices.InvoiceJson.RenderItem)
        .Add<Domain.Billing.InvoicePayment>(Invoices.InvoicePaymentEndpoints.Render)
        .Add<Domain.Billing.Coupon>(Coupons.CouponJson.Render)
        .Add<Domain.Billing.PromotionCode>(Coupons.CouponJson.RenderPromotionCode)
        .Add<Domain.Billing.PortalConfiguration>(BillingPortal.PortalJson.Configuration)
        .Add<Domain.Billing.PortalSession>(BillingPortal.PortalJson.Session)
        .Add<Domain.Billing.Discount>(Discounts.Discounting.Render)
        .Add<Domain.Billing.TaxRate>(TaxRates.TaxRateEndpoints.Render)
        .Add<Domain.Billing.CreditNote>(CreditNotes.CreditNoteJson.Render);

    public static readonly IReadOnlyDictionary<string, Type> PersistedTypes = new Dictionary<string, Type>
    {
        ["account"] = typeof(Account),
        ["customer"] = typeof(Customer),
        ["card"] = typeof(CardSource),
        ["customer_balance_transaction"] = typeof(CustomerBalanceTransaction),
        ["tax_id"] = typeof(TaxId),
        ["payment_method"] = typeof(PaymentMethod),
        ["token"] = typeof(Token),
        ["confirmation_token"] = typeof(Domain.ConfirmationTokens.ConfirmationToken),
        ["event"] = typeof(Event),
        ["payment_intent"] = typeof(PaymentIntent),
        ["setup_intent"] = typeof(SetupIntent),
        ["charge"] = typeof(Charge),
        ["refund"] = typeof(Refund),
        ["balance_transaction"] = typeof(BalanceTransaction),
        ["dispute"] = typeof(Dispute),
        ["payout"] = typeof(Payout),
        ["mock.discrepancy"] = typeof(Discrepancy),
        ["webhook_endpoint"] = typeof(WebhookEndpoint),
        ["webhook_delivery"] = typeof(WebhookDelivery),
        ["test_helpers.test_clock"] = typeof(TestClock),
        ["file"] = typeof(StripeFile),
        ["reporting.report_run"] = typeof(ReportRun),
        ["api_key"] = typeof(ApiKeyRecord),
        ["account_link"] = typeof(AccountLink),
        ["application_fee"] = typeof(Domain.Connect.ApplicationFee),
        ["fee_refund"] = typeof(Domain.Connect.FeeRefund),
        ["transfer"] = typeof(Domain.Connect.Transfer),
        ["transfer_reversal"] = typeof(Domain.Connect.TransferReversal),
        ["product"] = typeof(Product),
        ["price"] = typeof(Price),
        ["plan"] = typeof(PlanSnapshot),
        ["checkout.session"] = typeof(CheckoutSession),
        ["subscription"] = typeof(Domain.Billing.Subscription),
        ["subscription_item"] = typeof(Domain.Billing.SubscriptionItem),
        ["invoice"] = typeof(Domain.Billing.Invoice),
        ["invoiceitem"] = typeof(Domain.Billing.InvoiceItem),
        ["invoice_payment"] = typeof(Domain.Billing.InvoicePayment),
        ["coupon"] = typeof(Domain.Billing.Coupon),
        ["promotion_code"] = typeof(Domain.Billing.PromotionCode),
        ["billing_portal.configuration"] = typeof(Domain.Billing.PortalConfiguration),
        ["billing_portal.session"] = typeof(Domain.Billing.PortalSession),
        ["discount"] = typeof(Domain.Billing.Discount),
        ["tax_rate"] = typeof(Domain.Billing.TaxRate),
        ["credit_note"] = typeof(Domain.Billing.CreditNote),
    };

    /// <summary>
    /// Secondary indexes, declared by each resource beside its timers and maintained by the store (docs/storage.md):
    /// list filters and cursors, and lookups like "the refunds of this charge", read them instead of scanning.
    /// </summary>
    public static IEnumerable<Storage.SecondaryIndex> Indexes() =>
    [
        PaymentIntentEndpoints.ByCustomer,
        ChargeEndpoints.ByPaymentIntent,
        ChargeEndpoints.ByCustomer,
        RefundEndpoints.ByCharge,
        RefundEndpoints.ByPaymentIntent,
        DisputeEndpoints.ByCharge,
        DisputeEndpoints.ByPaymentIntent,
        PaymentMethodEndpoints.ByCustomer,
        CustomerEndpoints.ByTestClock,
        CustomerSourceEndpoints.ByCustomer,
        CustomerBalanceTransactionEndpoints.ByCustomer,
        TaxIdEndpoints.ByCustomer,
        EventEndpoints.ByType,
        EventEndpoints.ByObject,
        BalanceTransactionEndpoints.BySource,
        PayoutLedger.BySettlingPayout,
        PayoutLedger.UnsweptByCurrency,
        CheckoutSessionEndpoints.ByPaymentIntent,
        CheckoutSessionEndpoints.BySetupIntent,
        CheckoutSessionEndpoints.ByCustomer,
        PriceEndpoints.ByLookupKey,
        PriceEndpoints.ByProduct,
        Subscriptions.SubscriptionEndpoints.ByCustomer,
        Subscriptions.SubscriptionEndpoints.ByStatus,
        Subscriptions.SubscriptionEndpoints.ItemsByPrice,
        Invoices.InvoiceEndpoints.ByCustomer,
        Invoices.InvoiceEndpoints.BySubscription,
        Invoices.InvoiceEndpoints.ByPaymentIntent,
        Invoices.InvoiceItemEndpoints.ByCustomer,
        Invoices.InvoiceItemEndpoints.PendingByCustomer,
        Invoices.InvoiceItemEndpoints.ByInvoice,
        CreditNotes.CreditNoteEndpoints.ByInvoice,
        CreditNotes.CreditNoteEndpoints.ByCustomer,
        Invoices.InvoicePaymentEndpoints.ByInvoice,
        Invoices.InvoicePaymentEndpoints.ByPaymentIntent,
        .. Connect.ConnectEndpoints.Indexes,
        .. WebhookIndexes.All,
    ];

    /// <summary>Store-wide lookups for callers that have no merchant yet.</summary>
    public static IEnumerable<Storage.LookupIndex> Lookups() => [.. Auth.KeyLookups.All, PaymentIntentEndpoints.AwaitingAction, SetupIntentEndpoints.AwaitingAction, CheckoutSessionEndpoints.ById, Invoices.InvoiceEndpoints.ById,
        BillingPortal.PortalEndpoints.SessionsById];

    /// <summary>Everything the store is told about the resources: stored types, indexes, lookups, observers.</summary>
    public static Storage.StoreSchema Schema(WebhookDueQueue dueQueue, EventFeed feed) => new(PersistedTypes, Indexes(), Lookups(), [dueQueue, feed], Totals());

    /// <summary>Running totals the store keeps (docs/storage.md, "Running totals").</summary>
    public static IEnumerable<Storage.TotalIndex> Totals() => [Balance.BalanceEndpoints.Funds];

    /// <summary>Time-driven work, any number per kind of object (see Time/Timers.cs).</summary>
    public static IEnumerable<Time.IObjectTimer> Timers() =>
    [
        new AuthorizationExpiryTimer(),
        new NetworkSettlementTimer(),
        new RefundSettlementTimer(),
        new Disputes.DisputeDeadlineTimer(),
        new AutomaticPayoutTimer(),
        new PayoutTimer(),
        new CheckoutExpiryTimer(),
        new Billing.SubscriptionTimer(),
        new Billing.InvoiceTimer(),
        new TaxIdVerificationTimer(),
    ];

    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton(_ => new TestCards(TestCardCatalogue.Default));
        services.AddSingleton<Storage.FileStorage>();
        services.AddSingleton<ReportRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportRunner>());
    }
}
