using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.ConfirmationTokens;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.ConfirmationTokens;

/// <summary>A ConfirmationToken; <c>payment_method_preview</c> is its payment method without an id, as Stripe shows it.</summary>
public static class ConfirmationTokenJson
{
    public static JsonObject Render(ConfirmationToken t, RenderContext ctx, ExpandNode expand)
    {
        var pm = ctx.Tx.Get<PaymentMethod>(t.PaymentMethod);
        return new JsonObject
        {
            ["id"] = t.Id,
            ["object"] = "confirmation_token",
            ["created"] = t.Created,
            ["expires_at"] = t.ExpiresAt,
            ["livemode"] = false,
            ["mandate_data"] = null,
            ["payment_intent"] = t.PaymentIntent,
            ["payment_method_options"] = null,
            ["payment_method_preview"] = pm is null ? null : new JsonObject
            {
                ["allow_redisplay"] = pm.AllowRedisplay,
                ["billing_details"] = PaymentMethodJson.BillingDetailsJson(pm.BillingDetails),
                ["card"] = PaymentMethodJson.Card(pm.Card),
                ["customer"] = pm.Customer,
                ["customer_account"] = null,
                ["type"] = pm.Type,
            },
            ["return_url"] = t.ReturnUrl,
            ["setup_future_usage"] = t.SetupFutureUsage?.ToWire(),
            ["setup_intent"] = t.SetupIntent,
            ["shipping"] = t.Shipping is { } s
                ? new JsonObject { ["address"] = AddressForm.Render(s.Address), ["name"] = s.Name, ["phone"] = s.Phone }
                : null,
            ["use_stripe_sdk"] = t.UseStripeSdk,
        };
    }
}
