using MockProcessor.Domain.Common;
using MockProcessor.Server.Idempotency;

namespace MockProcessor.Server.Storage;

/// <summary>One merchant's objects, list indexes and idempotency records. Guarded by <see cref="Gate"/>.</summary>
public sealed class AccountState(string accountId)
{
    public string AccountId { get; } = accountId;
    public Lock Gate { get; } = new();

    internal readonly Dictionary<string, (StripeObject Obj, long Seq)> Objects = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, SortedSet<ListKey>> Lists = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, IdempotencyRecord> Idempotency = new(StringComparer.Ordinal);
    internal long LastIdempotencyPurge;

    internal void Apply(StripeObject obj, long seq)
    {
        var isNew = !Objects.ContainsKey(obj.Id);
        Objects[obj.Id] = (obj, seq);
        if (isNew)
        {
            if (!Lists.TryGetValue(obj.ObjectType, out var list))
                Lists[obj.ObjectType] = list = new SortedSet<ListKey>(ListKey.NewestFirst);
            list.Add(new ListKey(obj.Created, seq, obj.Id));
        }
    }
}

/// <summary>List order: newest first by creation second, then by insertion order, so output is deterministic.</summary>
internal readonly record struct ListKey(long Created, long Seq, string Id)
{
    public static readonly IComparer<ListKey> NewestFirst = Comparer<ListKey>.Create((a, b) =>
    {
        var c = b.Created.CompareTo(a.Created);
        return c != 0 ? c : b.Seq.CompareTo(a.Seq);
    });
}
