using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Products;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.SetupIntents;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Resources.SetupIntents;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Resources.Subscriptions;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Checkout;

/// <summary>
/// What happens when a customer pays a session, shared by the hosted page and the control call (docs/checkout.md):
/// the session's PaymentIntent is created on the first attempt from <c>payment_intent_data</c> and confirmed on the card
/// network; a decline leaves the session open with the PaymentIntent's failure; 3-D Secure goes through the
/// authentication page and comes back here (<see cref="AfterAuthentication"/>); success completes the session.
/// </summary>
public static class CheckoutFlow
{
    /// <summary>The outcome of one attempt: the session as it now is, and either an error or the 3-D Secure page to visit.</summary>
    public sealed record Attempt(CheckoutSession Session, StripeError? Error, string? AuthenticateAt);

    public static Attempt Pay(ApiContext c, CheckoutSession s, PaymentMethod pm)
    {
        if (!CheckoutSessionRules.Allows(s.Status, CheckoutSessionRules.Trigger.Pay) || c.Now >= s.ExpiresAt)
            throw new StripeException(NotPayable(s, c.Now));
        return s.Mode switch
        {
            CheckoutMode.Payment => PayPayment(c, s, pm),
            CheckoutMode.Subscription => PaySubscription(c, s, pm),
            _ => PaySetup(c, s, pm),
        };
    }

    /// <summary>
    /// Subscription mode (Stripe since basil: the subscription exists only once its first invoice is paid). The customer
    /// (made from the form when the session has none) gets the card attached, then the subscription is created with the
    /// card as its default payment method through the same code as <c>POST /v1/subscriptions</c>, its first invoice
    /// paid (or the trial's $0 invoice). A decline throws, so the caller's unit of work (customer, subscription,
    /// invoice, failed charge) is discarded and the session stays open. A card that needs 3-D Secure leaves the
    /// subscription <c>incomplete</c> with its invoice's PaymentIntent in <c>requires_action</c>, recorded on the session
    /// until the authentication pays the invoice and completes it (<see cref="AfterAuthentication(ApiContext, PaymentIntent)"/>).
    /// </summary>
    private static Attempt PaySubscription(ApiContext c, CheckoutSession s, PaymentMethod pm)
    {
        var (customer, details) = CustomerFor(c, s, pm);
        pm = AttachTo(c, pm, customer.Id);
        var bc = c.AtTime(Billing.BillingClock.Now(c, customer.Id));
        Subscription sub;
        if (s.Subscription is { } pending && bc.Tx.Get<Subscription>(pending) is { Status: SubscriptionStatus.Incomplete } waiting
            && bc.Tx.Get<Invoice>(waiting.LatestInvoice ?? "") is { Status: InvoiceStatus.Open } openInvoice)
        {
            // A retry after a failed 3-D Secure challenge: pay the waiting first invoice with the new card.
            var payment = Billing.BillingEngine.Attempt(bc, openInvoice, pm.Id, automatic: false);
            if (payment.Error is { Code: not "invoice_payment_intent_requires_action" } declined) throw new StripeException(declined);
            sub = bc.Tx.Get<Subscription>(pending)!;
        }
        else
        {
            var subId = bc.Ids.Next("sub");
            var items = new List<SubscriptionItem>();
            var oneTime = new List<(Price, long)>();
            Price? first = null;
            foreach (var line in s.LineItems)
            {
                var price = bc.Tx.Get<Price>(line.Price)!;
                if (price.Recurring is null) { oneTime.Add((price, line.Quantity)); continue; }
                first ??= price;
                items.Add(new SubscriptionItem
                {
                    Id = bc.Ids.Next("si", 14), AccountId = bc.Account.Id, Created = bc.Now, Subscription = subId, Price = price.Id,
                    Quantity = line.Quantity, Metadata = line.Metadata ?? Metadata.Empty,
                });
            }
            var data = s.SubscriptionData ?? new CheckoutSubscriptionData();
            long? trialEnd = data.TrialPeriodDays is > 0 ? bc.Now + data.TrialPeriodDays.Value * 86_400 : null;
            // error_if_incomplete: a decline throws and nothing is kept; a 3-D Secure card is not an error here
            // (allow_incomplete), so the subscription waits as incomplete for the challenge.
            try
            {
                // The session's discount goes onto the subscription (docs/discounts.md, "Checkout").
                foreach (var id in s.Discounts)
                    if (bc.Tx.Get<Discount>(id) is { } di) bc.Tx.Put(di with { Subscription = subId, Customer = customer.Id, Start = bc.Now, End = di.End is null ? null : DiscountRules.End(bc.Tx.Get<Coupon>(di.Coupon)!, bc.Now) });
                sub = SubscriptionEndpoints.Start(bc, customer, new SubscriptionEndpoints.NewSubscription(subId, items, first!, trialEnd, pm.Id,
                    CollectionMethod.ChargeAutomatically, null, PaymentBehavior.ErrorIfIncomplete)
                {
                    Description = data.Description, Metadata = data.Metadata, OneTime = oneTime, Discounts = [.. s.Discounts],
                });
            }
            catch (StripeException ex) when (ex.Error.Code == "invoice_payment_intent_requires_action")
            {
                sub = bc.Tx.Get<Subscription>(subId)!;
            }
        }
        var invoice = bc.Tx.Get<Invoice>(sub.LatestInvoice!)!;
        s = s with { Subscription = sub.Id, Invoice = invoice.Id, Customer = customer.Id, CustomerDetails = details };
        if (sub.Status is SubscriptionStatus.Incomplete && invoice.PaymentIntent is { } piId
            && bc.Tx.Get<PaymentIntent>(piId) is { Status: PaymentIntentStatus.RequiresAction } pi)
        {
            // Back to this session's page after the challenge.
            var withReturn = pi with { NextAction = pi.NextAction is { } na ? na with { ReturnUrl = ReturnUrl(s) } : null, ReturnUrl = ReturnUrl(s) };
            c.Tx.Put(withReturn);
            s = s with { PaymentIntent = pi.Id };
            c.Tx.Put(s);
            return new Attempt(s, null, ThreeDSecureFlow.PageUrl(withReturn));
        }
        return new Attempt(CompleteSubscription(c, s), null, null);
    }

    private static CheckoutSession CompleteSubscription(ApiContext c, CheckoutSession s)
    {
        var completed = CheckoutSessionRules.Complete(s, null, null, s.Customer, s.CustomerDetails ?? new CheckoutCustomerDetails(null, null)).OrThrow();
        c.Tx.Put(completed);
        c.Emit("checkout.session.completed", completed);
        return completed;
    }

    /// <summary>The session's customer, or a new one from what the customer typed (<c>customer.created</c>).</summary>
    private static (Customer Customer, CheckoutCustomerDetails Details) CustomerFor(ApiContext c, CheckoutSession s, PaymentMethod pm)
    {
        var email = pm.BillingDetails.Email ?? s.CustomerDetails?.Email;
        var name = pm.BillingDetails.Name ?? s.CustomerDetails?.Name;
        if (s.Customer is { } id && c.Tx.Get<Customer>(id) is { } existing) return (existing, new CheckoutCustomerDetails(existing.Email ?? email, existing.Name ?? name));
        var created = new Customer
        {
            Id = c.Ids.Next("cus", 14), AccountId = c.Account.Id, Created = c.Now, Email = email, Name = name,
            InvoicePrefix = c.Ids.Chars(8).ToUpperInvariant(),
            NextInvoiceSequence = 1,
        };
        c.Tx.Put(created);
        c.Emit("customer.created", created);
        return (created, new CheckoutCustomerDetails(email, name));
    }

    internal static PaymentMethod AttachTo(ApiContext c, PaymentMethod pm, string customer)
    {
        if (c.Tx.Get<PaymentMethod>(pm.Id) is not { Customer: null } current) return c.Tx.Get<PaymentMethod>(pm.Id) ?? pm;
        var attached = current with { Customer = customer };
        c.Tx.Put(attached);
        c.Emit("payment_method.attached", attached);
        return attached;
    }

    /// <summary>Setup mode: the session's SetupIntent (created at the first attempt) verifies and saves the card.</summary>
    private static Attempt PaySetup(ApiContext c, CheckoutSession s, PaymentMethod pm)
    {
        var si = s.SetupIntent is { } existing ? c.Load<SetupIntent>(existing, "setup_intent") : null;
        if (si is null)
        {
            var d = s.SetupIntentData ?? new CheckoutSetupIntentData();
            si = SetupIntentEndpoints.CreateFor(c, new CreateSetupIntent
            {
                Customer = s.Customer, Description = d.Description, Metadata = d.Metadata, PaymentMethodTypes = s.PaymentMethodTypes,
            });
            s = s with { SetupIntent = si.Id };
            c.Tx.Put(s);
        }
        var change = SetupIntentEndpoints.ConfirmAttempt(c, si, pm, new SetupConfirmOptions { ReturnUrl = ReturnUrl(s) });
        if (change.Error is { } error) return new Attempt(s, error, null);
        if (change.SetupIntent.Status == SetupIntentStatus.RequiresAction)
            return new Attempt(s, null, ThreeDSecureFlow.PageUrl(change.SetupIntent));
        return new Attempt(CompleteSetup(c, s, change.SetupIntent, pm), null, null);
    }

    /// <summary>A setup-mode session completes like a payment one; a customer it created becomes its SetupIntent's too.</summary>
    private static CheckoutSession CompleteSetup(ApiContext c, CheckoutSession s, SetupIntent si, PaymentMethod pm)
    {
        var done = Complete(c, s, null, pm, si.Id);
        if (done.Customer is { } customer && si.Customer is null) c.Tx.Put(si with { Customer = customer });
        return done;
    }

    /// <summary>After the 3-D Secure page (or its control call) ran a setup-mode session's SetupIntent.</summary>
    public static void AfterAuthentication(ApiContext c, SetupIntent si)
    {
        if (si.Status is not SetupIntentStatus.Succeeded) return;
        foreach (var s in c.Tx.Find(CheckoutSessionEndpoints.BySetupIntent, si.Id).ToList())
            if (s.Status == CheckoutStatus.Open && si.PaymentMethod is { } pmId && c.Tx.Get<PaymentMethod>(pmId) is { } pm)
                CompleteSetup(c, s, si, pm);
    }

    private static Attempt PayPayment(ApiContext c, CheckoutSession s, PaymentMethod pm)
    {
        var pi = s.PaymentIntent is { } existing ? c.Load<PaymentIntent>(existing, "payment_intent") : null;
        if (pi is null)
        {
            var d = s.PaymentIntentData ?? new CheckoutPaymentIntentData();
            var created = PaymentIntentRules.Create(new CreatePaymentIntent(s.AmountTotal ?? 0, s.Currency!)
            {
                CaptureMethod = d.CaptureMethod ?? CaptureMethod.AutomaticAsync,
                Customer = s.Customer,
                Description = d.Description,
                Metadata = d.Metadata,
                ReceiptEmail = d.ReceiptEmail,
                SetupFutureUsage = d.SetupFutureUsage,
                StatementDescriptor = d.StatementDescriptor,
                StatementDescriptorSuffix = d.StatementDescriptorSuffix,
                PaymentMethodTypes = s.PaymentMethodTypes,
            }, c.Account.Id, c.Now, c.Ids);
            if (created.IsError) throw new StripeException(created.Error!);
            Changes.Apply(c, created.Value);
            pi = created.Value.PaymentIntent;
            s = s with { PaymentIntent = pi.Id };
            c.Tx.Put(s);
        }
        var change = PaymentIntentEndpoints.ConfirmAttempt(c, pi, pm, new ConfirmOptions { ReturnUrl = ReturnUrl(s) });
        if (change.Error is { } error) return new Attempt(s, error, null);
        if (change.PaymentIntent.Status == PaymentIntentStatus.RequiresAction)
            return new Attempt(s, null, ThreeDSecureFlow.PageUrl(change.PaymentIntent));
        return new Attempt(Complete(c, s, change.PaymentIntent, pm), null, null);
    }

    /// <summary>
    /// After the 3-D Secure page (or its control call) ran a session's PaymentIntent: a payment that went through completes
    /// the session, as the customer returning to Checkout would.
    /// </summary>
    public static void AfterAuthentication(ApiContext c, PaymentIntent pi)
    {
        if (pi.Status is not (PaymentIntentStatus.Succeeded or PaymentIntentStatus.RequiresCapture or PaymentIntentStatus.Processing)) return;
        foreach (var s in c.Tx.Find(CheckoutSessionEndpoints.ByPaymentIntent, pi.Id).ToList())
        {
            if (s.Status != CheckoutStatus.Open) continue;
            if (s.Mode == CheckoutMode.Subscription)
            {
                // The invoice is paid first (the subscription turns active), then the session completes.
                Billing.BillingEngine.AfterAuthentication(c, pi);
                if (s.Invoice is { } inv && c.Tx.Get<Invoice>(inv) is { Status: InvoiceStatus.Paid }) CompleteSubscription(c, s);
            }
            else if (pi.PaymentMethod is { } pmId && c.Tx.Get<PaymentMethod>(pmId) is { } pm)
                Complete(c, s, pi, pm);
        }
    }

    /// <summary>
    /// The session paid: a customer created when <c>customer_creation=always</c> or the card is to be saved, the card
    /// attached for <c>setup_future_usage</c>, the session complete and <c>checkout.session.completed</c>.
    /// </summary>
    internal static CheckoutSession Complete(ApiContext c, CheckoutSession s, PaymentIntent? pi, PaymentMethod pm, string? setupIntent = null)
    {
        var email = pm.BillingDetails.Email ?? s.CustomerDetails?.Email;
        var name = pm.BillingDetails.Name ?? s.CustomerDetails?.Name;
        var customer = s.Customer;
        var saveCard = s.PaymentIntentData?.SetupFutureUsage is not null || s.Mode == CheckoutMode.Setup;
        if (customer is null && (s.CustomerCreation == CustomerCreation.Always || saveCard))
        {
            var created = new Customer
            {
                Id = c.Ids.Next("cus", 14), AccountId = c.Account.Id, Created = c.Now, Email = email, Name = name,
                InvoicePrefix = c.Ids.Chars(8).ToUpperInvariant(),
                NextInvoiceSequence = 1,
            };
            c.Tx.Put(created);
            c.Emit("customer.created", created);
            customer = created.Id;
            if (pi is not null && pi.Customer is null) c.Tx.Put(pi = pi with { Customer = customer });
        }
        if (saveCard && customer is not null && c.Tx.Get<PaymentMethod>(pm.Id) is { Customer: null } current)
        {
            var attached = current with { Customer = customer };
            c.Tx.Put(attached);
            c.Emit("payment_method.attached", attached);
        }
        var completed = CheckoutSessionRules.Complete(s, pi?.Id, setupIntent, customer, new CheckoutCustomerDetails(email, name)).OrThrow();
        c.Tx.Put(completed);
        c.Emit("checkout.session.completed", completed);
        return completed;
    }

    /// <summary>
    /// Expires an open session (<c>POST /expire</c> or its <c>expires_at</c> passing): a PaymentIntent left by a declined
    /// attempt is canceled, then <c>checkout.session.expired</c>.
    /// </summary>
    public static CheckoutSession Expire(ApiContext c, CheckoutSession s)
    {
        var expired = CheckoutSessionRules.Expire(s).OrThrow();
        if (s.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { } pi
            && PaymentIntentRules.Guard(pi, PaymentIntentAction.Cancel) is null && pi.Status != PaymentIntentStatus.RequiresCapture)
        {
            var charge = pi.LatestCharge is null ? null : c.Tx.Get<Charge>(pi.LatestCharge);
            var canceled = PaymentIntentRules.Cancel(pi, charge, null, c.Now, c.Ids);
            if (!canceled.IsError) Changes.Apply(c, canceled.Value);
        }
        c.Tx.Put(expired);
        c.Emit("checkout.session.expired", expired);
        return expired;
    }

    /// <summary>Where 3-D Secure sends the customer back to: the session's own page, which then shows the outcome.</summary>
    internal static string ReturnUrl(CheckoutSession s) => $"{s.PageBaseUrl}{CheckoutPage.PathPrefix}{s.Id}";

    /// <summary>The customer's success_url with <c>{CHECKOUT_SESSION_ID}</c> filled in (only the literal braces, as Stripe).</summary>
    public static string SuccessUrl(CheckoutSession s) =>
        (s.SuccessUrl ?? "").Replace(CheckoutPage.SessionIdTemplate, s.Id, StringComparison.Ordinal);

    public static StripeError NotPayable(CheckoutSession s, long now) =>
        s.Status == CheckoutStatus.Open && now >= s.ExpiresAt
            ? StripeError.InvalidValue("id", $"Checkout Session {s.Id} has expired (its expires_at has passed); create a new session.")
            : StripeError.InvalidValue("id", $"Checkout Session {s.Id} is {s.Status.ToWire()}; only an open session can be paid.");
}
