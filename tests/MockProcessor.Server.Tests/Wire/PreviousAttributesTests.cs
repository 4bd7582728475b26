using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Events;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Tests.Wire;

/// <summary>
/// A resource's own <c>previous_attributes</c> comparison (the subscription's, which skips rendering items twice) gives
/// exactly the JSON, key order included, of comparing the two whole renderings.
/// </summary>
public class PreviousAttributesTests
{
    private const long Jan = 1_767_225_600, Feb = 1_769_904_000, Mar = 1_772_323_200;

    private static (RenderContext Ctx, Subscription Sub) Setup()
    {
        var store = new ObjectStore(new StoreSchema(Registry.PersistedTypes, [], [], []), null, NullLogger.Instance);
        var state = store.AddMerchant("acct_1");
        var tx = store.Begin(state);
        foreach (var (id, amount) in new[] { ("price_a", 1000m), ("price_b", 2500m) })
            tx.Put(new Price
            {
                Id = id, AccountId = "acct_1", Created = Jan, Product = "prod_1", Currency = "usd", UnitAmount = amount,
                Recurring = new Recurring(RecurringInterval.Month, 1, UsageType.Licensed, null, null),
            });
        var sub = new Subscription
        {
            Id = "sub_1", AccountId = "acct_1", Created = Jan, Customer = "cus_1", Currency = "usd", Status = SubscriptionStatus.Active,
            Interval = RecurringInterval.Month, CurrentPeriodStart = Jan, CurrentPeriodEnd = Feb, LatestInvoice = "in_1",
            Items = [Item("si_1", "price_a", 1)],
        };
        return (new RenderContext(tx, Registry.Renderers(), publishable: false), sub);
    }

    private static SubscriptionItem Item(string id, string price, long quantity) =>
        new() { Id = id, AccountId = "acct_1", Created = Jan, Subscription = "sub_1", Price = price, Quantity = quantity };

    public static TheoryData<string> Changes() => ["renewal", "renewal and new item", "renewal and no items left", "quantity", "price", "item added",
        "item removed", "item metadata", "status only", "metadata only", "nothing", "items rebuilt equal", "from no items"];

    private static (Subscription Before, Subscription After) Change(Subscription s, string change) => change switch
    {
        "renewal" => (s, s with { CurrentPeriodStart = Feb, CurrentPeriodEnd = Mar, LatestInvoice = "in_2" }),
        "renewal and new item" => (s, s with { CurrentPeriodStart = Feb, CurrentPeriodEnd = Mar, Items = s.Items.Add(Item("si_2", "price_b", 2)) }),
        "renewal and no items left" => (s, s with { CurrentPeriodStart = Feb, CurrentPeriodEnd = Mar, Items = [] }),
        "quantity" => (s, s with { Items = [s.Items[0] with { Quantity = 3 }] }),
        "price" => (s, s with { Items = [s.Items[0] with { Price = "price_b" }] }),
        "item added" => (s, s with { Items = s.Items.Add(Item("si_2", "price_b", 2)) }),
        "item removed" => (s with { Items = s.Items.Add(Item("si_2", "price_b", 2)) }, s),
        "item metadata" => (s, s with { Items = [s.Items[0] with { Metadata = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("k", "v")]) }] }),
        "status only" => (s, s with { Status = SubscriptionStatus.PastDue }),
        "metadata only" => (s, s with { Metadata = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("plan", "gold")]) }),
        "nothing" => (s, s),
        "items rebuilt equal" => (s, s with { Items = [s.Items[0] with { }] }),
        "from no items" => (s with { Items = [] }, s with { CurrentPeriodStart = Feb, CurrentPeriodEnd = Mar }),
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    /// <summary>The change's two versions and the reference result: comparing their whole renderings.</summary>
    private static (RenderContext Ctx, Subscription Before, Subscription After, JsonObject? Expected) Compared(string change)
    {
        var (ctx, sub) = Setup();
        var (before, after) = Change(sub, change);
        return (ctx, before, after, PreviousAttributes.Diff(ctx.Render(before), ctx.Render(after)));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_subscriptions_previous_attributes_are_those_of_comparing_its_whole_renderings(string change)
    {
        var (ctx, before, after, expected) = Compared(change);
        var actual = ctx.PreviousAttributes(before, after);

        Assert.Equal(expected?.ToJsonString(), actual?.ToJsonString());
        if (change is "nothing" or "items rebuilt equal") Assert.Null(actual);
        else Assert.NotNull(actual);
        if (change.StartsWith("renewal", StringComparison.Ordinal))
            Assert.Equal(Jan, (long)actual!["items"]!["data"]![0]!["current_period_start"]!);
    }

    /// <summary>
    /// A change the subscription says certainly shows (<c>ChangesVisibly</c>) is announced with its old version, and the
    /// previous attributes are found when the event is rendered: the claim must hold whenever it is made, and the
    /// rendered event must carry what comparing at the change would have given (nothing at all for no visible change).
    /// </summary>
    [Theory]
    [MemberData(nameof(Changes))]
    public void An_event_keeping_the_old_version_renders_the_previous_attributes_of_comparing_at_the_change(string change)
    {
        var (ctx, before, after, expected) = Compared(change);

        var visible = ctx.Renderers.ChangesVisibly(before, after);
        if (visible) Assert.NotNull(expected);
        if (change is "renewal" or "status only" or "renewal and new item") Assert.True(visible);
        if (change is "nothing" or "items rebuilt equal" or "metadata only" or "quantity") Assert.False(visible);

        var e = new Domain.Events.Event
        {
            Id = "evt_1", AccountId = "acct_1", Created = Feb, Type = "customer.subscription.updated", ApiVersion = "2026-10-28.endive",
            Snapshot = after, Previous = before,
        };
        var data = MockProcessor.Server.Resources.Events.EventJson.Render(e, ctx, ExpandNode.None)["data"]!.AsObject();
        Assert.Equal(expected?.ToJsonString(), data["previous_attributes"]?.ToJsonString());
        Assert.Equal(expected is not null, data.ContainsKey("previous_attributes"));
    }

    [Fact]
    public void A_type_without_its_own_comparison_compares_whole_renderings()
    {
        var (ctx, _) = Setup();
        var before = ctx.Tx.Get<Price>("price_a")!;
        var after = before with { Nickname = "Gold", Metadata = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("k", "v")]) };

        var previous = ctx.PreviousAttributes(before, after);

        Assert.Equal("""{"metadata":{"k":null},"nickname":null}""", previous!.ToJsonString());
    }
}
