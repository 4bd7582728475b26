using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.BillingPortal;

/// <summary>Portal configurations and sessions → Stripe's wire shape at the current API version (docs/portal.md).</summary>
public static class PortalJson
{
    public const string ConfigurationObject = "billing_portal.configuration";
    public const string SessionObject = "billing_portal.session";

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    public static JsonObject Configuration(PortalConfiguration bpc, RenderContext ctx, ExpandNode expand)
    {
        var f = bpc.Features;
        return new JsonObject
        {
            ["id"] = bpc.Id,
            ["object"] = ConfigurationObject,
            ["active"] = bpc.Active,
            ["application"] = null,
            ["business_profile"] = new JsonObject
            {
                ["headline"] = bpc.Headline, ["privacy_policy_url"] = bpc.PrivacyPolicyUrl, ["terms_of_service_url"] = bpc.TermsOfServiceUrl,
            },
            ["created"] = bpc.Created,
            ["default_return_url"] = bpc.DefaultReturnUrl,
            ["features"] = new JsonObject
            {
                ["customer_update"] = new JsonObject { ["allowed_updates"] = Strings(f.CustomerUpdateAllowed), ["enabled"] = f.CustomerUpdateEnabled },
                ["invoice_history"] = new JsonObject { ["enabled"] = f.InvoiceHistoryEnabled },
                ["payment_method_update"] = new JsonObject { ["enabled"] = f.PaymentMethodUpdateEnabled, ["payment_method_configuration"] = null },
                ["subscription_cancel"] = new JsonObject
                {
                    ["cancellation_reason"] = new JsonObject
                    {
                        ["enabled"] = f.CancellationReasonEnabled, ["feedback_options"] = null, ["options"] = Strings(f.CancellationReasonOptions),
                    },
                    ["enabled"] = f.CancelEnabled,
                    ["mode"] = f.CancelMode.ToWire(),
                    ["proration_behavior"] = f.CancelProration.ToWire(),
                },
                ["subscription_pause"] = new JsonObject
                {
                    ["duration"] = new JsonObject { ["interval_options"] = new JsonArray(), ["type"] = "indefinite" },
                    ["enabled"] = f.PauseEnabled,
                },
                ["subscription_update"] = new JsonObject
                {
                    ["billing_cycle_anchor"] = f.UpdateBillingCycleAnchor,
                    ["default_allowed_updates"] = Strings(f.UpdateDefaultAllowed),
                    ["enabled"] = f.UpdateEnabled,
                    ["products"] = new JsonArray(f.UpdateProducts.Select(p => (JsonNode?)new JsonObject
                    {
                        ["adjustable_quantity"] = new JsonObject { ["enabled"] = false, ["maximum"] = null, ["minimum"] = 1 },
                        ["prices"] = Strings(p.Prices),
                        ["product"] = p.Product,
                    }).ToArray()),
                    ["proration_behavior"] = f.UpdateProration.ToWire(),
                    ["schedule_at_period_end"] = new JsonObject
                    {
                        ["conditions"] = new JsonArray(f.ScheduleConditions.Select(t => (JsonNode?)new JsonObject { ["type"] = t }).ToArray()),
                    },
                    ["trial_update_behavior"] = f.TrialUpdateBehavior,
                },
            },
            ["is_default"] = bpc.IsDefault,
            ["livemode"] = false,
            ["login_page"] = new JsonObject { ["enabled"] = bpc.LoginPageEnabled, ["url"] = null },
            ["metadata"] = ctx.Metadata(bpc.Metadata),
            ["name"] = bpc.Name,
            ["updated"] = bpc.Updated,
        };
    }

    public static string Url(PortalSession s) => $"{s.PageBaseUrl}{PortalPage.PathPrefix}{s.Id}/{s.Token}";

    public static JsonObject Session(PortalSession s, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = s.Id,
        ["object"] = SessionObject,
        ["configuration"] = ctx.Ref(expand, "configuration", s.Configuration),
        ["created"] = s.Created,
        ["customer"] = s.Customer,
        ["customer_account"] = null,
        ["flow"] = s.Flow is { } flow ? Flow(flow) : null,
        ["livemode"] = false,
        ["locale"] = s.Locale,
        ["on_behalf_of"] = null,
        ["return_url"] = s.ReturnUrl,
        ["url"] = Url(s),
    };

    private static JsonObject Flow(PortalFlow f)
    {
        JsonObject? About(string type) => f.Type == type ? new JsonObject { ["subscription"] = f.Subscription } : null;
        var cancel = About("subscription_cancel");
        if (cancel is not null) cancel["retention"] = null;
        return new JsonObject
        {
            ["after_completion"] = new JsonObject
            {
                ["hosted_confirmation"] = f.AfterCompletion == "hosted_confirmation" ? new JsonObject { ["custom_message"] = f.CustomMessage } : null,
                ["redirect"] = f.AfterCompletion == "redirect" ? new JsonObject { ["return_url"] = f.RedirectUrl } : null,
                ["type"] = f.AfterCompletion,
            },
            ["customer_update"] = null,
            ["subscription_cancel"] = cancel,
            ["subscription_pause"] = null,
            ["subscription_update"] = About("subscription_update"),
            ["subscription_update_confirm"] = null,
            ["type"] = f.Type,
        };
    }
}
