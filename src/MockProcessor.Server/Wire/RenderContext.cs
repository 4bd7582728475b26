using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Wire;

/// <summary>
/// What rendering an object to Stripe's wire shape may need: the call's transaction (to load expanded
/// objects), whether the caller used a publishable key (metadata is then withheld, as Stripe does) and
/// the renderer registry; and the call's time, for fields that depend on it (a balance transaction's status).
/// </summary>
public sealed class RenderContext(Tx tx, Renderers renderers, bool publishable, long now = 0)
{
    public Tx Tx { get; } = tx;
    public bool Publishable { get; } = publishable;
    public long Now { get; } = now;
    public Renderers Renderers => renderers;

    public JsonObject Render(StripeObject obj, ExpandNode? expand = null) => renderers.Render(obj, this, expand ?? ExpandNode.None);

    /// <summary>
    /// <c>data.previous_attributes</c> for a change from <paramref name="before"/> to <paramref name="after"/> (two
    /// versions of one object): the old values of the fields whose wire rendering changed; null when none did.
    /// </summary>
    public JsonObject? PreviousAttributes(StripeObject before, StripeObject after) => renderers.PreviousAttributes(before, after, this);

    /// <summary>An object as stored in an event: never expanded, metadata never withheld.</summary>
    public JsonObject RenderFrozen(StripeObject snapshot) =>
        renderers.Render(snapshot, Publishable ? new RenderContext(Tx, renderers, publishable: false, Now) : this, ExpandNode.None);

    /// <summary>An expandable reference: the id, or the whole object when the caller asked to expand it.</summary>
    public JsonNode? Ref(ExpandNode expand, string field, string? id)
    {
        if (id is null) return null;
        var child = expand.Child(field);
        if (child is null) return id;
        var obj = Tx.Get<StripeObject>(id);
        return obj is null ? id : Render(obj, child);
    }

    public JsonObject Metadata(IReadOnlyDictionary<string, string> metadata)
    {
        var o = new JsonObject();
        if (Publishable) return o;
        foreach (var (k, v) in metadata) o[k] = v;
        return o;
    }
}

/// <summary>
/// Object type → wire renderer. Each resource registers its own <c>*Json.Render</c>, and may register how its
/// <c>previous_attributes</c> are found when comparing two whole renderings costs too much (a subscription's items).
/// </summary>
public sealed class Renderers
{
    private readonly Dictionary<Type, Func<StripeObject, RenderContext, ExpandNode, JsonObject>> _byType = [];
    private readonly Dictionary<Type, Func<StripeObject, StripeObject, RenderContext, JsonObject?>> _previousByType = [];

    public Renderers Add<T>(Func<T, RenderContext, ExpandNode, JsonObject> render,
        Func<T, T, RenderContext, JsonObject?>? previousAttributes = null) where T : StripeObject
    {
        _byType[typeof(T)] = (o, c, e) => render((T)o, c, e);
        if (previousAttributes is not null) _previousByType[typeof(T)] = (b, a, c) => previousAttributes((T)b, (T)a, c);
        return this;
    }

    /// <summary>
    /// The type's own comparison when it registered one; otherwise both versions are rendered and compared
    /// (<see cref="Events.PreviousAttributes.Diff"/>). Either way the result is the same JSON.
    /// </summary>
    public JsonObject? PreviousAttributes(StripeObject before, StripeObject after, RenderContext ctx) =>
        before.GetType() == after.GetType() && _previousByType.TryGetValue(after.GetType(), out var diff)
            ? diff(before, after, ctx)
            : Events.PreviousAttributes.Diff(Render(before, ctx, ExpandNode.None), Render(after, ctx, ExpandNode.None));

    public JsonObject Render(StripeObject obj, RenderContext ctx, ExpandNode expand) =>
        _byType.TryGetValue(obj.GetType(), out var r)
            ? r(obj, ctx, expand)
            : throw new InvalidOperationException($"No renderer for {obj.GetType().Name}.");
}
