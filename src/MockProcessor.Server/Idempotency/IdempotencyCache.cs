using MockProcessor.Server.Hosting;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Idempotency;

/// <summary>
/// A stored idempotent result: the first response to a key, replayed byte for byte. <see cref="Fingerprint"/> is an
/// HMAC of the canonical request, never the request itself (it holds card numbers): docs/architecture.md, Secrets at rest. <see cref="Durable"/>
/// completes when the original call's commit is on disk; a replay waits for it, so nobody is told about
/// a result that could still be lost.
/// </summary>
public sealed record IdempotencyRecord(string Fingerprint, int Status, string RequestId, long Created)
{
    // The response bytes as first sent, Brotli-compressed (SDKs send a key with every POST; replays are rare). With a
    // store that reads rows back, the body leaves memory once its row is committed and is read from _position on replay.
    private byte[]? _compressed;
    private long _position;

    public IdempotencyRecord(string fingerprint, int status, byte[] compressedBody, string requestId, long created)
        : this(fingerprint, status, requestId, created) => _compressed = compressedBody;

    public Task Durable { get; set; } = Task.CompletedTask;

    /// <summary>Whether the body is held in memory.</summary>
    internal bool Held => Volatile.Read(ref _compressed) is not null;

    /// <summary>Its row's position once committed (0 before, and where memory keeps results).</summary>
    internal long Position => Volatile.Read(ref _position);

    /// <summary>The row is committed at <paramref name="position"/>: memory lets the body go (the writer's thread).</summary>
    internal void Written(long position)
    {
        Volatile.Write(ref _position, position); // before the body goes: a reader that finds no body finds the position
        Volatile.Write(ref _compressed, null);
    }

    /// <summary>The compressed body, from memory or read back at its position with <paramref name="read"/>.</summary>
    internal byte[] CompressedBody(Func<long, byte[]> read) => Volatile.Read(ref _compressed) ?? read(Volatile.Read(ref _position));
}

internal static class BodyCompression
{
    public static byte[] Compress(byte[] body)
    {
        var buffer = new byte[System.IO.Compression.BrotliEncoder.GetMaxCompressedLength(body.Length)];
        return System.IO.Compression.BrotliEncoder.TryCompress(body, buffer, out var written, quality: 1, window: 22)
            ? buffer[..written]
            : throw new InvalidOperationException("Brotli compression failed.");
    }

    public static byte[] Decompress(byte[] compressed)
    {
        using var input = new MemoryStream(compressed);
        using var brotli = new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        brotli.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>
/// Idempotency-Key handling. A call and its stored result are written under the merchant's lock in the
/// same unit of work, so two concurrent requests with one key can never both execute: the second finds
/// the first's result and replays it. Results expire after the retention period of virtual time (24 h).
/// </summary>
public sealed class IdempotencyCache(MockProcessorOptions options, ObjectStore store)
{
    private long Retention => (long)options.IdempotencyRetention.TotalSeconds;

    public IdempotencyRecord? Find(AccountState state, string key, long now) =>
        state.Idempotency.Find(key, now - Retention, store.ReadIdempotencyResult);

    /// <summary>Whether <paramref name="canonical"/> (the request as <c>StripeApi</c> canonicalises it) is the request that stored <paramref name="record"/>.</summary>
    public bool Matches(IdempotencyRecord record, string canonical) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(record.Fingerprint), System.Text.Encoding.ASCII.GetBytes(Fingerprint(canonical)));

    private string Fingerprint(string canonical) => Database.Fingerprint(store.FingerprintKey, canonical);

    /// <summary>The response first sent for <paramref name="record"/>'s key, byte for byte (read back from disk if it left memory).</summary>
    public byte[] Body(IdempotencyRecord record) => BodyCompression.Decompress(record.CompressedBody(p => store.ReadIdempotencyResult(p).Body));

    /// <summary>Stores the result of the request <paramref name="canonical"/>; only its HMAC is kept.</summary>
    public void Store(AccountState state, Tx tx, string key, string canonical, int status, byte[] body, string requestId, long now)
    {
        var fingerprint = Fingerprint(canonical);
        var compressed = BodyCompression.Compress(body);
        var record = new IdempotencyRecord(fingerprint, status, compressed, requestId, now);
        state.Idempotency.Add(key, record);
        // Memory keeps the body only until the row is on disk, where the store reads it back (docs/storage.md).
        tx.AddRow(new IdempotencyRow(state.AccountId, key, fingerprint, status, compressed, requestId, now)
        {
            Record = store.IdempotencyBodiesOnDisk ? record : null,
        });
        // Stripe.net sends a fresh key on every POST, so expired results are swept regularly.
        if (now - state.LastIdempotencyPurge >= 3600)
        {
            state.LastIdempotencyPurge = now;
            var cutoff = now - Retention;
            state.Idempotency.Purge(cutoff);
            tx.AddRow(new IdempotencyPurge(cutoff, state.AccountId));
        }
    }

    public void MarkDurable(AccountState state, string key, Task durable)
    {
        if (state.Idempotency.HeldResult(key) is { } r) r.Durable = durable;
    }
}
