using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentMethods;

namespace MockProcessor.Domain.Tokens;

/// <summary>A single-use card token (<c>tok_</c>). The embedded card has its own <c>card_</c> id as in Stripe.</summary>
public sealed record Token : StripeObject
{
    public override string ObjectType => "token";
    public required string CardId { get; init; }
    public required CardDetails Card { get; init; }
    public string? CardName { get; init; }
    public string? ClientIp { get; init; }
    public bool Used { get; init; }
}
