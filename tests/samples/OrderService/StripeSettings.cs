namespace OrderService;

/// <summary>The "Stripe" configuration section. Secrets come from configuration (user secrets, environment), never code.</summary>
public sealed class StripeSettings
{
    public const string Section = "Stripe";
    public string ApiKey { get; set; } = "";
    /// <summary>Null: Stripe itself. An emulator: its base URL, e.g. http://127.0.0.1:12111.</summary>
    public string? ApiBase { get; set; }
    /// <summary>The webhook endpoint's signing secret (<c>whsec_...</c>).</summary>
    public string WebhookSecret { get; set; } = "";
}
