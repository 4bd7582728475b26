namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// <c>invoice_payment</c> objects through Stripe.net 53 (docs/billing.md, "Invoice payments"): a subscription's first
/// invoice paid by card has one paid invoice payment, found by invoice and by PaymentIntent, and listed on the invoice
/// with <c>expand[]=payments</c>; <c>invoice_payment.paid</c> is announced.
/// </summary>
public sealed class InvoicePaymentTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task A_paid_subscription_invoice_has_one_paid_invoice_payment()
    {
        var price = await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = 2100, ProductData = new PriceProductDataOptions { Name = "Inpay plan" },
            Recurring = new PriceRecurringOptions { Interval = "month" },
        });
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "inpay@example.com" });
        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], DefaultPaymentMethod = pm.Id,
        });
        sub.Status.Should().Be("active");

        var list = await Client.V1.InvoicePayments.ListAsync(new InvoicePaymentListOptions { Invoice = sub.LatestInvoiceId });
        var payment = list.Data.Should().ContainSingle().Subject;
        payment.Id.Should().StartWith("inpay_");
        (payment.Status, payment.AmountPaid, payment.AmountRequested, payment.IsDefault, payment.InvoiceId)
            .Should().Be(("paid", 2100L, 2100L, true, sub.LatestInvoiceId));
        payment.Payment.Type.Should().Be("payment_intent");
        payment.StatusTransitions.PaidAt.Should().NotBeNull();

        var byIntent = await Client.V1.InvoicePayments.ListAsync(new InvoicePaymentListOptions
        {
            Payment = new InvoicePaymentPaymentOptions { Type = "payment_intent", PaymentIntent = payment.Payment.PaymentIntentId },
        });
        byIntent.Data.Select(p => p.Id).Should().Equal(payment.Id);
        var retrieved = await Client.V1.InvoicePayments.GetAsync(payment.Id);
        retrieved.Payment.PaymentIntentId.Should().Be(payment.Payment.PaymentIntentId);

        var invoice = await Client.V1.Invoices.GetAsync(sub.LatestInvoiceId, new InvoiceGetOptions { Expand = ["payments"] });
        invoice.Payments.Data.Select(p => p.Id).Should().Equal(payment.Id);
        var events = await Client.V1.Events.ListAsync(new EventListOptions { Type = "invoice_payment.paid" });
        ((InvoicePayment)events.Data.Should().ContainSingle().Subject.Data.Object).Id.Should().Be(payment.Id);
    }
}
