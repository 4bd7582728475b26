using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;

namespace MockProcessor.Testing;

/// <summary>How the usual knobs a test turns map onto the emulator's own <see cref="MockProcessorOptions"/>.</summary>
public sealed class MockProcessorHostOptions
{
    /// <summary>Deterministic ids: the same seed and the same calls give the same ids. Null: random.</summary>
    public long? Seed { get; set; }
    /// <summary><see cref="ClockMode.Manual"/>: time moves only through <see cref="HostClock.AdvanceAsync"/>.</summary>
    public ClockMode Clock { get; set; } = ClockMode.Realtime;
    /// <summary>Virtual time at start; null: the wall clock.</summary>
    public DateTimeOffset? StartTime { get; set; }
    /// <summary>False: deliveries are sent only by <see cref="HostWebhooks.FlushAsync"/> (deterministic tests).</summary>
    public bool WebhookAutoDispatch { get; set; } = true;
    /// <summary>Refuse unseen <c>sk_test_</c> keys instead of provisioning a merchant for them.</summary>
    public bool StrictKeys { get; set; }
    /// <summary>Emulator log level; <c>None</c> (default) keeps test output clean and start-up fast.</summary>
    public string LogLevel { get; set; } = "None";
    /// <summary>Anything else of <see cref="MockProcessorOptions"/> (retry schedule, timeouts...). Storage stays in memory.</summary>
    public Action<MockProcessorOptions>? Configure { get; set; }

    internal MockProcessorOptions ToServerOptions()
    {
        var options = new MockProcessorOptions
        {
            InMemory = true, Host = "127.0.0.1", Port = 0, Seed = Seed, Clock = Clock, StartTime = StartTime?.ToUnixTimeSeconds(),
            WebhookAutoDispatch = WebhookAutoDispatch, StrictKeys = StrictKeys, LogLevel = LogLevel,
        };
        Configure?.Invoke(options);
        // A port of its own every time: several hosts in one process must never collide.
        options.Host = "127.0.0.1";
        options.Port = 0;
        options.InMemory = true;
        return options;
    }
}

/// <summary>How a Stripe.net client made by <see cref="MockProcessorHost.CreateStripeClient"/> reaches the emulator.</summary>
public enum Transport
{
    /// <summary>Calls the emulator's request pipeline directly: no socket, no port, no TCP stack.</summary>
    InProcess,
    /// <summary>Real HTTP over the loopback port at <see cref="MockProcessorHost.BaseUrl"/>.</summary>
    Socket,
}
