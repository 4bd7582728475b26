using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.SetupIntents;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.SetupIntents;

/// <summary>SetupIntent → the current API's shape (fixtures3 <c>setup_intent</c>, stripe-node's SetupIntent type).</summary>
public static class SetupIntentJson
{
    public static JsonObject Render(SetupIntent si, RenderContext ctx, ExpandNode expand)
    {
        var o = new JsonObject
        {
            ["id"] = si.Id,
            ["object"] = "setup_intent",
            ["allowed_payment_method_types"] = Strings(si.AllowedPaymentMethodTypes),
            ["application"] = null,
        };
        if (si.AttachToSelf is { } self) o["attach_to_self"] = self;
        o["automatic_payment_methods"] = si.AutomaticPaymentMethods is { } apm
            ? new JsonObject { ["allow_redirects"] = apm.AllowRedirects, ["enabled"] = apm.Enabled }
            : null;
        o["cancellation_reason"] = si.CancellationReason?.ToWire();
        o["client_secret"] = si.ClientSecret;
        o["created"] = si.Created;
        o["customer"] = ctx.Ref(expand, "customer", si.Customer);
        o["customer_account"] = null;
        o["description"] = si.Description;
        o["excluded_payment_method_types"] = Strings(si.ExcludedPaymentMethodTypes);
        o["flow_directions"] = Strings(si.FlowDirections);
        o["last_setup_error"] = PaymentIntentJson.LastPaymentError(si.LastSetupError, ctx);
        o["latest_attempt"] = null;
        o["livemode"] = false;
        o["mandate"] = null;
        o["metadata"] = ctx.Metadata(si.Metadata);
        o["next_action"] = ThreeDSecureFlow.RenderNextAction(si.NextAction, ThreeDSecureFlow.PageUrl(si), si.PaymentMethod);
        o["on_behalf_of"] = null;
        o["payment_method"] = ctx.Ref(expand, "payment_method", si.PaymentMethod);
        o["payment_method_configuration_details"] = null;
        o["payment_method_options"] = new JsonObject
        {
            ["card"] = new JsonObject
            {
                ["mandate_options"] = null, ["network"] = null, ["request_three_d_secure"] = si.RequestThreeDSecure,
            },
        };
        o["payment_method_types"] = Strings(si.PaymentMethodTypes);
        o["single_use_mandate"] = null;
        o["status"] = si.Status.ToWire();
        o["usage"] = si.Usage.ToWire();
        return o;
    }

    private static JsonArray? Strings(IReadOnlyList<string>? list) => list is null ? null : new JsonArray([.. list.Select(s => JsonValue.Create(s))]);
}
