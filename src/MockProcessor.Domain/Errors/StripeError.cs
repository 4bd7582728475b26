namespace MockProcessor.Domain.Errors;

/// <summary>
/// One Stripe error, as the API reports it in <c>{"error": {...}}</c>. Every message text the emulator
/// uses lives in the factories below, so wording stays consistent across resources.
/// </summary>
public sealed record StripeError(int Status, string Type, string? Code, string Message, string? Param = null)
{
    public string? DeclineCode { get; init; }
    public string? AdviceCode { get; init; }
    public string? ChargeId { get; init; }
    /// <summary>Ids of objects the server layer renders in full into the error (payment_intent, payment_method...).</summary>
    public string? PaymentIntentId { get; init; }
    public string? PaymentMethodId { get; init; }
    public string? SetupIntentId { get; init; }

    public const string InvalidRequest = "invalid_request_error";
    public const string CardErrorType = "card_error";
    public const string ApiErrorType = "api_error";
    public const string IdempotencyErrorType = "idempotency_error";

    public string? DocUrl => Code is null ? null : "https://stripe.com/docs/error-codes/" + Code.Replace('_', '-');

    public static StripeError ParameterUnknown(string param) =>
        new(400, InvalidRequest, "parameter_unknown", $"Received unknown parameter: {param}", param);

    public static StripeError ParameterMissing(string param) =>
        new(400, InvalidRequest, "parameter_missing", $"Missing required param: {param}.", param);

    public static StripeError InvalidInteger(string param, string value) =>
        new(400, InvalidRequest, "parameter_invalid_integer", $"Invalid integer: {value}", param);

    public static StripeError InvalidBoolean(string param, string value) =>
        new(400, InvalidRequest, "parameter_invalid_boolean", $"Invalid boolean: {value}", param);

    public static StripeError InvalidEmpty(string param) =>
        new(400, InvalidRequest, "parameter_invalid_empty",
            $"You passed an empty string for '{param}'. We assume empty values are an attempt to unset a parameter; however '{param}' cannot be unset. You should remove '{param}' from your request or supply a non-empty value.", param);

    public static StripeError InvalidEnum(string param, string value, IEnumerable<string> allowed) =>
        new(400, InvalidRequest, null,
            $"Invalid {param}: must be one of {string.Join(", ", allowed)}", param);

    public static StripeError InvalidValue(string param, string message) =>
        new(400, InvalidRequest, null, message, param);

    public static StripeError InvalidShape(string param, string expected) =>
        new(400, InvalidRequest, null, $"Invalid {param}: expected {expected}.", param);

    public static StripeError ParametersExclusive(string a, string b) =>
        new(400, InvalidRequest, "parameters_exclusive", $"You may only specify one of these parameters: {a}, {b}.", a);

    /// <summary>A <c>Stripe-Version</c> (or <c>api_version</c> parameter) that names no released version.</summary>
    public static StripeError InvalidApiVersion(string version, string? param = null) =>
        new(400, InvalidRequest, null, $"Invalid Stripe API version: {version}", param);

    /// <summary>A parameter the caller's API version no longer has (docs/api-versions.md); Stripe names a replacement.</summary>
    public static StripeError ParameterRemovedAtVersion(string param, string code, string version, string replacement) =>
        new(400, InvalidRequest, code,
            $"The `{param}` parameter is not supported at API version {version}. Use {replacement} instead.", param);

    /// <summary>None of a PaymentIntent's allowed payment method types can be used (the emulator has cards only).</summary>
    public static StripeError NoUsablePaymentMethodTypes(string param) =>
        new(400, InvalidRequest, null,
            $"None of the payment method types in `{param}` can be used for this payment. MockProcessor emulates `card` payments only.", param);

    public static StripeError ResourceMissing(string objectName, string id, string param = "id") =>
        new(404, InvalidRequest, "resource_missing", $"No such {objectName}: '{id}'", param);

    // --- Products and prices (docs/products-prices.md) ---

    /// <summary>A caller-chosen id (products accept one) that an object of the account already has.</summary>
    public static StripeError ResourceAlreadyExists(string objectName, string param = "id") =>
        new(400, InvalidRequest, "resource_already_exists", $"{objectName} already exists.", param);

    public static StripeError ProductHasPrices() =>
        new(400, InvalidRequest, null, "This product cannot be deleted because it has one or more user-created prices.");

    public static StripeError DefaultPriceCannotBeArchived() =>
        new(400, InvalidRequest, null, "This price cannot be archived because it is the default price of its product.", "active");

    public static StripeError LookupKeyInUse(string holderId) =>
        new(400, InvalidRequest, null, $"A price (`{holderId}`) already uses that lookup key.", "lookup_key");

    public static StripeError CurrencyOptionIsTopLevel(string param) =>
        new(400, InvalidRequest, null,
            "You are specifying an update to a currency option that matches the top-level currency for this price. Please remove this currency option and update the top-level params instead.", param);

    public static StripeError UrlTooLong(int length, int max) =>
        new(414, InvalidRequest, null,
            $"The request URL is {length} characters long; at most {max} are accepted. Send long parameter lists in a POST body.");

    public static StripeError UrlNotFound(string method, string path) =>
        new(404, InvalidRequest, null,
            $"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.");

    public static StripeError MethodNotAllowed(string method, string path) =>
        new(405, InvalidRequest, null, $"Unrecognized request URL ({method}: {path}). This URL does not accept {method} requests.");

    public static StripeError NoApiKey() =>
        new(401, InvalidRequest, null,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");

    public static StripeError InvalidApiKey(string key) =>
        new(401, InvalidRequest, null, $"Invalid API Key provided: {MaskKey(key)}");

    public static StripeError LiveKeyRefused(string key) =>
        new(401, InvalidRequest, null,
            $"Invalid API Key provided: {MaskKey(key)}. MockProcessor only emulates test mode; live-mode keys are refused.");

    public static StripeError ApiKeyExpired(string key) =>
        new(401, InvalidRequest, "api_key_expired", $"Expired API Key provided: {MaskKey(key)}");

    // A restricted key without the permission a call needs: 403 invalid_request_error, no code (stripe-facts.md).
    public static StripeError RestrictedKeyPermission(string key, string accountId, string permission) =>
        new(403, InvalidRequest, null,
            $"The provided key '{MaskKey(key)}' does not have the required permissions for this endpoint on account '{accountId}'. Having the '{permission}' permission would allow this request to continue.");

    // Stripe-Account naming an account the key may not act on, or none: one answer, so existence is not revealed.
    public static StripeError AccountInvalid(string key, string account) =>
        new(403, InvalidRequest, "account_invalid",
            $"The provided key '{MaskKey(key)}' does not have access to account '{account}' (or that account does not exist). Application access may have been revoked.");

    public static StripeError SecretKeyRequired() =>
        new(401, InvalidRequest, "secret_key_required",
            "This API call cannot be made with a publishable API key. Please use a secret API key.");

    public static StripeError IdempotencyMismatch(string key) =>
        new(400, IdempotencyErrorType, null,
            $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.");

    public static StripeError IdempotencyKeyTooLong() =>
        new(400, InvalidRequest, null, "Idempotency-Key must be at most 255 characters long.", null);

    public static StripeError BodyTooLarge(long max) =>
        new(413, InvalidRequest, null, $"The request body exceeds the maximum size of {max} bytes.");

    public static StripeError MalformedRequest(string detail) =>
        new(400, InvalidRequest, null, $"Invalid request: {detail}");

    // Search query syntax errors; the message names the position and token (see Search/SearchParser).
    public static StripeError InvalidSearchQuery(string message) =>
        new(400, InvalidRequest, null, message, "query");

    public static StripeError Internal(string requestId) =>
        new(500, ApiErrorType, null, $"An unexpected error occurred in MockProcessor (request {requestId}). This is a bug in the emulator.");

    // --- Injected HTTP faults (POST /_mock/faults): Stripe's shapes, with the rule named so nobody hunts a real bug ---

    public static StripeError InjectedApiError(string faultId) =>
        new(500, ApiErrorType, null, $"An unknown error occurred. (Injected by MockProcessor fault rule {faultId}.)");

    public static StripeError InjectedRateLimit(string faultId) => RateLimit($"Injected by MockProcessor fault rule {faultId}.");

    // --- Rate limiting: a scripted fault (above) or --rate-limit (docs/rate-limits.md) ---

    /// <summary>
    /// Stripe's answer to a request over a rate limit: 429, type invalid_request_error, code rate_limit, Stripe's message,
    /// and <paramref name="note"/> saying what in the emulator answered so (a fault rule, or --rate-limit).
    /// </summary>
    public static StripeError RateLimit(string note) =>
        new(429, InvalidRequest, "rate_limit",
            $"Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits. ({note})");

    /// <summary>A request over the account's limit of <c>--rate-limit</c>: which limit, and how many requests a second it allows.</summary>
    public static StripeError RateLimited(string limit, double perSecond) =>
        RateLimit($"MockProcessor --rate-limit: over the {limit} limit of {perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture)} requests per second for this account.");

    public static StripeError InjectedUnavailable(string faultId) =>
        new(503, ApiErrorType, null, $"The service is temporarily unavailable. Please try again later. (Injected by MockProcessor fault rule {faultId}.)");

    /// <summary>The lost response of <c>apply_then_fail</c>: the request was applied, the client is told otherwise.</summary>
    public static StripeError InjectedLostResponse(string faultId) =>
        new(500, ApiErrorType, null,
            $"An unknown error occurred. (Injected by MockProcessor fault rule {faultId} after the request was applied: retry with the same Idempotency-Key to get its result.)");

    /// <summary>A card error (402) raised while reading card details, before any network is involved.</summary>
    public static StripeError CardInvalid(string code, string message, string param) =>
        new(402, CardErrorType, code, message, param);

    public static StripeError IncorrectNumber() => CardInvalid("incorrect_number", "Your card number is incorrect.", "number");
    public static StripeError InvalidNumber() => CardInvalid("invalid_number", "Your card number is not a valid credit card number.", "number");
    public static StripeError InvalidExpiryMonth() => CardInvalid("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month");
    public static StripeError InvalidExpiryYear() => CardInvalid("invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year");
    public static StripeError InvalidCvc() => CardInvalid("invalid_cvc", "Your card's security code is invalid.", "cvc");

    /// <summary>A real (non-test) card number used in test mode.</summary>
    public static StripeError LiveCardInTestMode() =>
        new(402, CardErrorType, "card_declined",
            "Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.", null)
        { DeclineCode = "test_mode_live_card" };

    public static StripeError CardDeclined(string code, string? declineCode, string message, string? chargeId = null) =>
        new(402, CardErrorType, code, message, null) { DeclineCode = declineCode, ChargeId = chargeId };

    public static StripeError TokenAlreadyUsed(string id) =>
        new(400, InvalidRequest, "token_already_used",
            $"You cannot use a Stripe token more than once: {id}.", null);

    public static StripeError PaymentMethodAlreadyAttached(string id) =>
        new(400, InvalidRequest, null,
            $"The payment method you provided ({id}) has already been attached to a customer. Detach it first, or use another payment method.", null);

    public static StripeError PaymentMethodNotAttached(string id) =>
        new(400, InvalidRequest, "payment_method_unexpected_state",
            $"The payment method {id} is not attached to a customer, so this action is not possible.", null);

    // --- Amounts and currencies (Money/Currencies) ---

    public static StripeError InvalidCurrency(string currency, IEnumerable<string> supported, string param = "currency") =>
        new(400, InvalidRequest, null,
            $"Invalid currency: {currency}. Stripe currently supports these currencies: {string.Join(", ", supported)}", param);

    // "Amount must be at least $0.50 usd" (observed wording, §10).
    public static StripeError AmountTooSmall(string formattedMinimum, string currency, string param = "amount") =>
        new(400, InvalidRequest, "amount_too_small", $"Amount must be at least {formattedMinimum} {currency}", param);

    public static StripeError AmountTooLarge(string formattedMaximum, string currency, string param = "amount") =>
        new(400, InvalidRequest, "amount_too_large", $"Amount must be no more than {formattedMaximum} {currency}", param);

    public static StripeError AmountNotPositive(string param = "amount") =>
        new(400, InvalidRequest, "parameter_invalid_integer", "This value must be greater than or equal to 1.", param);

    public static StripeError ThreeDecimalLastDigit(string currency, string param = "amount") =>
        new(400, InvalidRequest, null,
            $"Invalid amount for {currency}: amounts in three-decimal currencies must end in 0 (card networks settle to two decimals), e.g. 5120 rather than 5124.", param);

    public static StripeError WholeUnitsRequired(string currency, string param = "amount") =>
        new(400, InvalidRequest, null,
            $"Invalid amount for {currency}: {currency} amounts are sent with two decimals and must be divisible by 100.", param);

    // --- Card network answers (CardNetwork/CardNetworkEngine) ---

    public const string AuthenticationRequiredMessage = "Your card was declined. This transaction requires authentication.";

    public const string AuthenticationRequiredSellerMessage = "The bank returned the decline code `authentication_required`.";

    public const string ApprovedSellerMessage = "Payment complete.";
    public const string BlockedSellerMessage = "Stripe blocked this payment as too risky.";
    public const string GenericDeclineSellerMessage = "The bank did not return any further details with this decline.";
    public const string InvalidCardSellerMessage = "The card details were rejected before reaching the network.";

    public static string DeclineCodeSellerMessage(string declineCode) => $"The bank returned the decline code `{declineCode}`.";

    // The 402 for a failed authorization, decorated with the objects the server renders into the error.
    public static StripeError CardFailure(
        string code, string? declineCode, string message, string? param, string? adviceCode,
        string? chargeId, string? paymentIntentId, string? paymentMethodId) =>
        new(402, CardErrorType, code, message, param)
        {
            DeclineCode = declineCode, AdviceCode = adviceCode, ChargeId = chargeId,
            PaymentIntentId = paymentIntentId, PaymentMethodId = paymentMethodId,
        };

    // --- PaymentIntents ---

    // Stripe's wording for cancel is "A PaymentIntent object can be canceled when it is in one of these
    // statuses: ..." (seen in solidus_stripe#56); the other verbs follow the same shape in our words.
    public static StripeError PaymentIntentUnexpectedState(string paymentIntentId, string verb, string status, IEnumerable<string> allowed)
    {
        var list = allowed.ToList();
        var hint = list.Count == 0
            ? $"No PaymentIntent can be {verb} in this way."
            : $"A PaymentIntent can be {verb} only when it is in one of these statuses: {string.Join(", ", list)}.";
        return new(400, InvalidRequest, "payment_intent_unexpected_state",
            $"This PaymentIntent cannot be {verb} because it has a status of {status}. {hint}")
        { PaymentIntentId = paymentIntentId };
    }

    /// <summary>
    /// Since API 2023-08-16 a PaymentIntent created without payment_method_types accepts the Dashboard's
    /// payment methods, some of which redirect; confirming it then needs a return_url unless redirects are off.
    /// </summary>
    public static StripeError ReturnUrlRequired(string paymentIntentId) =>
        new(400, InvalidRequest, null,
            "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, and some of them may redirect your customer away from your page, so you must provide a `return_url` when confirming. If you do not want redirect-based payment methods, create the PaymentIntent with `automatic_payment_methods[allow_redirects]=never` (or with `allowed_payment_method_types`).",
            "return_url")
        { PaymentIntentId = paymentIntentId };

    public static StripeError PaymentIntentMissingPaymentMethod(string paymentIntentId) =>
        new(400, InvalidRequest, "payment_intent_unexpected_state",
            "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with a payment method, pass payment_method or payment_method_data.")
        { PaymentIntentId = paymentIntentId };

    public static StripeError PaymentIntentFieldFrozen(string paymentIntentId, string param, string status) =>
        new(400, InvalidRequest, "payment_intent_unexpected_state",
            $"You cannot update {param} on this PaymentIntent because it has a status of {status}. It can only be changed while the PaymentIntent is requires_payment_method, requires_confirmation or requires_action.", param)
        { PaymentIntentId = paymentIntentId };

    public static StripeError AmountToCaptureTooLarge(string paymentIntentId, long amountToCapture, long capturable) =>
        new(400, InvalidRequest, "amount_too_large",
            $"The amount_to_capture ({amountToCapture}) cannot be greater than this PaymentIntent's amount_capturable ({capturable}).", "amount_to_capture")
        { PaymentIntentId = paymentIntentId };

    public static StripeError ChargeExpiredForCapture(string chargeId, string paymentIntentId) =>
        new(400, InvalidRequest, "charge_expired_for_capture",
            $"Charge {chargeId} has expired for capture: its authorization was not captured in time and the funds were released.")
        { ChargeId = chargeId, PaymentIntentId = paymentIntentId };

    // --- Legacy Charges API ---

    public static StripeError ChargeExpiredForCapture(string chargeId) =>
        new(400, InvalidRequest, "charge_expired_for_capture",
            $"Charge {chargeId} has expired for capture: its authorization was not captured in time and the funds were released.")
        { ChargeId = chargeId };

    public static StripeError ChargeAlreadyCaptured(string chargeId) =>
        new(400, InvalidRequest, "charge_already_captured", $"Charge {chargeId} has already been captured.")
        { ChargeId = chargeId };

    public static StripeError ChargeNotCapturable(string chargeId, string status) =>
        new(400, InvalidRequest, null, $"Charge {chargeId} has a status of {status} and cannot be captured; only succeeded, uncaptured charges can be.")
        { ChargeId = chargeId };

    public static StripeError CaptureChargeOfPaymentIntent(string chargeId, string paymentIntentId) =>
        new(400, InvalidRequest, null,
            $"Charge {chargeId} was created by a PaymentIntent ({paymentIntentId}); capture the PaymentIntent instead.")
        { ChargeId = chargeId, PaymentIntentId = paymentIntentId };

    public static StripeError CaptureGreaterThanCharge(string chargeId, long amount, long chargeAmount) =>
        new(400, InvalidRequest, "amount_too_large",
            $"The amount to capture ({amount}) cannot be greater than the amount of charge {chargeId} ({chargeAmount}).", "amount")
        { ChargeId = chargeId };

    // The legacy API needs something to charge: a source, or a customer with a default payment method.
    public static StripeError ChargeMissingSource() =>
        new(400, InvalidRequest, "missing", "Must provide source or customer.");

    // Stripe's wording for a card_ that is not one of the charged customer's sources [O].
    public static StripeError SourceNotLinked(string customerId, string sourceId) =>
        new(404, InvalidRequest, "resource_missing", $"Customer {customerId} does not have a linked source with ID {sourceId}.", "source");

    public static StripeError SourceNeedsCustomer(string sourceId, string customerId) =>
        new(400, InvalidRequest, null,
            $"The source {sourceId} is a card saved to customer {customerId}; pass customer={customerId} to charge it.", "source");

    public static StripeError CustomerHasNoPaymentSource(string customerId) =>
        new(400, InvalidRequest, "missing",
            $"Cannot charge a customer that has no active card: customer {customerId} has no default payment method.", "customer");

    // --- Refunds (API) ---

    // Stripe lets only requires_action refunds be canceled through the API; card refunds are canceled in the Dashboard.
    public static StripeError RefundNotCancelable(string refundId, string status) =>
        new(400, InvalidRequest, null,
            $"Refund {refundId} cannot be canceled because it has a status of {status}. Only refunds with a status of requires_action can be canceled.");

    public static StripeError RefundMissingTarget() =>
        new(400, InvalidRequest, "parameter_missing",
            "One of the following params should be provided for this request: payment_intent or charge.");

    public static StripeError RefundChargeNotOfPaymentIntent(string chargeId, string paymentIntentId) =>
        new(400, InvalidRequest, null, $"Charge {chargeId} does not belong to PaymentIntent {paymentIntentId}.", "charge")
        { ChargeId = chargeId };

    public static StripeError PaymentIntentHasNoCharge(string paymentIntentId) =>
        new(400, InvalidRequest, null,
            $"This PaymentIntent ({paymentIntentId}) does not have a successful charge to refund.", "payment_intent")
        { PaymentIntentId = paymentIntentId };

    // Stripe's message for a failed 3DS challenge, stored as the PI's last_payment_error.
    public static StripeError PaymentIntentAuthenticationFailure(string paymentIntentId, string? paymentMethodId) =>
        new(400, InvalidRequest, "payment_intent_authentication_failure",
            "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.")
        { PaymentIntentId = paymentIntentId, PaymentMethodId = paymentMethodId };

    // --- SetupIntents ---

    public static StripeError SetupIntentUnexpectedState(string setupIntentId, string verb, string status, IEnumerable<string> allowed)
    {
        var list = allowed.ToList();
        var hint = list.Count == 0
            ? $"No SetupIntent can be {verb} in this way."
            : $"A SetupIntent can be {verb} only when it is in one of these statuses: {string.Join(", ", list)}.";
        return new(400, InvalidRequest, "setup_intent_unexpected_state",
            $"This SetupIntent cannot be {verb} because it has a status of {status}. {hint}")
        { SetupIntentId = setupIntentId };
    }

    public static StripeError SetupIntentMissingPaymentMethod(string setupIntentId) =>
        new(400, InvalidRequest, "setup_intent_unexpected_state",
            "You cannot confirm this SetupIntent because it's missing a payment method. To confirm the SetupIntent with a payment method, pass payment_method or payment_method_data.")
        { SetupIntentId = setupIntentId };

    public static StripeError SetupIntentFieldFrozen(string setupIntentId, string param, string status) =>
        new(400, InvalidRequest, "setup_intent_unexpected_state",
            $"You cannot update {param} on this SetupIntent because it has a status of {status}. It can only be changed while the SetupIntent is requires_payment_method, requires_confirmation or requires_action.", param)
        { SetupIntentId = setupIntentId };

    /// <summary>C22: a SetupIntent with automatic payment methods may redirect, so confirming it needs a return_url.</summary>
    public static StripeError SetupIntentReturnUrlRequired(string setupIntentId) =>
        new(400, InvalidRequest, null,
            "This SetupIntent is configured to accept payment methods enabled in your Dashboard, and some of them may redirect your customer away from your page, so you must provide a `return_url` when confirming. If you do not want redirect-based payment methods, create the SetupIntent with `automatic_payment_methods[allow_redirects]=never` (or with `allowed_payment_method_types`).",
            "return_url")
        { SetupIntentId = setupIntentId };

    // A failed 3DS challenge during setup, stored as the SetupIntent's last_setup_error.
    public static StripeError SetupIntentAuthenticationFailure(string setupIntentId, string? paymentMethodId) =>
        new(400, InvalidRequest, "setup_intent_authentication_failure",
            "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to set up the payment method again.")
        { SetupIntentId = setupIntentId, PaymentMethodId = paymentMethodId };

    // --- Refunds ---

    public static StripeError ChargeNotRefundable(string chargeId, string status) =>
        new(400, InvalidRequest, null, $"Charge {chargeId} has a status of {status} and cannot be refunded; only succeeded charges can be.", "charge")
        { ChargeId = chargeId };

    // Observed wording (woocommerce-gateway-stripe#1081).
    public static StripeError RefundUncapturedPaymentIntentCharge(string chargeId, string paymentIntentId) =>
        new(400, InvalidRequest, null,
            $"This uncaptured Charge was created by a PaymentIntent ({paymentIntentId}). You must cancel the PaymentIntent to reverse the authorization instead of refunding the Charge directly. For more information, see https://stripe.com/docs/payments/payment-intents/creating-payment-intents#separate-auth-capture", "charge")
        { ChargeId = chargeId, PaymentIntentId = paymentIntentId };

    public static StripeError RefundUncapturedCharge(string chargeId) =>
        new(400, InvalidRequest, null, $"Charge {chargeId} has not been captured, so there is nothing to refund.", "charge")
        { ChargeId = chargeId };

    public static StripeError ChargeAlreadyRefunded(string chargeId) =>
        new(400, InvalidRequest, "charge_already_refunded", $"Charge {chargeId} has already been refunded.", "charge")
        { ChargeId = chargeId };

    public static StripeError ChargeDisputed(string chargeId) =>
        new(400, InvalidRequest, "charge_disputed", $"Charge {chargeId} has been charged back; cannot issue a refund.", "charge")
        { ChargeId = chargeId };

    // Both wordings observed (woocommerce-gateway-stripe#1315, reaction#3704); code per stripe-go's list.
    public static StripeError RefundGreaterThanCharge(string formattedRefund, string formattedCharge) =>
        new(400, InvalidRequest, "amount_too_large", $"Refund amount ({formattedRefund}) is greater than charge amount ({formattedCharge})", "amount");

    public static StripeError RefundGreaterThanUnrefunded(string formattedRefund, string formattedRemaining) =>
        new(400, InvalidRequest, "amount_too_large", $"Refund amount ({formattedRefund}) is greater than unrefunded amount on charge ({formattedRemaining})", "amount");

    public static StripeError RefundNothingToSettle(string refundId, string status) =>
        new(400, InvalidRequest, null, $"Refund {refundId} has a status of {status}; it has no later transition to apply.");

    public static StripeError ChargeNotDisputable(string chargeId, string why) =>
        new(400, InvalidRequest, null, $"Charge {chargeId} cannot be disputed: {why}.", "charge") { ChargeId = chargeId };

    public static StripeError DisputeClosed(string disputeId, string status) =>
        new(400, InvalidRequest, null, $"This dispute ({disputeId}) is already closed (status {status}); it can no longer be changed.");

    public static StripeError DisputeEvidenceLocked(string disputeId, string status) =>
        new(400, InvalidRequest, null,
            $"Dispute {disputeId} has a status of {status}; evidence can only be changed or submitted while it needs a response.", "evidence");

    public static StripeError DisputeNotDue(string disputeId, string status) =>
        new(400, InvalidRequest, null, $"Dispute {disputeId} (status {status}) is not awaiting a response past its due date.");

    // --- Payouts ---

    // Stripe's test-mode answer to a transfer larger than the available balance (it points at the bypassPending card).
    public static StripeError TransferBalanceInsufficient() =>
        new(400, InvalidRequest, "balance_insufficient",
            "You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance", "amount");

    public static StripeError BalanceInsufficient(string formattedAmount, string formattedAvailable) =>
        new(400, InvalidRequest, "balance_insufficient",
            $"You have insufficient funds in your Stripe account for this transfer: the payout of {formattedAmount} exceeds your available balance of {formattedAvailable}.", "amount");

    public static StripeError PayoutNotCancelable(string payoutId, string why) =>
        new(400, InvalidRequest, null, $"Payout {payoutId} cannot be canceled: {why}.");

    public static StripeError BalanceTransactionAlreadyPaidOut(string txnId, string payoutId) =>
        new(400, InvalidRequest, null, $"Balance transaction {txnId} was already paid out in {payoutId}; its settlement can no longer be delayed.", "balance_transaction");

    public static string MaskKey(string key)
    {
        if (key.Contains("****", StringComparison.Ordinal)) return key; // already redacted (a stored key's shown form)
        var idx = key.LastIndexOf('_');
        var prefix = idx > 0 ? key[..(idx + 1)] : "";
        var tail = key.Length > 4 ? key[^4..] : key;
        return prefix + "****" + tail;
    }
}
