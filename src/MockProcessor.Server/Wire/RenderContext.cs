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
    public JsonObject RenderFrozen(StripeObject snapshot) => renderers.Render(snapshot, Unwithheld, ExpandNode.None);

    /// <summary>An event's <c>previous_attributes</c> found from its two versions, rendered as <see cref="RenderFrozen"/> renders them.</summary>
    public JsonObject? PreviousAttributesFrozen(StripeObject before, StripeObject after) => renderers.PreviousAttributes(before, after, Unwithheld);

    private RenderContext Unwithheld => Publishable ? new RenderContext(Tx, renderers, publishable: false, Now) : this;

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
/// <c>previous_attributes</c> are found when comparing two whole renderings costs too much (a subscription's items), and
/// which changes certainly show on the wire, so that comparing can wait until the event is rendered.
/// </summary>
public sealed class Renderers
{
    private readonly Dictionary<Type, Func<StripeObject, RenderContext, ExpandNode, JsonObject>> _byType = [];
    private readonly Dictionary<Type, Func<StripeObject, StripeObject, RenderContext, JsonObject?>> _previousByType = [];
    private readonly Dictionary<Type, Func<StripeObject, StripeObject, bool>> _visibleByType = [];

    public Renderers Add<T>(Func<T, RenderContext, ExpandNode, JsonObject> render,
        Func<T, T, RenderContext, JsonObject?>? previousAttributes = null, Func<T, T, bool>? changesVisibly = null) where T : StripeObject
    {
        _byType[typeof(T)] = (o, c, e) => render((T)o, c, e);
        if (previousAttributes is not null) _previousByType[typeof(T)] = (b, a, c) => previousAttributes((T)b, (T)a, c);
        if (changesVisibly is not null) _visibleByType[typeof(T)] = (b, a) => changesVisibly((T)b, (T)a);
        return this;
    }

    /// <summary>
    /// True when the type can tell without rendering that the change from <paramref name="before"/> to
    /// <paramref name="after"/> shows on the wire (a rendered field certainly differs): its event then carries the old
    /// version, and <c>previous_attributes</c> are found when the event is rendered (<see cref="Domain.Events.Event.Previous"/>).
    /// False means "not known": the caller compares renderings now.
    /// </summary>
    public bool ChangesVisibly(StripeObject before, StripeObject after) =>
        before.GetType() == after.GetType() && _visibleByType.TryGetValue(after.GetType(), out var visible) && visible(before, after);

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
