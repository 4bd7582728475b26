using System.Net.Http.Headers;
using System.Security.Cryptography;
using MockProcessor.Server.Time;
using MockProcessor.Testing;
using Stripe;

namespace MockProcessor.StripeNet.Tests.Infrastructure;

/// <summary>
/// What the suite talks to, chosen once per run from the environment:
/// <list type="bullet">
/// <item><c>MOCKPROCESSOR_URL</c> set: that running emulator.</item>
/// <item>else <c>STRIPE_TEST_KEY</c> set: real Stripe test mode (api.stripe.com) with that key; tests that need the
/// emulator's control API (<c>/_mock/...</c>) are skipped (<see cref="EmulatorFactAttribute"/>).</item>
/// <item>else: the emulator in this process on a real loopback port (in memory, manual clock, manual webhook dispatch).</item>
/// </list>
/// </summary>
public sealed class EmulatorTarget : IAsyncLifetime
{
    private MockProcessorHost? _host;

    /// <summary>True when the run targets api.stripe.com (decided from the environment, also usable in attribute constructors).</summary>
    public static bool IsRealStripe =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MOCKPROCESSOR_URL")) &&
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("STRIPE_TEST_KEY"));

    /// <summary>Reasons a test cannot run against real Stripe (see <see cref="EmulatorFactAttribute"/>).</summary>
    public const string ControlApi = "the emulator's control API (/_mock/...)";
    public const string PublishableKey = "the merchant's publishable key (the emulator pairs pk_test_X with sk_test_X; set STRIPE_TEST_PUBLISHABLE_KEY for real Stripe)";
    public const string RawCardData = "raw card numbers (real Stripe refuses them unless raw card data APIs are enabled on the account)";
    public const string FreshAccount = "an empty account of its own (a fresh sk_test_ key)";

    /// <summary>Against real Stripe, publishable-key tests run when <c>STRIPE_TEST_PUBLISHABLE_KEY</c> gives the key (as in the node suite).</summary>
    public static bool RealStripeHas(string needs) =>
        needs == PublishableKey && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("STRIPE_TEST_PUBLISHABLE_KEY"));

    public static string SkipReason(string needs) =>
        $"needs {needs}; this run targets real Stripe (STRIPE_TEST_KEY without MOCKPROCESSOR_URL)";

    /// <summary>Base URL (no trailing slash) for <see cref="StripeClient"/>'s <c>apiBase</c> and the control API.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The emulator started by this fixture dispatches webhooks only on <c>POST /_mock/webhooks/flush</c>.</summary>
    public bool InProcess => _host is not null;

    public async Task InitializeAsync()
    {
        var url = Environment.GetEnvironmentVariable("MOCKPROCESSOR_URL");
        if (!string.IsNullOrEmpty(url))
        {
            BaseUrl = url.TrimEnd('/');
            return;
        }
        if (IsRealStripe)
        {
            BaseUrl = "https://api.stripe.com";
            return;
        }
        // MockProcessor.Testing's host; the suite's clients go over its real loopback port, as a user's would.
        // Handlers must read only the parameters their routes declare (docs/architecture.md, One request).
        _host = await MockProcessorHost.StartAsync(new()
        {
            Clock = ClockMode.Manual, WebhookAutoDispatch = false, LogLevel = "Warning",
            Configure = o => o.VerifyParameterDeclarations = true,
        });
        BaseUrl = _host.BaseUrl.TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }

    /// <summary>
    /// A merchant of its own: a fresh random <c>sk_test_</c> key against the emulator (any unseen key provisions an
    /// empty merchant), the <c>STRIPE_TEST_KEY</c> account against real Stripe.
    /// </summary>
    public Merchant NewMerchant()
    {
        if (IsRealStripe) return new Merchant(this, Environment.GetEnvironmentVariable("STRIPE_TEST_KEY")!);
        return new Merchant(this, "sk_test_net" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant());
    }
}

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorTarget>
{
    public const string Name = "emulator";
}

/// <summary>
/// A test that needs the emulator's control API (<c>/_mock/...</c>: clock, network rules, faults, disputes control,
/// webhook flush). Skipped, with the reason printed by xunit, when the run targets real Stripe.
/// </summary>
public sealed class EmulatorFactAttribute : FactAttribute
{
    public EmulatorFactAttribute(string needs = EmulatorTarget.ControlApi)
    {
        if (EmulatorTarget.IsRealStripe && !EmulatorTarget.RealStripeHas(needs)) Skip = EmulatorTarget.SkipReason(needs);
    }
}

/// <summary><see cref="EmulatorFactAttribute"/> for theories.</summary>
public sealed class EmulatorTheoryAttribute : TheoryAttribute
{
    public EmulatorTheoryAttribute(string needs = EmulatorTarget.ControlApi)
    {
        if (EmulatorTarget.IsRealStripe && !EmulatorTarget.RealStripeHas(needs)) Skip = EmulatorTarget.SkipReason(needs);
    }
}
