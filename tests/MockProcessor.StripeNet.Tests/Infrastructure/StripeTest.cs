using System.Net;
using FluentAssertions;
using Stripe;

namespace MockProcessor.StripeNet.Tests.Infrastructure;

/// <summary>
/// Base of every test class: xunit makes one instance per test, so each test gets a fresh merchant
/// (its own <c>sk_test_</c> key) and shares nothing with any other test.
/// </summary>
[Collection(EmulatorCollection.Name)]
public abstract class StripeTest
{
    protected StripeTest(EmulatorTarget target)
    {
        Target = target;
        Merchant = target.NewMerchant();
        Client = Merchant.Client;
    }

    protected EmulatorTarget Target { get; }
    protected Merchant Merchant { get; }
    protected StripeClient Client { get; }

    /// <summary>Card-only, as Stripe.net 53 spells it (it has no <c>PaymentMethodTypes</c>).</summary>
    protected static List<string> CardOnly => ["card"];

    protected const long Day = 86_400;

    /// <summary>A test clock frozen at <paramref name="start"/> and a customer on it paying by default with <paramref name="card"/>.</summary>
    protected async Task<(Stripe.TestHelpers.TestClock Clock, Customer Customer, PaymentMethod Card)> ClockCustomerAsync(
        string email, DateTime start, string card = "pm_card_visa")
    {
        var clock = await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = start });
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email, TestClock = clock.Id });
        var pm = await Client.V1.PaymentMethods.AttachAsync(card, new PaymentMethodAttachOptions { Customer = customer.Id });
        customer = await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = pm.Id },
        });
        return (clock, customer, pm);
    }

    /// <summary>A card-only PaymentIntent created and confirmed in one call.</summary>
    protected Task<PaymentIntent> PayAsync(long amount = 2000, string paymentMethod = "pm_card_visa",
        Action<PaymentIntentCreateOptions>? configure = null, RequestOptions? requestOptions = null, StripeClient? client = null)
    {
        var options = new PaymentIntentCreateOptions
        {
            Amount = amount,
            Currency = "usd",
            AllowedPaymentMethodTypes = CardOnly,
            PaymentMethod = paymentMethod,
            Confirm = true,
        };
        configure?.Invoke(options);
        return (client ?? Client).V1.PaymentIntents.CreateAsync(options, requestOptions);
    }

    /// <summary>
    /// Awaits a call that must fail with a Stripe error; checks the HTTP status, the error's type and, when given,
    /// code, decline code and param, and that the answer carried a Request-Id. Returns the exception.
    /// </summary>
    protected static async Task<StripeException> ExpectStripeErrorAsync(Func<Task> call, HttpStatusCode status, string type,
        string? code = null, string? declineCode = null, string? param = null)
    {
        StripeException? caught = null;
        try
        {
            await call();
        }
        catch (StripeException e)
        {
            caught = e;
        }
        caught.Should().NotBeNull("the call should fail with a StripeException");
        var e2 = caught!;
        e2.HttpStatusCode.Should().Be(status, e2.Message);
        e2.StripeError.Should().NotBeNull();
        e2.StripeError.Type.Should().Be(type, e2.Message);
        if (code is not null) e2.StripeError.Code.Should().Be(code, e2.Message);
        if (declineCode is not null) e2.StripeError.DeclineCode.Should().Be(declineCode, e2.Message);
        if (param is not null) e2.StripeError.Param.Should().Be(param, e2.Message);
        e2.StripeError.Message.Should().NotBeNullOrEmpty();
        e2.StripeResponse?.RequestId.Should().StartWith("req_");
        return e2;
    }

    protected static string NextYear => (DateTime.UtcNow.Year + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A tag unique to this test, for filtering lists when the account is shared (real Stripe).</summary>
    protected string Tag { get; } = "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Retries <paramref name="check"/> until it passes: once against the emulator (search is immediate there), for up
    /// to 90 s against real Stripe, whose search index lags.
    /// </summary>
    protected static async Task EventuallyAsync(Func<Task> check)
    {
        var deadline = DateTime.UtcNow.AddSeconds(EmulatorTarget.IsRealStripe ? 90 : 0);
        while (true)
        {
            try
            {
                await check();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(2000);
            }
        }
    }

    /// <summary>Balance (available + pending, USD) equals Σ net of every balance transaction; returns it.</summary>
    protected async Task<long> BalanceMatchesNetsAsync(StripeClient? client = null, RequestOptions? options = null)
    {
        var c = client ?? Client;
        var balance = await c.V1.Balance.GetAsync(null, options);
        var total = balance.Available.Concat(balance.Pending).Where(b => b.Currency == "usd").Sum(b => b.Amount);
        var txns = await AllAsync(c.V1.BalanceTransactions.ListAutoPagingAsync(new BalanceTransactionListOptions { Limit = 100 }, options));
        total.Should().Be(txns.Sum(t => t.Net), "the balance is the sum of the balance transactions' nets");
        return total;
    }

    /// <summary>True when the response carried <c>Idempotent-Replayed: true</c>.</summary>
    protected static bool Replayed(IStripeEntity entity) =>
        entity.StripeResponse.Headers.TryGetValues("Idempotent-Replayed", out var v) && v.FirstOrDefault() == "true";

    /// <summary>Reads every page of an auto-paging sequence.</summary>
    protected static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }
}
