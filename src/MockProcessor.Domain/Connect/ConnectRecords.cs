using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Connect;

/// <summary>
/// The Connect parameters of a PaymentIntent, copied onto its charges (docs/connect.md): a destination charge names
/// <see cref="TransferDestination"/>; a direct charge is made as the connected account and has only
/// <see cref="ApplicationFeeAmount"/>.
/// </summary>
public sealed record ConnectPayment(long? ApplicationFeeAmount, string? TransferDestination, long? TransferAmount, string? OnBehalfOf)
{
    public bool IsEmpty => ApplicationFeeAmount is null && TransferDestination is null && OnBehalfOf is null;
}

/// <summary>An application fee (<c>fee_</c>): what a platform earned on a connected account's charge. Owned by the platform.</summary>
public sealed record ApplicationFee : StripeObject
{
    public override string ObjectType => "application_fee";
    public required long Amount { get; init; }
    public long AmountRefunded { get; init; }
    public required string Currency { get; init; }
    /// <summary>The connected account the fee was collected from.</summary>
    public required string Account { get; init; }
    public required string Charge { get; init; }
    public string? BalanceTransaction { get; init; }
    public bool Refunded => AmountRefunded >= Amount;
}

/// <summary>A refund of part of an application fee (<c>fr_</c>, object <c>fee_refund</c>). Owned by the platform.</summary>
public sealed record FeeRefund : StripeObject
{
    public override string ObjectType => "fee_refund";
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Fee { get; init; }
    public string? BalanceTransaction { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

/// <summary>Money sent from a platform to a connected account (<c>tr_</c>). Owned by the platform.</summary>
public sealed record Transfer : StripeObject
{
    public override string ObjectType => "transfer";
    public required long Amount { get; init; }
    public long AmountReversed { get; init; }
    public required string Currency { get; init; }
    public required string Destination { get; init; }
    /// <summary>The <c>py_</c> payment the transfer created on the connected account.</summary>
    public string? DestinationPayment { get; init; }
    public string? BalanceTransaction { get; init; }
    public string? SourceTransaction { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public bool Reversed => AmountReversed >= Amount;
}

/// <summary>A reversal of part of a transfer (<c>trr_</c>): the money comes back from the connected account. Owned by the platform.</summary>
public sealed record TransferReversal : StripeObject
{
    public override string ObjectType => "transfer_reversal";
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Transfer { get; init; }
    public string? BalanceTransaction { get; init; }
    public string? SourceRefund { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}
