namespace MockProcessor.Server.Wire;

/// <summary>
/// What Stripe.js adds to its calls besides the call's own parameters (docs/stripe-js.md), accepted on every route open
/// to publishable keys (<see cref="ApiRoute.AllowPublishable"/>) so that a browser integration is never refused with
/// <c>parameter_unknown</c>: telemetry (<c>guid</c>, <c>muid</c>, <c>sid</c>, <c>payment_user_agent</c>,
/// <c>time_on_page</c>, <c>referrer</c>, <c>pasted_fields</c>, <c>client_attribution_metadata</c>), the payment method
/// type the page expects (<c>expected_payment_method_type</c>), and the version and connected account given to
/// <c>Stripe(pk, {apiVersion, stripeAccount})</c>, which Stripe.js sends as <c>_stripe_version</c> and
/// <c>_stripe_account</c> instead of headers. Telemetry is read and dropped, as Stripe's test mode does nothing visible
/// with it. The <c>key</c> parameter is taken by every route (<see cref="StripeApi"/> authenticates with it).
/// </summary>
public static class StripeJsParameters
{
    public const string Version = "_stripe_version";
    public const string Account = "_stripe_account";

    /// <summary>Telemetry Stripe.js also nests inside <c>payment_method_data[...]</c> (at the top level of <c>/v1/payment_methods</c>).</summary>
    public static readonly IReadOnlySet<string> Telemetry = new HashSet<string>(StringComparer.Ordinal)
    {
        "guid", "muid", "sid", "payment_user_agent", "time_on_page", "referrer", "pasted_fields",
    };

    public static readonly IReadOnlySet<string> TopLevel = new HashSet<string>(
        [.. Telemetry, "client_attribution_metadata", "expected_payment_method_type", Version, Account], StringComparer.Ordinal);

    /// <summary>Marks the top-level Stripe.js parameters as read (the version and account were applied by the pipeline).</summary>
    public static void AcceptTopLevel(Params p)
    {
        foreach (var key in TopLevel)
            if (p.Has(key)) p.Accept(key);
    }

    /// <summary>Marks the telemetry nested in a hash such as <c>payment_method_data</c> as read.</summary>
    public static void AcceptTelemetry(Params p)
    {
        foreach (var key in Telemetry)
            if (p.Has(key)) p.Accept(key);
    }
}
