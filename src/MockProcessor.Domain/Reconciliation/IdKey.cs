using System.Buffers.Binary;
using System.Text;

namespace MockProcessor.Domain.Reconciliation;

/// <summary>
/// A Stripe id (up to 32 ASCII characters, e.g. <c>ch_</c> + 24) packed into 32 bytes, so an index of a million
/// charges costs a struct per entry instead of two strings (docs/reports.md, memory). Lossless: <see cref="ToString"/>
/// gives the id back. Longer or non-ASCII ids cannot be ours; <see cref="TryFrom"/> refuses them.
/// </summary>
public readonly record struct IdKey(ulong A, ulong B, ulong C, ulong D)
{
    public const int MaxLength = 32;

    public static bool TryFrom(ReadOnlySpan<byte> utf8, out IdKey key)
    {
        key = default;
        if (utf8.Length == 0 || utf8.Length > MaxLength) return false;
        Span<byte> buf = stackalloc byte[MaxLength];
        buf.Clear();
        foreach (var b in utf8) if (b is 0 or >= 0x80) return false;
        utf8.CopyTo(buf);
        key = new IdKey(BinaryPrimitives.ReadUInt64LittleEndian(buf), BinaryPrimitives.ReadUInt64LittleEndian(buf[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(buf[16..]), BinaryPrimitives.ReadUInt64LittleEndian(buf[24..]));
        return true;
    }

    public static bool TryFrom(string? id, out IdKey key)
    {
        key = default;
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength) return false;
        Span<byte> utf8 = stackalloc byte[MaxLength];
        for (var i = 0; i < id.Length; i++)
        {
            if (id[i] is '\0' or >= (char)0x80) return false;
            utf8[i] = (byte)id[i];
        }
        return TryFrom(utf8[..id.Length], out key);
    }

    public static IdKey From(string id) => TryFrom(id, out var k) ? k : throw new ArgumentException($"Not an id: {id}", nameof(id));

    public bool IsEmpty => A == 0;

    public override string ToString()
    {
        Span<byte> buf = stackalloc byte[MaxLength];
        BinaryPrimitives.WriteUInt64LittleEndian(buf, A);
        BinaryPrimitives.WriteUInt64LittleEndian(buf[8..], B);
        BinaryPrimitives.WriteUInt64LittleEndian(buf[16..], C);
        BinaryPrimitives.WriteUInt64LittleEndian(buf[24..], D);
        var len = buf.IndexOf((byte)0);
        return Encoding.ASCII.GetString(len < 0 ? buf : buf[..len]);
    }
}
