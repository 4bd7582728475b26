using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Subscriptions;

/// <summary>
/// Subscription and subscription item → Stripe's wire shape at the current API version (fixtures3.current.json,
/// stripe-node's Subscriptions.d.ts): the current period is on each item (<c>items.data[].current_period_*</c>), not on
/// the subscription; older versions get it lifted back by <c>ApiChanges</c> (C42).
/// </summary>
public static class SubscriptionJson
{
    public const string Object = "subscription";

    public static JsonObject Render(Subscription s, RenderContext ctx, ExpandNode expand) => Render(s, ctx, expand, itemsStandIn: null);

    /// <summary>
    /// <paramref name="itemsStandIn"/>: rendered in place of <c>items</c> when not null (see <see cref="PreviousAttributes"/>).
    /// </summary>
    private static JsonObject Render(Subscription s, RenderContext ctx, ExpandNode expand, JsonNode? itemsStandIn)
    {
        var json = Fields(s, ctx, expand, itemsStandIn);
        // Optional in the SDK types (status_details?): present while paused, with when and why.
        if (s is { Status: SubscriptionStatus.Paused, PausedAt: { } at })
            json["status_details"] = new JsonObject
            {
                ["paused"] = new JsonObject
                {
                    ["subscription"] = new JsonObject { ["type"] = (s.PauseReason ?? PauseReason.PauseRequested).ToWire() },
                    ["transitioned_at"] = at, ["type"] = "subscription",
                },
            };
        return json;
    }

    /// <summary>
    /// The same <c>previous_attributes</c> as comparing two whole renderings (the registry's default), without
    /// rendering the items twice: each item carries its price and plan, and comparing them was most of what a renewal
    /// allocated (docs/performance.md). The two versions are compared with a stand-in for <c>items</c>, which keeps the
    /// field's place in the result; then the items themselves only when their rendering may differ. A change of the
    /// current period changes every item's rendering (<c>current_period_start</c>, <c>current_period_end</c>), so the
    /// old items are then rendered once, and the new ones not at all.
    /// </summary>
    public static JsonObject? PreviousAttributes(Subscription before, Subscription after, RenderContext ctx)
    {
        var periodChanged = before.CurrentPeriodStart != after.CurrentPeriodStart || before.CurrentPeriodEnd != after.CurrentPeriodEnd;
        var sameItems = before.Items.SequenceEqual(after.Items);
        JsonObject? itemsBefore = null;
        if (!sameItems || periodChanged)
        {
            if (periodChanged && before.Items.Count > 0)
            {
                // Every old item differs from its new rendering: the old list is the previous value.
                Items(before, ctx, ExpandNode.None).Remove("data", out var data);
                itemsBefore = new JsonObject { ["data"] = data };
                if (before.Items.Count != after.Items.Count) itemsBefore["total_count"] = before.Items.Count;
            }
            else
                itemsBefore = Server.Events.PreviousAttributes.Diff(
                    new JsonObject { ["items"] = Items(before, ctx, ExpandNode.None) },
                    new JsonObject { ["items"] = Items(after, ctx, ExpandNode.None) }) is { } d && d.Remove("items", out var node)
                    ? (JsonObject)node! : null;
        }
        var previous = Server.Events.PreviousAttributes.Diff(
            Render(before, ctx, ExpandNode.None, itemsStandIn: false),
            Render(after, ctx, ExpandNode.None, itemsStandIn: itemsBefore is not null));
        if (itemsBefore is not null) previous!["items"] = itemsBefore;
        return previous;
    }

    /// <summary>
    /// Changes that certainly show in the rendering (the registry's <c>changesVisibly</c>): the status, the latest
    /// invoice (an id), and the current period, which every item carries. A renewal changes the last two.
    /// </summary>
    public static bool ChangesVisibly(Subscription before, Subscription after) =>
        before.Status != after.Status
        || before.LatestInvoice != after.LatestInvoice
        || after.Items.Count > 0 && (before.CurrentPeriodStart != after.CurrentPeriodStart || before.CurrentPeriodEnd != after.CurrentPeriodEnd);

    private static JsonObject Fields(Subscription s, RenderContext ctx, ExpandNode expand, JsonNode? itemsStandIn) => new(WireJson.Room(46))
    {
        ["id"] = s.Id,
        ["object"] = Object,
        ["application"] = null,
        ["application_fee_percent"] = null,
        ["automatic_tax"] = new JsonObject { ["disabled_reason"] = null, ["enabled"] = false, ["liability"] = null },
        ["billing_cycle_anchor"] = s.BillingCycleAnchor,
        ["billing_cycle_anchor_config"] = s.AnchorConfig is { } bc
            ? new JsonObject { ["day_of_month"] = bc.DayOfMonth, ["hour"] = bc.Hour, ["minute"] = bc.Minute, ["month"] = bc.Month, ["second"] = bc.Second }
            : null,
        ["billing_mode"] = new JsonObject { ["flexible"] = null, ["type"] = "classic" },
        ["billing_thresholds"] = null,
        ["cancel_at"] = s.CancelAt ?? (s.CancelAtPeriodEnd ? s.CurrentPeriodEnd : null),
        ["cancel_at_period_end"] = s.CancelAtPeriodEnd,
        ["canceled_at"] = s.CanceledAt,
        ["cancellation_details"] = new JsonObject
        {
            ["comment"] = s.CancellationComment, ["feedback"] = s.CancellationFeedback, ["reason"] = s.CancellationReason?.ToWire(),
        },
        ["collection_method"] = s.CollectionMethod.ToWire(),
        ["created"] = s.Created,
        ["currency"] = s.Currency,
        ["customer"] = ctx.Ref(expand, "customer", s.Customer),
        ["customer_account"] = null,
        ["days_until_due"] = s.DaysUntilDue,
        ["default_payment_method"] = ctx.Ref(expand, "default_payment_method", s.DefaultPaymentMethod),
        ["default_source"] = null,
        ["default_tax_rates"] = Discounts.Discounting.TaxRateObjects(ctx, s.DefaultTaxRates),
        ["description"] = s.Description,
        ["discounts"] = Discounts.Discounting.Refs(ctx, expand, "discounts", s.Discounts),
        ["ended_at"] = s.EndedAt,
        ["invoice_settings"] = new JsonObject { ["account_tax_ids"] = null, ["issuer"] = new JsonObject { ["type"] = "self" } },
        ["items"] = itemsStandIn ?? Items(s, ctx, expand.Child("items")?.Child("data") ?? ExpandNode.None),
        ["latest_invoice"] = ctx.Ref(expand, "latest_invoice", s.LatestInvoice),
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(s.Metadata),
        ["next_pending_invoice_item_invoice"] = null,
        ["on_behalf_of"] = null,
        ["pause_collection"] = s.PauseCollection is { } pc ? new JsonObject { ["behavior"] = pc.Behavior.ToWire(), ["resumes_at"] = pc.ResumesAt } : null,
        ["payment_settings"] = new JsonObject
        {
            ["payment_method_options"] = null, ["payment_method_types"] = null, ["save_default_payment_method"] = "off",
        },
        ["pending_invoice_item_interval"] = null,
        ["pending_setup_intent"] = null,
        ["pending_update"] = s.PendingUpdate is { } pu ? new JsonObject
        {
            ["billing_cycle_anchor"] = null, ["expires_at"] = pu.ExpiresAt,
            ["subscription_items"] = new JsonArray([.. pu.Items.Select(i => (JsonNode)Item(i, s, ctx, ExpandNode.None))]),
            ["trial_end"] = null, ["trial_from_plan"] = null,
        } : null,
        ["schedule"] = null,
        ["start_date"] = s.StartDate,
        ["status"] = s.Status.ToWire(),
        ["test_clock"] = ctx.Ref(expand, "test_clock", s.TestClock),
        ["transfer_data"] = null,
        ["trial_end"] = s.TrialEnd,
        ["trial_settings"] = new JsonObject
        {
            ["end_behavior"] = new JsonObject { ["missing_payment_method"] = s.TrialMissingPaymentMethod.ToWire() },
        },
        ["trial_start"] = s.TrialStart,
    };

    private static JsonObject Items(Subscription s, RenderContext ctx, ExpandNode expand)
    {
        var data = new JsonArray();
        foreach (var item in s.Items) data.Add(Item(item, s, ctx, expand));
        return new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["has_more"] = false, ["total_count"] = s.Items.Count,
            ["url"] = $"/v1/subscription_items?subscription={s.Id}",
        };
    }

    /// <summary>A stored item (retrieve, list): its period comes from its subscription.</summary>
    public static JsonObject RenderItem(SubscriptionItem item, RenderContext ctx, ExpandNode expand)
    {
        if (item.Deleted) return DeletedItem(item.Id);
        var sub = ctx.Tx.Get<Subscription>(item.Subscription);
        return Item(sub?.Items.FirstOrDefault(i => i.Id == item.Id) ?? item, sub, ctx, expand);
    }

    public static JsonObject DeletedItem(string id) => new() { ["id"] = id, ["object"] = "subscription_item", ["deleted"] = true };

    private static JsonObject Item(SubscriptionItem item, Subscription? s, RenderContext ctx, ExpandNode expand)
    {
        var price = ctx.Tx.Get<Price>(item.Price);
        return new JsonObject(WireJson.Room(13))
        {
            ["id"] = item.Id,
            ["object"] = "subscription_item",
            ["billing_thresholds"] = null,
            ["created"] = item.Created,
            ["current_period_end"] = s?.CurrentPeriodEnd,
            ["current_period_start"] = s?.CurrentPeriodStart,
            ["discounts"] = new JsonArray(),
            ["metadata"] = ctx.Metadata(item.Metadata),
            ["plan"] = price is null ? null : Plans.PlanJson.Render(price, ctx, ExpandNode.None),
            ["price"] = price is null ? item.Price : ctx.Render(price, expand.Child("price") ?? ExpandNode.None),
            ["quantity"] = item.Quantity,
            ["subscription"] = item.Subscription,
            ["tax_rates"] = Discounts.Discounting.TaxRateObjects(ctx, item.TaxRates),
        };
    }
}
