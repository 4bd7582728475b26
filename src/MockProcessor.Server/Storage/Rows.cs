namespace MockProcessor.Server.Storage;

/// <summary>One row change handed to the write log; all rows of one API call commit together.</summary>
public abstract record Row;

public sealed record ObjectRow(string Id, string Account, string Type, long Created, long Seq, string Json) : Row;

public sealed record IdempotencyRow(string Account, string Key, string Fingerprint, int Status, byte[] Body, string RequestId, long Created) : Row;

public sealed record IdempotencyPurge(string Account, long OlderThan) : Row;
