using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Stripe;

namespace OrderService;

public static class OrderStatus
{
    /// <summary>Charged as far as the API answer says; waiting for payment_intent.succeeded to call it paid.</summary>
    public const string Pending = "pending";
    /// <summary>The customer must authenticate (3-D Secure) before the payment can complete.</summary>
    public const string RequiresAction = "requires_action";
    public const string Paid = "paid";
    public const string Failed = "failed";
}

public sealed record Order(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("payment_intent")] string? PaymentIntent,
    [property: JsonPropertyName("decline_code")] string? DeclineCode,
    [property: JsonPropertyName("last_event")] string? LastEvent);

public sealed record CreateOrder(
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("payment_method")] string? PaymentMethod);

/// <summary>Orders in memory (a sample: a real service keeps them in its database).</summary>
public sealed class OrderStore
{
    private readonly ConcurrentDictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private int _next;

    public Order Create(long amount, string currency)
    {
        var order = new Order($"ord_{Interlocked.Increment(ref _next)}", amount, currency, OrderStatus.Pending, null, null, null);
        _orders[order.Id] = order;
        return order;
    }

    public Order? Find(string id) => _orders.GetValueOrDefault(id);

    public Order? FindByPaymentIntent(string paymentIntent) => _orders.Values.FirstOrDefault(o => o.PaymentIntent == paymentIntent);

    public Order Update(string id, Func<Order, Order> change) => _orders.AddOrUpdate(id, _ => throw new KeyNotFoundException(id), (_, o) => change(o));
}

public static class OrderEndpoints
{
    public static void MapOrders(this WebApplication app)
    {
        app.MapPost("/orders", async (CreateOrder request, OrderStore orders, StripeClient stripe, CancellationToken ct) =>
        {
            if (request.Amount <= 0 || string.IsNullOrWhiteSpace(request.Currency) || string.IsNullOrWhiteSpace(request.PaymentMethod))
                return Results.BadRequest(new { error = "amount (> 0), currency and payment_method are required" });
            var order = orders.Create(request.Amount, request.Currency.ToLowerInvariant());
            try
            {
                var pi = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
                {
                    Amount = request.Amount,
                    Currency = order.Currency,
                    PaymentMethod = request.PaymentMethod,
                    Confirm = true,
                    // Stripe.net 53 has no PaymentMethodTypes: allowed_payment_method_types is the card-only switch.
                    AllowedPaymentMethodTypes = ["card"],
                    Metadata = new Dictionary<string, string> { ["order_id"] = order.Id },
                }, new RequestOptions { IdempotencyKey = $"order-{order.Id}" }, ct);
                // Paid only when the webhook says so: the API answer can be lost, the event is delivered until acknowledged.
                var status = pi.Status == "requires_action" ? OrderStatus.RequiresAction : OrderStatus.Pending;
                order = orders.Update(order.Id, o => o with { PaymentIntent = pi.Id, Status = o.Status == OrderStatus.Paid ? o.Status : status });
                return Results.Ok(order);
            }
            catch (StripeException ex) when (ex.StripeError?.Type == "card_error")
            {
                order = orders.Update(order.Id, o => o with
                {
                    Status = OrderStatus.Failed, PaymentIntent = ex.StripeError.PaymentIntent?.Id ?? o.PaymentIntent,
                    DeclineCode = ex.StripeError.DeclineCode ?? ex.StripeError.Code,
                });
                return Results.Json(order, statusCode: StatusCodes.Status402PaymentRequired);
            }
        });

        app.MapGet("/orders/{id}", (string id, OrderStore orders) => orders.Find(id) is { } order ? Results.Ok(order) : Results.NotFound());
    }
}
