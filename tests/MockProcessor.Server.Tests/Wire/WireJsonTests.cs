using System.Text.Json.Nodes;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Tests.Wire;

public class WireJsonTests
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 45).Select(i => $"field_{i}")];

    private static JsonObject Fill(JsonObject o)
    {
        foreach (var k in Keys) o[k] = null;
        return o;
    }

    private static long BytesToBuild(Func<JsonObject> build)
    {
        build();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) build();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
    }

    [Fact]
    public void An_object_built_with_room_holds_the_same_properties_in_order_and_allocates_less_than_one_that_grows()
    {
        var roomy = Fill(new JsonObject(WireJson.Room(45)));
        Assert.Equal(Keys, roomy.Select(p => p.Key));
        Assert.Equal("{\"a\":1,\"b\":2}", new JsonObject(WireJson.Room(1)) { ["a"] = 1, ["b"] = 2 }.ToJsonString());

        var growing = BytesToBuild(() => Fill(new JsonObject()));
        var sized = BytesToBuild(() => Fill(new JsonObject(WireJson.Room(45))));
        // If the runtime stops sizing JsonObject from the collection's Count, the renderers' hint is dead weight.
        Assert.True(sized * 3 < growing * 2, $"with room {sized} bytes, growing {growing} bytes");
    }
}
