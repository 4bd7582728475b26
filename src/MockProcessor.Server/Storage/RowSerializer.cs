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
public sealed class RowSerializer
{
    private readonly JsonSerializerOptions _options = null!;
    private readonly Func<StripeObject, byte[]>? _toArray;

    public RowSerializer(JsonSerializerOptions options) => _options = options;

    /// <summary>Bytes from a function (a test's failing serializer); <see cref="Buffered"/> then returns its arrays.</summary>
    public RowSerializer(Func<StripeObject, byte[]> toArray) => _toArray = toArray;

    // One buffer and writer per thread: the group commit's writer is one thread, so in practice there is one.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public byte[] ToArray(StripeObject o) => _toArray?.Invoke(o) ?? JsonSerializer.SerializeToUtf8Bytes(o, o.GetType(), _options);

    /// <summary>The version's bytes in the calling thread's buffer, valid until that thread's next call.</summary>
    public ReadOnlySpan<byte> Buffered(StripeObject o)
    {
        if (_toArray is not null) return _toArray(o);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        // The writer options JsonSerializer uses itself for SerializeToUtf8Bytes, so the bytes are the same.
        var writer = t_writer is { } w && w.Options.Encoder == _options.Encoder && w.Options.Indented == _options.WriteIndented
            ? w
            : t_writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = _options.Encoder, Indented = _options.WriteIndented, SkipValidation = true });
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, o, o.GetType(), _options);
        writer.Flush();
        return buffer.WrittenSpan;
    }
}
