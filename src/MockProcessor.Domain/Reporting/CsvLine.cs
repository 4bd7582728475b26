using System.Globalization;
using MockProcessor.Domain.Money;

namespace MockProcessor.Domain.Reporting;

/// <summary>
/// One CSV line being built in a reusable buffer: fields are appended without intermediate strings (money and
/// timestamps are formatted straight into the buffer), then the line is written to the output in one call.
/// Same dialect as <see cref="ReportCsv"/>.
/// </summary>
public sealed class CsvLine(TextWriter w)
{
    private char[] _buf = new char[1024];
    private int _len;
    private bool _first = true;
    // The last UTC day formatted ("yyyy-MM-dd "), and the last zone offset by UTC hour: rows come in time order.
    private long _day = long.MinValue;
    private readonly char[] _dayText = new char[11];
    private long _offsetHour = long.MinValue;
    private TimeZoneInfo? _offsetZone;
    private long _offset;

    private void Ensure(int more)
    {
        if (_len + more > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + more));
    }

    private void Separator()
    {
        if (!_first) { Ensure(1); _buf[_len++] = ','; }
        _first = false;
    }

    public void Empty() => Separator();

    public void Text(string? v)
    {
        Separator();
        if (string.IsNullOrEmpty(v)) return;
        if (v.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            Ensure(v.Length);
            v.CopyTo(_buf.AsSpan(_len));
            _len += v.Length;
            return;
        }
        var quoted = "\"" + v.Replace("\"", "\"\"") + "\"";
        Ensure(quoted.Length);
        quoted.CopyTo(_buf.AsSpan(_len));
        _len += quoted.Length;
    }

    public void Money(long minor, string currency)
    {
        Separator();
        Ensure(24);
        var exp = Currencies.Exponent(currency);
        var span = _buf.AsSpan(_len);
        if (exp == 0)
        {
            minor.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
            _len += n;
            return;
        }
        var pow = exp == 3 ? 1000L : 100L;
        var abs = Math.Abs(minor);
        var i = 0;
        if (minor < 0) span[i++] = '-';
        (abs / pow).TryFormat(span[i..], out var whole, default, CultureInfo.InvariantCulture);
        i += whole;
        span[i++] = '.';
        (abs % pow).TryFormat(span[i..], out var frac, exp == 3 ? "000" : "00", CultureInfo.InvariantCulture);
        _len += i + frac;
    }

    /// <summary><c>YYYY-MM-DD HH:MM:SS</c> of <paramref name="unix"/> in <paramref name="tz"/>.</summary>
    public void Stamp(long unix, TimeZoneInfo tz)
    {
        Separator();
        if (tz != TimeZoneInfo.Utc)
        {
            var hour = unix / 3600;
            if (hour != _offsetHour || !ReferenceEquals(tz, _offsetZone))
            {
                _offset = (long)tz.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(unix)).TotalSeconds;
                _offsetHour = hour;
                _offsetZone = tz;
            }
            unix += _offset;
        }
        var day = Math.DivRem(unix, 86_400, out var secs);
        if (secs < 0) { secs += 86_400; day--; }
        if (day != _day)
        {
            DateTimeOffset.FromUnixTimeSeconds(day * 86_400).TryFormat(_dayText, out _, "yyyy-MM-dd ", CultureInfo.InvariantCulture);
            _day = day;
        }
        Ensure(19);
        _dayText.CopyTo(_buf, _len);
        _len += 11;
        Two(secs / 3600); _buf[_len++] = ':'; Two(secs / 60 % 60); _buf[_len++] = ':'; Two(secs % 60);
    }

    private void Two(long v)
    {
        _buf[_len++] = (char)('0' + v / 10);
        _buf[_len++] = (char)('0' + v % 10);
    }

    public void End()
    {
        Ensure(1);
        _buf[_len++] = '\n';
        w.Write(_buf, 0, _len);
        _len = 0;
        _first = true;
    }
}
