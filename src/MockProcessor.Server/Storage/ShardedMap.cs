namespace MockProcessor.Server.Storage;

/// <summary>
/// A string-keyed map split over 64 dictionaries. A single dictionary of millions of entries rehashes all of them
/// when it grows, holding the merchant's lock for a noticeable pause (hundreds of ms at a few million objects);
/// each shard here grows on its own, so a resize touches 1/64th of the entries.
/// </summary>
internal sealed class ShardedMap<TValue>
{
    private const int ShardCount = 64;
    private readonly Dictionary<string, TValue>[] _shards = new Dictionary<string, TValue>[ShardCount];

    public ShardedMap()
    {
        for (var i = 0; i < ShardCount; i++) _shards[i] = new Dictionary<string, TValue>(StringComparer.Ordinal);
    }

    public long Count => _shards.Sum(s => (long)s.Count);

    private Dictionary<string, TValue> Shard(string key) =>
        _shards[(StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % ShardCount];

    public bool TryGetValue(string key, out TValue value) => Shard(key).TryGetValue(key, out value!);

    public bool ContainsKey(string key) => Shard(key).ContainsKey(key);

    public TValue this[string key] { set => Shard(key)[key] = value; }
}
