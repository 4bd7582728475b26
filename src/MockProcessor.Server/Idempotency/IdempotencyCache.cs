using MockProcessor.Server.Hosting;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Idempotency;

/// <summary>
/// A stored idempotent result: the first response to a key, replayed byte for byte. <see cref="Fingerprint"/> is an
/// HMAC of the canonical request, never the request itself (it holds card numbers): docs/architecture.md, Secrets at rest. <see cref="Durable"/>
/// completes when the original call's commit is on disk; a replay waits for it, so nobody is told about
/// a result that could still be lost.
/// </summary>
public sealed record IdempotencyRecord(string Fingerprint, int Status, byte[] CompressedBody, string RequestId, long Created)
{
    public Task Durable { get; set; } = Task.CompletedTask;

    /// <summary>The response bytes as first sent (kept Brotli-compressed: SDKs send a key with every POST, so
    /// a day of results is most of the emulator's memory otherwise; replays are rare).</summary>
    public byte[] Body => BodyCompression.Decompress(CompressedBody);
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

    public IdempotencyRecord? Find(AccountState state, string key, long now)
    {
        if (!state.Idempotency.TryGetValue(key, out var record)) return null;
        return now - record.Created >= Retention ? null : record;
    }

    /// <summary>Whether <paramref name="canonical"/> (the request as <c>StripeApi</c> canonicalises it) is the request that stored <paramref name="record"/>.</summary>
    public bool Matches(IdempotencyRecord record, string canonical) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(record.Fingerprint), System.Text.Encoding.ASCII.GetBytes(Fingerprint(canonical)));

    private string Fingerprint(string canonical) => Database.Fingerprint(store.FingerprintKey, canonical);

    /// <summary>Stores the result of the request <paramref name="canonical"/>; only its HMAC is kept.</summary>
    public void Store(AccountState state, Tx tx, string key, string canonical, int status, byte[] body, string requestId, long now)
    {
        var fingerprint = Fingerprint(canonical);
        var compressed = BodyCompression.Compress(body);
        state.Idempotency[key] = new IdempotencyRecord(fingerprint, status, compressed, requestId, now);
        tx.AddRow(new IdempotencyRow(state.AccountId, key, fingerprint, status, compressed, requestId, now));
        // Stripe.net sends a fresh key on every POST, so expired results are swept regularly.
        if (now - state.LastIdempotencyPurge >= 3600)
        {
            state.LastIdempotencyPurge = now;
            var cutoff = now - Retention;
            foreach (var (k, r) in state.Idempotency.ToList())
                if (r.Created < cutoff) state.Idempotency.Remove(k);
            tx.AddRow(new IdempotencyPurge(cutoff));
        }
    }

    public void MarkDurable(AccountState state, string key, Task durable)
    {
        if (state.Idempotency.TryGetValue(key, out var r)) r.Durable = durable;
    }
}
