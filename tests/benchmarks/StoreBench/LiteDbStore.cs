using LiteDB;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Storage;

namespace StoreBench;

/// <summary>
/// The emulator's durable seam on LiteDB 5: the same append-only object versions, idempotency records and compaction
/// steps as <see cref="SqliteStore"/>, one LiteDB transaction per group-commit batch. Written for the comparison in
/// docs/architecture.md, not shipped.
/// </summary>
public sealed class LiteDbStore : IDurableStore
{
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _objects, _idempotency, _meta;

    public LiteDbStore(string path, bool indexIds)
    {
        _db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        _objects = _db.GetCollection("objects", BsonAutoId.Int64);
        _idempotency = _db.GetCollection("idempotency", BsonAutoId.Int64);
        _meta = _db.GetCollection("meta");
        if (indexIds) _objects.EnsureIndex("oid");
        var key = _meta.FindById("fingerprint_key");
        if (key is null)
        {
            key = new BsonDocument { ["_id"] = "fingerprint_key", ["value"] = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32) };
            _meta.Insert(key);
        }
        FingerprintKey = key["value"].AsBinary;
    }

    public byte[] FingerprintKey { get; }

    public IEnumerable<StoredVersion> ReadObjects(string? type = null)
    {
        foreach (var d in _objects.Find(Query.All("_id", Query.Ascending)))
            if (type is null || d["type"].AsString == type)
                yield return new StoredVersion(d["_id"].AsInt64, d["type"].AsString, d["data"].AsBinary, d["seq"].AsInt64);
    }

    public IEnumerable<StoredVersion> ReadObjectsNewestFirst(Func<StoredHead, bool> wanted)
    {
        foreach (var d in _objects.Find(Query.All("_id", Query.Descending)))
            if (wanted(new StoredHead(d["_id"].AsInt64, d["oid"].AsString, d["account"].AsString)))
                yield return new StoredVersion(d["_id"].AsInt64, d["type"].AsString, d["data"].AsBinary, d["seq"].AsInt64);
    }

    public IEnumerable<IdempotencyRow> ReadIdempotency()
    {
        foreach (var d in _idempotency.Find(Query.All("_id", Query.Ascending)))
            yield return new IdempotencyRow(d["account"].AsString, d["key"].AsString, d["fingerprint"].AsString, d["status"].AsInt32,
                d["body"].AsBinary, d["request_id"].AsString, d["created"].AsInt64);
    }

    public void Write(IEnumerable<Row> rows, RowSerializer serialize)
    {
        _db.BeginTrans();
        try
        {
            foreach (var row in rows)
            {
                switch (row)
                {
                    case ObjectRow o:
                        _objects.Insert(new BsonDocument
                        {
                            ["oid"] = o.Object.Id, ["account"] = o.Object.AccountId, ["type"] = o.Object.ObjectType,
                            ["created"] = o.Object.Created, ["seq"] = o.Seq, ["data"] = serialize.ToArray(o.Object),
                        });
                        break;
                    case IdempotencyRow i:
                        _idempotency.Insert(new BsonDocument
                        {
                            ["account"] = i.Account, ["key"] = i.Key, ["fingerprint"] = i.Fingerprint, ["status"] = i.Status, ["body"] = i.Body,
                            ["request_id"] = i.RequestId, ["created"] = i.Created,
                        });
                        break;
                    case IdempotencyPurge purge:
                        _idempotency.DeleteMany(Query.And(Query.LT("created", purge.OlderThan), Query.EQ("account", purge.Account)));
                        break;
                    case CompactionStep step:
                        foreach (var position in step.Superseded) _objects.Delete(position);
                        break;
                }
            }
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    /// <summary>The newest stored version of object <paramref name="id"/> (needs the <c>oid</c> index).</summary>
    public byte[]? ReadById(string id) =>
        _objects.Find(Query.EQ("oid", id)).OrderByDescending(d => d["_id"].AsInt64).FirstOrDefault()?["data"].AsBinary;

    public async Task MaintainAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try { while (await timer.WaitForNextTickAsync(stop)) { } }
        catch (OperationCanceledException) { }
    }

    public void Dispose() => _db.Dispose();
}
