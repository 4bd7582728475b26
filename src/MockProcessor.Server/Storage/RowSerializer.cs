using System.Buffers;
using System.Text.Json;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Turns an object version into its stored bytes (the options of <see cref="PersistenceFormat"/>). <see cref="ToArray"/>
/// gives bytes to keep; <see cref="Buffered"/> writes them into a buffer this serializer reuses, for a backend that hands
/// them on at once (SQLite copies a bound blob): a clock advance's writer serialises hundreds of thousands of rows, and an
/// array each was a sixth of all a year of billing allocated (docs/performance.md). Both give the same bytes.
/// </summary>
public sealed class RowSerializer(JsonSerializerOptions options, StoreSchema? schema = null)
{
    // One buffer and writer per thread: the group commit's writer is one thread, so in practice there is one.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public byte[] ToArray(StripeObject o) => JsonSerializer.SerializeToUtf8Bytes(o, o.GetType(), options);

    /// <summary>
    /// As <see cref="ToArray(StripeObject)"/>, and the positions of the stored versions the bytes refer to (an event's
    /// snapshot by reference), which start-up reads instead of decoding the row (<see cref="RowHead"/>): a list of the
    /// calling thread's, valid until its next serialisation.
    /// </summary>
    public byte[] ToArray(StripeObject o, out List<long> refs)
    {
        refs = SnapshotConverter.Collect();
        return ToArray(o);
    }

    /// <summary>As <see cref="Buffered(StripeObject)"/>, with the positions the bytes refer to (see <see cref="ToArray(StripeObject, out List{long})"/>).</summary>
    public ReadOnlySpan<byte> Buffered(StripeObject o, out List<long> refs)
    {
        refs = SnapshotConverter.Collect();
        return Buffered(o);
    }

    /// <summary>The head of a version row (<see cref="RowHead"/>) as text; null without a schema or when the row has none.</summary>
    public string? Head(ObjectRow row) => schema is null ? null : RowHead.Of(schema, row.Object, row.Hot, row.Waits);

    /// <summary>At most how many bytes <see cref="Head(ObjectRow, Span{byte})"/> writes for the row.</summary>
    public int HeadMaxBytes(ObjectRow row) => schema is null ? 0 : RowHead.MaxBytes(schema, row.Object, row.Waits);

    /// <summary>The head of a version row as UTF-8 into <paramref name="into"/> (at least <see cref="HeadMaxBytes"/> long): its length, or -1 for none.</summary>
    public int Head(ObjectRow row, Span<byte> into) => schema is null ? -1 : RowHead.Write(schema, row.Object, row.Hot, row.Waits, into);

    /// <summary>The version's bytes in the calling thread's buffer, valid until that thread's next call.</summary>
    public ReadOnlySpan<byte> Buffered(StripeObject o)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        // The writer options JsonSerializer uses itself for SerializeToUtf8Bytes, so the bytes are the same.
        var writer = t_writer is { } w && w.Options.Encoder == options.Encoder && w.Options.Indented == options.WriteIndented
            ? w
            : t_writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented, SkipValidation = true });
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, o, o.GetType(), options);
        writer.Flush();
        return buffer.WrittenSpan;
    }
}
