namespace MockProcessor.Domain.CardNetwork;

// Enum members are written so that snake_case_lower gives Stripe's (or the catalogue's) wire value.

public enum ChargeResult { Succeed, Decline, Block }

public enum AttachResult { Succeed, Decline }

// charge.outcome.network_status
public enum NetworkStatus { ApprovedByNetwork, DeclinedByNetwork, NotSentToNetwork, ReversedAfterApproval }

// charge.outcome.type
public enum OutcomeType { Authorized, IssuerDeclined, Blocked, ManualReview, Invalid }

// charge.outcome.risk_level
public enum RiskLevel { Normal, Elevated, Highest }

// payment_method_details.card.checks.*; Unchecked is what a PaymentMethod shows before any charge ran the check.
public enum CheckResult { Pass, Fail, Unavailable, Unchecked }

public enum ThreeDSecureRequirement
{
    NotSupported,            // proceeds without authentication (Amex test cards)
    Supported,               // not enrolled: never prompts; attempt_acknowledged if 3DS is requested
    Optional,                // enrolled but not required: succeeds without action
    Required,                // every payment needs a challenge; succeeds once completed
    RequiredUnlessSetup,     // off session succeeds only after a setup; on session always challenges
    RequiredAlways,          // challenges every time; off session always fails authentication_required
    RequiredOnSessionOnly,   // treated as already set up: off session passes, on session challenges
    OptionalProcessingError, // not required, but any authentication attempt errors
    RequiredProcessingError, // required, and the 3DS lookup itself fails
}

public enum RefundBehavior { Succeed, PendingThenSucceed, SucceedThenFail }

// Where charge funds land first in the balance.
public enum FundsAvailability { Pending, Available }
