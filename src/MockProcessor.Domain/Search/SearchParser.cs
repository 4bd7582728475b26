using System.Globalization;
using System.Text;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Search;

// A hand-written scanner: the language is small, and an error that names the exact position and
// token is worth more to API users than a generic "invalid query". Positions are 0-based offsets.
//
// query  = clause { (ws | ws "AND" ws | ws "OR" ws) clause }      (AND and OR never mixed; max 10 clauses)
// clause = ["-"] field [ws] op [ws] value
// field  = name | "metadata" "[" quoted "]"
// op     = ":" | "~" | "=" | ">" | "<" | ">=" | "<="
// value  = quoted | integer | "null"                              (quoted: '...' or "..." with \" \' \\ escapes)
//
// Stripe's docs never show whitespace around operators and do not say whether it is allowed;
// we accept it (`email : "x"`) rather than reject a query Stripe might take.
internal sealed class SearchParser
{
    // Stripe documents "up to 10 query clauses" per search.
    internal const int MaxClauses = 10;

    private enum Join { And, Or }

    private readonly string _text;
    private readonly SearchSchema _schema;
    private int _pos;

    private SearchParser(string text, SearchSchema schema)
    {
        _text = text;
        _schema = schema;
    }

    public static Outcome<SearchQuery> Parse(string? text, SearchSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new SearchParser(text ?? "", schema).ParseQuery();
    }

    private bool AtEnd => _pos >= _text.Length;
    private char Peek => AtEnd ? '\0' : _text[_pos];

    private Outcome<SearchQuery> ParseQuery()
    {
        SkipWhitespace();
        if (AtEnd)
            return Fail("The search query is empty. Provide at least one clause, such as email:\"jenny@example.com\".");

        var clauses = new List<SearchClause>();
        Join? join = null;
        while (true)
        {
            var clause = ParseClause();
            if (clause.IsError) return clause.Error!;
            clauses.Add(clause.Value);
            if (clauses.Count > MaxClauses)
                return Fail($"A search query may combine at most {MaxClauses} clauses; this one has more.");

            var gap = SkipWhitespace();
            if (AtEnd) break;
            if (IsParen(Peek)) return ParenError(_pos);
            if (gap == 0)
                return Fail($"Expected whitespace, AND or OR after the clause ending at position {_pos}, but found {Describe(_pos)}.");

            var keywordPos = _pos;
            var keyword = ReadKeyword();
            var next = keyword == "OR" ? Join.Or : Join.And; // whitespace alone is an implicit AND
            if (join is not null && join != next)
                return Fail($"AND and OR cannot be combined in one search query (position {keywordPos}); "
                    + "clauses separated only by whitespace count as AND.");
            join = next;
            if (keyword is not null)
            {
                SkipWhitespace();
                if (AtEnd)
                    return Fail($"The query ends after {keyword} at position {keywordPos}; expected a clause after it.");
            }
        }
        return new SearchQuery(clauses, join == Join.Or);
    }

    private Outcome<SearchClause> ParseClause()
    {
        if (IsParen(Peek)) return ParenError(_pos);
        var negated = Peek == '-';
        if (negated) _pos++;

        var nameStart = _pos;
        while (!AtEnd && (char.IsLetterOrDigit(Peek) || Peek is '_' or '.')) _pos++;
        var name = _text[nameStart.._pos];
        if (name.Length == 0)
            return IsParen(Peek) ? ParenError(_pos)
                : Fail($"Expected a field name at position {nameStart}, but found {Describe(nameStart)}.");
        if (IsKeyword(name))
            return Fail($"Unexpected {name.ToUpperInvariant()} at position {nameStart}; AND and OR must stand between two clauses.");
        if (!_schema.Fields.TryGetValue(name, out var kind))
            return Fail($"Field '{name}' at position {nameStart} cannot be searched on {_schema.Resource}. "
                + $"Searchable fields: {string.Join(", ", _schema.Fields.Keys.Order(StringComparer.Ordinal))}.");

        string? key = null;
        if (kind == SearchFieldKind.Metadata)
        {
            if (Peek != '[')
                return Fail($"Expected [\"key\"] after '{name}' at position {_pos}, as in {name}[\"order_id\"]:\"123\".");
            _pos++;
            if (!IsQuote(Peek))
                return Fail($"Metadata keys must be quoted: expected \" or ' at position {_pos}, but found {Describe(_pos)}.");
            var read = ReadQuoted();
            if (read.IsError) return read.Error!;
            key = read.Value;
            if (Peek != ']')
                return Fail($"Expected ] after the metadata key at position {_pos}, but found {Describe(_pos)}.");
            _pos++;
        }

        SkipWhitespace();
        var opPos = _pos;
        if (ReadOperator() is not { } op)
            return Fail($"Expected an operator (:, ~, =, >, <, >=, <=) after '{name}' at position {opPos}, but found {Describe(opPos)}.");
        SkipWhitespace();

        var valuePos = _pos;
        string? value;
        if (IsQuote(Peek))
        {
            var read = ReadQuoted();
            if (read.IsError) return read.Error!;
            value = read.Value;
        }
        else
        {
            while (!AtEnd && !char.IsWhiteSpace(Peek) && !IsQuote(Peek) && !IsParen(Peek)) _pos++;
            var raw = _text[valuePos.._pos];
            if (raw.Length == 0)
                return IsParen(Peek) ? ParenError(_pos)
                    : Fail($"Expected a value after '{SearchClause.OperatorText(op)}' at position {valuePos}, but found {Describe(valuePos)}.");
            if (raw.Equals("null", StringComparison.OrdinalIgnoreCase)) value = null;
            // Numbers may go unquoted on any field (Stripe's example: payment_method_details.card.last4:1234).
            else if (kind == SearchFieldKind.Number || IsBareNumber(raw)) value = raw;
            else return Fail($"String values must be quoted: found {raw} at position {valuePos}; write {_text[nameStart..opPos].TrimEnd()}{SearchClause.OperatorText(op)}\"{raw}\".");
        }
        return Validate(negated, name, key, kind, op, opPos, value, valuePos);
    }

    private Outcome<SearchClause> Validate(bool negated, string name, string? key, SearchFieldKind kind,
        SearchOperator op, int opPos, string? value, int valuePos)
    {
        var opText = SearchClause.OperatorText(op);
        if (value is null)
            return op == SearchOperator.Colon
                ? new SearchClause(negated, name, key, kind, op, null, 0)
                : Fail($"null can only be used with ':' (found '{opText}' at position {opPos}).");

        switch (kind)
        {
            case SearchFieldKind.Number:
                if (op == SearchOperator.Tilde)
                    return Fail($"Substring search '~' at position {opPos} works only on string fields; '{name}' is numeric.");
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                    return Fail($"'{name}' is a numeric field, but the value at position {valuePos} ({value}) is not an integer.");
                return new SearchClause(negated, name, key, kind, op, value, number);
            case SearchFieldKind.String:
                if (op is not (SearchOperator.Colon or SearchOperator.Tilde))
                    return Fail($"Operator '{opText}' at position {opPos} works only on numeric fields; '{name}' is a string field (use ':' or '~').");
                if (op == SearchOperator.Tilde && value.Length < 3)
                    return Fail($"Substring search '~' needs at least 3 characters; the value at position {valuePos} has {value.Length}.");
                return new SearchClause(negated, name, key, kind, op, value, 0);
            default:
                if (op != SearchOperator.Colon)
                    return Fail($"Operator '{opText}' at position {opPos} is not supported on '{name}', which only allows exact match ':'.");
                return new SearchClause(negated, name, key, kind, op, value, 0);
        }
    }

    private Outcome<string> ReadQuoted()
    {
        var start = _pos;
        var quote = _text[_pos++];
        var sb = new StringBuilder();
        while (!AtEnd)
        {
            var c = _text[_pos];
            if (c == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] is '"' or '\'' or '\\')
            {
                sb.Append(_text[_pos + 1]);
                _pos += 2;
                continue;
            }
            _pos++;
            if (c == quote) return sb.ToString();
            sb.Append(c);
        }
        return Fail($"Unterminated quoted string starting at position {start}; add the closing {quote}.");
    }

    private SearchOperator? ReadOperator()
    {
        if (AtEnd) return null;
        var two = _pos + 1 < _text.Length ? _text.Substring(_pos, 2) : "";
        if (two is ">=" or "<=")
        {
            _pos += 2;
            return two == ">=" ? SearchOperator.GreaterOrEqual : SearchOperator.LessOrEqual;
        }
        SearchOperator? op = Peek switch
        {
            ':' => SearchOperator.Colon,
            '~' => SearchOperator.Tilde,
            '=' => SearchOperator.Equal,
            '>' => SearchOperator.Greater,
            '<' => SearchOperator.Less,
            _ => null,
        };
        if (op is not null) _pos++;
        return op;
    }

    // AND / OR (any case) followed by whitespace or the end; returns it upper-cased and moves past it.
    private string? ReadKeyword()
    {
        var end = _pos;
        while (end < _text.Length && char.IsAsciiLetter(_text[end])) end++;
        var word = _text[_pos..end];
        if (!IsKeyword(word) || (end < _text.Length && !char.IsWhiteSpace(_text[end]))) return null;
        _pos = end;
        return word.ToUpperInvariant();
    }

    private int SkipWhitespace()
    {
        var start = _pos;
        while (!AtEnd && char.IsWhiteSpace(Peek)) _pos++;
        return _pos - start;
    }

    private string Describe(int pos) => pos >= _text.Length ? "the end of the query" : $"'{_text[pos]}'";

    private static bool IsKeyword(string word) =>
        word.Equals("AND", StringComparison.OrdinalIgnoreCase) || word.Equals("OR", StringComparison.OrdinalIgnoreCase);

    private static bool IsQuote(char c) => c is '"' or '\'';
    private static bool IsParen(char c) => c is '(' or ')';

    private static bool IsBareNumber(string raw) =>
        decimal.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);

    private static StripeError ParenError(int pos) =>
        StripeError.InvalidSearchQuery($"Parentheses are not supported in search queries (found at position {pos}); "
            + "combine clauses with AND or OR only.");

    private static StripeError Fail(string message) => StripeError.InvalidSearchQuery(message);
}
