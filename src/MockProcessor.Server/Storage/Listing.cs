using System.Collections;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Objects of one type newest first, as a unit of work sees them: the ones it created, then the committed ones of a
/// list or secondary index with its staged versions in place (optionally filtered). Besides walking from the newest, a
/// list cursor can seek into it (<see cref="OlderThan"/>, <see cref="NewerThan"/>): a binary search in the index
/// rather than a walk from the top, so page 1,000 of a long list costs what page 1 does.
/// </summary>
public sealed class Listing<T> : IEnumerable<T> where T : StripeObject
{
    private readonly Tx _tx;
    private readonly string _type;
    private readonly List<string>? _created;
    private readonly KeyIndex? _committed;
    private readonly Func<T, bool>? _matches;
    private readonly bool _seekable;

    internal Listing(Tx tx, string type, List<string>? created, KeyIndex? committed, Func<T, bool>? matches, bool seekable)
    {
        _tx = tx;
        _type = type;
        _created = created;
        _committed = committed;
        _matches = matches;
        // Objects created by this call have no place in the committed index yet: a cursor walks instead.
        _seekable = seekable && (created is null || created.Count == 0);
    }

    public IEnumerator<T> GetEnumerator()
    {
        if (_created is not null)
            for (var i = _created.Count - 1; i >= 0; i--)
                if (Visible(_created[i]) is { } obj) yield return obj;
        if (_committed is null) yield break;
        foreach (var key in _committed.NewestFirst())
            if (Visible(key) is { } obj) yield return obj;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private T? Visible(string id) => _tx.Get<T>(id) is { } obj && (_matches is null || _matches(obj)) ? obj : null;

    private T? Visible(ListKey key) => _tx.GetListed<T>(key) is { } obj && (_matches is null || _matches(obj)) ? obj : null;

    /// <summary>
    /// The objects older than the cursor <paramref name="id"/>, newest first; null when the cursor cannot be sought here
    /// (not a committed object of this type and account, or this call created some): the caller walks instead.
    /// </summary>
    public IEnumerable<T>? OlderThan(string id)
    {
        if (Position(id) is not { } at) return null;
        return _committed is null ? [] : Seq(_committed.NewestFirstFrom(at.Index - 1)); // older keys sit below the cursor's place
    }

    /// <summary>The objects newer than the cursor <paramref name="id"/>, oldest first; null as for <see cref="OlderThan"/>.</summary>
    public IEnumerable<T>? NewerThan(string id)
    {
        if (Position(id) is not { } at) return null;
        return _committed is null ? [] : Seq(_committed.OldestFirstFrom(at.Found ? at.Index + 1 : at.Index));
    }

    private (int Index, bool Found)? Position(string id)
    {
        if (!_seekable || _tx.CommittedKey(id, _type) is not { } key) return null;
        if (_committed is null) return _matches is null ? (0, false) : null;
        var at = _committed.LowerBound(key);
        var found = _committed.Find(key) >= 0;
        // In a secondary index the cursor must be one of the listed objects (a payout's transactions paged with another
        // transaction's id is resource_missing): the caller's walk says so. In a type's whole list any object of it places.
        if (!found && _matches is not null) return null;
        return (at, found);
    }

    private IEnumerable<T> Seq(IEnumerable<ListKey> keys)
    {
        foreach (var key in keys)
            if (Visible(key) is { } obj) yield return obj;
    }
}
