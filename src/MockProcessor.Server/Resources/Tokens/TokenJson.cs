using System.Text.Json.Nodes;
using MockProcessor.Domain.Tokens;
using MockProcessor.Server.Resources.Customers;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Tokens;

/// <summary>A card token; its card is the legacy <c>card</c> object (<see cref="CardJson"/>).</summary>
public static class TokenJson
{
    public static JsonObject Render(Token t, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = t.Id,
        ["object"] = "token",
        ["card"] = CardJson.ForToken(t.CardId, t.Card, t.CardName),
        ["client_ip"] = t.ClientIp,
        ["created"] = t.Created,
        ["livemode"] = false,
        ["type"] = "card",
        ["used"] = t.Used,
    };
}
