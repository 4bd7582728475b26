using System.Text.Json.Nodes;
using MockProcessor.Domain.TestClocks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.TestClocks;

/// <summary>TestClock → Stripe's wire shape (fixtures3.current.json, <c>test_helpers.test_clock</c>).</summary>
public static class TestClockJson
{
    public const string Object = "test_helpers.test_clock";

    public static JsonObject Render(TestClock t, RenderContext ctx, ExpandNode expand)
    {
        if (t.Deleted) return Deleted(t.Id);
        return new JsonObject
        {
            ["id"] = t.Id,
            ["object"] = Object,
            ["created"] = t.Created,
            ["deletes_after"] = t.DeletesAfter,
            ["frozen_time"] = t.FrozenTime,
            ["livemode"] = false,
            ["name"] = t.Name,
            ["status"] = t.Status switch
            {
                TestClockStatus.Advancing => "advancing",
                TestClockStatus.InternalFailure => "internal_failure",
                _ => "ready",
            },
            ["status_details"] = new JsonObject(),
        };
    }

    public static JsonObject Deleted(string id) => new() { ["id"] = id, ["object"] = Object, ["deleted"] = true };
}
