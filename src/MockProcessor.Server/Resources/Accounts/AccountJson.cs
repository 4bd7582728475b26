using System.Text.Json.Nodes;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Accounts;

/// <summary>
/// The <c>account</c> object (fixtures3.current.json) for a merchant (<c>GET /v1/account</c>) and for a connected
/// account (<c>/v1/accounts</c>). A merchant is a fully onboarded standard account; a connected account shows its
/// onboarding progress in <c>requirements</c> until its hosted onboarding page is completed.
/// </summary>
public static class AccountJson
{
    // What a fresh connected account still has to provide (the fixture's list); the hosted page provides all of it.
    private static readonly string[] OnboardingRequirements =
        ["business_profile.url", "external_account", "tos_acceptance.date", "tos_acceptance.ip"];

    public static JsonObject Render(Account a, RenderContext ctx, ExpandNode expand)
    {
        var p = a.Profile;
        var connect = a.Connect;
        var complete = connect is null || connect.DetailsSubmitted;
        var capabilities = new JsonObject();
        if (connect is null) { capabilities["card_payments"] = "active"; capabilities["transfers"] = "active"; }
        else foreach (var (k, v) in connect.Capabilities) capabilities[k] = v;
        return new JsonObject
        {
            ["id"] = a.Id,
            ["object"] = "account",
            ["business_profile"] = new JsonObject
            {
                ["annual_revenue"] = null, ["estimated_worker_count"] = null, ["mcc"] = p.Mcc, ["name"] = p.Name,
                ["product_description"] = null, ["support_address"] = null, ["support_email"] = p.SupportEmail,
                ["support_phone"] = null, ["support_url"] = null, ["url"] = p.BusinessUrl,
                ["minority_owned_business_designation"] = null,
            },
            ["business_type"] = p.TaxId is null ? null : "company",
            ["capabilities"] = capabilities,
            ["charges_enabled"] = connect?.ChargesEnabled ?? true,
            ["controller"] = connect is null
                ? new JsonObject { ["type"] = "account" }
                : new JsonObject { ["type"] = "application" },
            ["country"] = p.Country,
            ["created"] = a.Created,
            ["default_currency"] = p.DefaultCurrency,
            ["details_submitted"] = complete,
            ["email"] = p.Email,
            ["external_accounts"] = new JsonObject
            {
                ["object"] = "list", ["data"] = new JsonArray(), ["has_more"] = false, ["url"] = $"/v1/accounts/{a.Id}/external_accounts",
            },
            ["future_requirements"] = Requirements([], null),
            ["metadata"] = ctx.Metadata(p.Metadata),
            ["payouts_enabled"] = connect?.PayoutsEnabled ?? true,
            ["requirements"] = complete ? Requirements([], null) : Requirements(OnboardingRequirements, "requirements.past_due"),
            ["settings"] = Settings(a),
            ["tos_acceptance"] = new JsonObject
            {
                ["date"] = complete && connect is not null ? connect.TosAcceptedAt : null, ["ip"] = null, ["user_agent"] = null,
            },
            ["type"] = (connect?.Type ?? ConnectAccountType.Standard).ToWire(),
        };
    }

    // The fixture's settings groups; only the payout schedule and the display name carry emulated values. Bacs Direct
    // Debit (UK) is not emulated and its display_name is never null in the spec, so that group is left out.
    private static JsonObject Settings(Account a) => new()
    {
        ["branding"] = new JsonObject { ["icon"] = null, ["logo"] = null, ["primary_color"] = null, ["secondary_color"] = null },
        ["card_issuing"] = new JsonObject { ["tos_acceptance"] = new JsonObject { ["date"] = null, ["ip"] = null } },
        ["card_payments"] = new JsonObject
        {
            ["decline_on"] = new JsonObject { ["avs_failure"] = true, ["cvc_failure"] = true },
            ["statement_descriptor_prefix"] = null, ["statement_descriptor_prefix_kana"] = null, ["statement_descriptor_prefix_kanji"] = null,
        },
        ["dashboard"] = new JsonObject { ["display_name"] = a.Profile.Name, ["timezone"] = "Etc/UTC" },
        ["invoices"] = new JsonObject { ["default_account_tax_ids"] = null, ["hosted_payment_method_save"] = null },
        ["payments"] = new JsonObject
        {
            ["statement_descriptor"] = null, ["statement_descriptor_kana"] = null, ["statement_descriptor_kanji"] = null,
            ["statement_descriptor_prefix_kana"] = null, ["statement_descriptor_prefix_kanji"] = null,
        },
        ["payouts"] = new JsonObject
        {
            ["debit_negative_balances"] = true,
            ["schedule"] = Payouts.PayoutScheduleForm.Render(a.PayoutSchedule),
            ["statement_descriptor"] = null,
        },
        ["sepa_debit_payments"] = new JsonObject(),
    };

    private static JsonObject Requirements(IEnumerable<string> due, string? disabledReason) => new()
    {
        ["alternatives"] = new JsonArray(), ["current_deadline"] = null,
        ["currently_due"] = new JsonArray(due.Select(d => (JsonNode)d).ToArray()),
        ["disabled_reason"] = disabledReason, ["errors"] = new JsonArray(),
        ["eventually_due"] = new JsonArray(due.Select(d => (JsonNode)d).ToArray()),
        ["past_due"] = new JsonArray(), ["pending_verification"] = new JsonArray(),
    };

    /// <summary>The answer to deleting a connected account.</summary>
    public static JsonObject Deleted(string id) => new() { ["id"] = id, ["object"] = "account", ["deleted"] = true };
}
