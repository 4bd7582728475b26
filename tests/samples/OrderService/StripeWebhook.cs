using Microsoft.Extensions.Options;
using Stripe;

namespace OrderService;

public static class StripeWebhook
{
    /// <summary>
    /// POST /webhooks/stripe: verifies Stripe-Signature with the endpoint secret (and the event's API version) before
    /// trusting a byte of the body; 400 otherwise, so a forged or altered event changes nothing.
    /// </summary>
    public static void MapStripeWebhook(this WebApplication app)
    {
        app.MapPost("/webhooks/stripe", async (HttpRequest request, OrderStore orders, IOptions<StripeSettings> settings, ILogger<OrderStore> log) =>
        {
            using var reader = new StreamReader(request.Body);
            var json = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            Event stripeEvent;
            try
            {
                stripeEvent = EventUtility.ConstructEvent(json, request.Headers["Stripe-Signature"].ToString(), settings.Value.WebhookSecret);
            }
            catch (StripeException ex)
            {
                log.LogWarning("Rejected a webhook: {Reason}", ex.Message);
                return Results.BadRequest(new { error = "invalid signature" });
            }

            if (stripeEvent.Data.Object is not PaymentIntent pi) return Results.Ok(new { received = true });
            var order = pi.Metadata.TryGetValue("order_id", out var orderId) ? orders.Find(orderId) : orders.FindByPaymentIntent(pi.Id);
            if (order is null) return Results.Ok(new { received = true }); // not one of ours (another service's payment)

            switch (stripeEvent.Type)
            {
                case EventTypes.PaymentIntentSucceeded:
                    orders.Update(order.Id, o => o with { Status = OrderStatus.Paid, PaymentIntent = pi.Id, LastEvent = stripeEvent.Type });
                    break;
                case EventTypes.PaymentIntentPaymentFailed:
                    // A late failure never undoes a payment already recorded as paid.
                    orders.Update(order.Id, o => o.Status == OrderStatus.Paid ? o : o with
                    {
                        Status = OrderStatus.Failed, PaymentIntent = pi.Id, LastEvent = stripeEvent.Type,
                        DeclineCode = pi.LastPaymentError?.DeclineCode ?? pi.LastPaymentError?.Code ?? o.DeclineCode,
                    });
                    break;
            }
            return Results.Ok(new { received = true });
        });
    }
}
