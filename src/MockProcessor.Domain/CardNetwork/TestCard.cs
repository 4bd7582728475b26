namespace MockProcessor.Domain.CardNetwork;

// One entry of test-cards.json. The aliases (pm_card_*, tok_*) are the lookup key, not the number:
// a few Stripe tokens have no number of their own, so they appear as extra "alias_only" entries that
// reuse the number of the closest card but carry their own behaviour. ByNumber never returns those.
public sealed record TestCard(
    string Number,
    string Brand,
    string DisplayBrand,
    string Country,
    string Funding,
    IReadOnlyList<string> PaymentMethods,
    IReadOnlyList<string> Tokens,
    string Description,
    TestCardBehavior Behavior)
{
    // card.networks.available; present only for co-branded cards (Cartes Bancaires, eftpos).
    public IReadOnlyList<string>? Networks { get; init; }

    public bool AliasOnly { get; init; }

    // False only for numbers kept to document the Luhn failure (incorrect_number at creation).
    public bool LuhnValid { get; init; } = true;

    // Co-branded cards report the catalogue brand, which IIN ranges alone cannot tell apart.
    public bool IsCoBranded => Networks is { Count: > 1 };

    public string Last4 => CardNumbers.Last4(Number);

    /// <summary>
    /// Saving the card to a customer (attaching a PaymentMethod, adding a card source): Stripe verifies it with the
    /// issuer, so a card the issuer declines cannot be saved — the decline (402) is the answer. The cvcCheckFail
    /// cards fail only a CVC that was supplied (<see cref="TestCardBehavior.DeclineOnlyWithCvc"/>).
    /// </summary>
    public Errors.StripeError? DeclineOnSave(bool cvcSupplied) =>
        Behavior is { Attach: AttachResult.Decline, ErrorCode: { } code } b && !(b.DeclineOnlyWithCvc && !cvcSupplied)
            ? Errors.StripeError.CardDeclined(code, b.DeclineCode, b.Message ?? "Your card was declined.")
            : null;
}

// What the emulated network does with the card. `Charge` and its codes are the issuer's (or Radar's)
// answer once the payment reaches it, i.e. after any authentication that ThreeDSecure demands has been
// satisfied; when authentication is demanded but impossible (off session), the engine declines with
// authentication_required as a general rule, not as card data. Checks are the results when the
// corresponding value (CVC, line1, postal code) was supplied; otherwise the engine reports them unchecked/null.
public sealed record TestCardBehavior(
    ChargeResult Charge,
    string? ErrorCode,
    string? DeclineCode,
    string? Message,
    string? OutcomeReason,
    NetworkStatus NetworkStatus,
    OutcomeType OutcomeType,
    RiskLevel RiskLevel,
    int RiskScore,
    AttachResult Attach,
    CheckResult CvcCheck,
    CheckResult AddressLine1Check,
    CheckResult AddressPostalCodeCheck,
    ThreeDSecureRequirement ThreeDSecure,
    AfterAuthentication? AfterAuthentication,
    TestCardDispute? Dispute,
    bool EarlyFraudWarning,
    RefundBehavior Refund,
    FundsAvailability Funds)
{
    // The cvcCheckFail cards decline as incorrect_cvc only when a CVC was sent (a check cannot fail on a
    // value that was not supplied); without one they charge like an ordinary card. 0127 declines always.
    public bool DeclineOnlyWithCvc { get; init; }
}

// Set for 3DS cards whose payment is declined even after the challenge succeeds, so a 3DS flow can read
// the post-challenge answer without re-deriving it from the top-level fields.
public sealed record AfterAuthentication(ChargeResult Charge, string ErrorCode, string DeclineCode, string Message);

// The dispute the network opens some time after the charge succeeds. Count > 1 means repeated disputes.
public sealed record TestCardDispute(
    string Reason,
    string Status,
    bool Inquiry,
    int Count,
    IReadOnlyList<string> EnhancedEligibilityTypes);
