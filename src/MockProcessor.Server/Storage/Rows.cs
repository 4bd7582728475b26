namespace MockProcessor.Server.Storage;

/// <summary>One row change handed to the write log; all rows of one API call commit together.</summary>
public abstract record Row;

/// <summary>An object version to append; serialised by the writer thread, off the request path (records are immutable).</summary>
public sealed record ObjectRow(MockProcessor.Domain.Common.StripeObject Object, long Seq) : Row;

public sealed record IdempotencyRow(string Account, string Key, string Fingerprint, int Status, byte[] Body, string RequestId, long Created) : Row;

public sealed record IdempotencyPurge(long OlderThan) : Row;

/// <summary>Compaction: drop these superseded object versions (their <see cref="StoredVersion.Position"/>s).</summary>
public sealed record CompactionStep(IReadOnlyList<long> Superseded) : Row;
