using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Webhooks;

namespace MockProcessor.Server.Storage;

/// <summary>
/// One API call's unit of work on one account. Reads see the call's own staged writes; nothing reaches
/// the shared state until <see cref="Commit"/>, so a call that fails half-way leaves no trace.
/// </summary>
public sealed class Tx
{
    private readonly ObjectStore _store;
    private readonly AccountState _account;
    private readonly Dictionary<string, StripeObject> _staged = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    // Ids of the objects this call created (not yet in the list index), by type, in creation order.
    private readonly Dictionary<string, List<string>> _created = new(StringComparer.Ordinal);
    private readonly List<Row> _extraRows = [];

    internal Tx(ObjectStore store, AccountState account)
    {
        _store = store;
        _account = account;
    }

    public string AccountId => _account.AccountId;
    internal AccountState Account => _account;

    public T? Get<T>(string id) where T : StripeObject
    {
        if (_staged.TryGetValue(id, out var staged)) return staged as T;
        return _account.Objects.TryGetValue(id, out var e) ? e.Obj as T : null;
    }

    public void Put(StripeObject obj)
    {
        if (obj.AccountId != _account.AccountId)
            throw new InvalidOperationException($"Object {obj.Id} belongs to {obj.AccountId}, not {_account.AccountId}.");
        if (!_staged.ContainsKey(obj.Id))
        {
            _order.Add(obj.Id);
            if (!_account.Objects.ContainsKey(obj.Id))
            {
                if (!_created.TryGetValue(obj.ObjectType, out var ids)) _created[obj.ObjectType] = ids = [];
                ids.Add(obj.Id);
            }
        }
        _staged[obj.Id] = obj;
        _puts.Add(obj.Id);
    }

    internal void AddRow(Row row) => _extraRows.Add(row);

    /// <summary>
    /// Objects of one type, newest first: those this call created (not in the list index until it commits: the time
    /// driver's later work must see what earlier work booked, e.g. a payout run the funds a failed payout returned
    /// in the same advance), then the committed ones with this call's staged versions in place.
    /// </summary>
    public IEnumerable<T> NewestFirst<T>(string objectType) where T : StripeObject
    {
        if (_created.TryGetValue(objectType, out var created))
            for (var i = created.Count - 1; i >= 0; i--)
                if (_staged[created[i]] is T obj) yield return obj;
        if (!_account.Lists.TryGetValue(objectType, out var list)) yield break;
        foreach (var key in list.NewestFirst())
        {
            var obj = Get<T>(key.Id);
            if (obj is not null) yield return obj;
        }
    }

    // Every Put in order, so the time driver can find what one timer changed.
    private readonly List<string> _puts = [];
    internal int PutCount => _puts.Count;

    /// <summary>The objects put since <paramref name="mark"/> (a <see cref="PutCount"/>), each once, as they are now.</summary>
    internal IEnumerable<StripeObject> PutSince(int mark) => _puts.Skip(mark).Distinct().Select(id => _staged[id]);

    /// <summary>Puts the object's next time-driven work (if any) on its clock's timer queue (the merchant's or a test clock's).</summary>
    internal void ScheduleTimer(StripeObject obj)
    {
        Func<string, StripeObject?> get = id => Get<StripeObject>(id);
        if (_store.Timers?.DueAt(obj, get) is { } at) _account.ScheduleTimer(obj.Id, at, Time.TimerScope.TestClockOf(obj, get));
    }

    public bool HasChanges => _staged.Count > 0 || _extraRows.Count > 0;

    /// <summary>Applies the staged objects to memory and queues them for disk; the task completes when durable.</summary>
    public Task Commit()
    {
        if (!HasChanges) return Task.CompletedTask;
        var rows = new List<Row>(_order.Count + _extraRows.Count);
        List<WebhookDelivery>? due = null;
        foreach (var id in _order)
        {
            var obj = _staged[id];
            var seq = _account.Objects.TryGetValue(id, out var existing) ? existing.Seq : _store.NextSeq();
            _account.Apply(obj, seq);
            if (obj is PaymentIntent pi) _store.Track(pi);
            if (obj is WebhookDelivery { IsPending: true, NextAttemptAt: not null } delivery) (due ??= []).Add(delivery);
            ScheduleTimer(obj);
            if (_store.Durable) rows.Add(new ObjectRow(obj, seq));
        }
        rows.AddRange(_extraRows);
        _staged.Clear();
        _order.Clear();
        _created.Clear();
        _puts.Clear();
        _extraRows.Clear();
        var durable = _store.Persist(rows);
        if (due is not null)
        {
            // A webhook is sent only once its event is on disk: nobody is told about a change a crash could undo.
            var accountId = _account.AccountId;
            void Enqueue() { foreach (var d in due) _store.DueQueue.Push(d.NextAttemptAt!.Value, accountId, d.Id); }
            if (durable.IsCompletedSuccessfully) Enqueue();
            else durable.ContinueWith(t => { if (t.IsCompletedSuccessfully) Enqueue(); }, TaskScheduler.Default);
        }
        return durable;
    }
}
