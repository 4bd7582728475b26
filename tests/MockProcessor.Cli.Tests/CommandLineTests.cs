using System.Collections;
using MockProcessor.Commands;
using MockProcessor.Server.Hosting;

namespace MockProcessor.Cli.Tests;

public class CommandLineTests
{
    private static readonly Hashtable NoEnvironment = new();

    private static CommandLine.Result Parse(params string[] args) => CommandLine.Parse(Program.Commands, args, NoEnvironment);

    [Fact]
    public void No_command_means_serve_with_its_options()
    {
        var r = Parse("--port", "4242", "--in-memory");
        Assert.Null(r.Error);
        Assert.Equal("serve", r.Command!.Name);
        var o = Assert.IsType<MockProcessorOptions>(r.Settings);
        Assert.Equal(4242, o.Port);
        Assert.True(o.InMemory);
    }

    [Theory]
    [InlineData("trigger", "payment_intent.succeeded")]
    [InlineData("listen", "--forward-to", "http://127.0.0.1:9/hook")]
    [InlineData("merchants", "list")]
    [InlineData("export", "--out", "x", "--from", "2026-11-01", "--to", "2026-11-20")]
    [InlineData("reconcile", "--orders", "o.csv", "--from", "2026-11-01", "--to", "2026-11-20")]
    public void Every_client_command_takes_base_url_as_an_alias_of_url(params string[] args)
    {
        var r = Parse([.. args, "--base-url", "http://127.0.0.1:4321"]);
        Assert.Null(r.Error);
        Assert.Equal("http://127.0.0.1:4321", Assert.IsAssignableFrom<ClientSettings>(r.Settings).Url);
    }

    [Fact]
    public void Trigger_takes_the_event_type_and_client_options()
    {
        var r = Parse("trigger", "charge.succeeded", "--api-key=sk_test_abc", "--url", "http://127.0.0.1:9999");
        Assert.Null(r.Error);
        var s = Assert.IsType<TriggerSettings>(r.Settings);
        Assert.Equal(("charge.succeeded", "sk_test_abc", "http://127.0.0.1:9999"), (s.EventType, s.ApiKey, s.Url));
    }

    [Fact]
    public void Trigger_defaults_to_the_cli_key_and_stripe_mocks_port()
    {
        var s = Assert.IsType<TriggerSettings>(Parse("trigger", "customer.created").Settings);
        Assert.Equal(("sk_test_mockprocessor_cli", "http://127.0.0.1:12111"), (s.ApiKey, s.Url));
    }

    [Fact]
    public void Listen_splits_events_and_defaults_to_all()
    {
        var s = Assert.IsType<ListenSettings>(Parse("listen", "--forward-to", "http://localhost:4242/hook", "--events", "charge.succeeded, customer.created").Settings);
        Assert.Equal(["charge.succeeded", "customer.created"], s.EnabledEvents);
        Assert.Equal(["*"], Assert.IsType<ListenSettings>(Parse("listen", "--forward-to", "http://localhost:1/").Settings).EnabledEvents);
    }

    [Theory]
    [InlineData(new[] { "trigger", "customer.created", "--port", "1" }, "Unknown option '--port' for 'trigger'.")]
    [InlineData(new[] { "serve", "--forward-to", "x" }, "Unknown option '--forward-to' for 'serve'.")]
    [InlineData(new[] { "trigger", "customer.created", "--url" }, "Option '--url' needs a value.")]
    [InlineData(new[] { "listen", "--forward-to" }, "Option '--forward-to' needs a value.")]
    [InlineData(new[] { "listen" }, "listen needs --forward-to URL.")]
    [InlineData(new[] { "trigger", "a", "b" }, "Unexpected argument 'b'.")]
    [InlineData(new[] { "serve", "extra" }, "Unexpected argument 'extra'.")]
    [InlineData(new[] { "frob" }, "Unknown command 'frob'.")]
    [InlineData(new[] { "--port", "70000" }, "Invalid option value: --port must be between 0 and 65535")]
    [InlineData(new[] { "trigger", "x", "--api-key", "sk_live_1" }, "Invalid option value: --api-key must be an sk_test_ key")]
    [InlineData(new[] { "listen", "--forward-to", "localhost:4242" }, "Invalid option value: --forward-to must be an absolute http(s) URL")]
    public void Bad_command_lines_are_errors(string[] args, string error) => Assert.Equal(error, Parse(args).Error);

    [Fact]
    public void Trigger_without_an_event_type_lists_the_supported_ones()
    {
        var error = Parse("trigger").Error!;
        Assert.Contains("payment_intent.succeeded", error);
        Assert.Contains("customer.deleted", error);
    }

    [Fact]
    public void Environment_variables_bind_each_commands_options_and_flags_win()
    {
        var env = new Hashtable
        {
            ["MOCKPROCESSOR_API_KEY"] = "sk_test_fromenv", ["MOCKPROCESSOR_URL"] = "http://127.0.0.1:1",
            ["MOCKPROCESSOR_FORWARD_TO"] = "http://127.0.0.1:2/", ["MOCKPROCESSOR_PORT"] = "5555",
        };
        var listen = Assert.IsType<ListenSettings>(CommandLine.Parse(Program.Commands, ["listen", "--url", "http://127.0.0.1:3"], env).Settings);
        Assert.Equal(("sk_test_fromenv", "http://127.0.0.1:3", "http://127.0.0.1:2/"), (listen.ApiKey, listen.Url, listen.ForwardTo));
        var serve = Assert.IsType<MockProcessorOptions>(CommandLine.Parse(Program.Commands, [], env).Settings);
        Assert.Equal(5555, serve.Port);
    }

    [Theory]
    [InlineData(new[] { "--in-memory" }, null)]
    [InlineData(new[] { "--rate-limit" }, "stripe")] // a bare flag at the end
    [InlineData(new[] { "--rate-limit", "--in-memory" }, "stripe")] // a bare flag before another option
    [InlineData(new[] { "--rate-limit", "stripe" }, "stripe")]
    [InlineData(new[] { "--rate-limit", "100" }, "100")]
    [InlineData(new[] { "--rate-limit=2.5" }, "2.5")]
    [InlineData(new[] { "--rate-limit", "1" }, "1")] // one request a second, not "on"
    [InlineData(new[] { "--rate-limit", "off" }, null)]
    public void Rate_limit_is_off_by_default_a_bare_flag_means_stripe_and_a_number_is_requests_per_second(string[] args, string? expected)
    {
        var r = Parse(args);
        Assert.Null(r.Error);
        Assert.Equal(expected, Assert.IsType<MockProcessorOptions>(r.Settings).RateLimit);
    }

    [Fact]
    public void Rate_limit_binds_from_the_environment_and_refuses_nonsense()
    {
        var env = new Hashtable { ["MOCKPROCESSOR_RATE_LIMIT"] = "stripe" };
        Assert.Equal("stripe", Assert.IsType<MockProcessorOptions>(CommandLine.Parse(Program.Commands, [], env).Settings).RateLimit);
        Assert.Equal("40", Assert.IsType<MockProcessorOptions>(CommandLine.Parse(Program.Commands, ["--rate-limit", "40"], env).Settings).RateLimit);
        Assert.StartsWith("Invalid option value: --rate-limit must be stripe, off, or requests per second", Parse("--rate-limit", "fast").Error);
        Assert.StartsWith("Invalid option value: --rate-limit", Parse("--rate-limit", "-3").Error);
        Assert.Contains("--rate-limit [VALUE]", Program.Commands[0].Usage);
    }

    [Fact]
    public void A_bad_environment_value_is_reported_like_a_bad_flag()
    {
        var r = CommandLine.Parse(Program.Commands, ["trigger", "x"], new Hashtable { ["MOCKPROCESSOR_API_KEY"] = "rk_live_1" });
        Assert.Equal("Invalid option value: --api-key must be an sk_test_ key", r.Error);
    }

    [Theory]
    [InlineData(new[] { "--help" }, null)]
    [InlineData(new[] { "help" }, null)]
    [InlineData(new[] { "help", "listen" }, "listen")]
    [InlineData(new[] { "trigger", "--help" }, "trigger")]
    [InlineData(new[] { "serve", "-h" }, "serve")]
    public void Help_is_asked_for_the_overview_or_one_command(string[] args, string? command)
    {
        var r = Parse(args);
        Assert.True(r.Help);
        Assert.Null(r.Error);
        Assert.Equal(command, r.Command?.Name);
    }

    [Fact]
    public void Each_commands_usage_lists_its_own_options_only()
    {
        var listen = Program.Commands.Single(c => c.Name == "listen").Usage;
        Assert.Contains("--forward-to VALUE", listen);
        Assert.DoesNotContain("--port", listen);
        Assert.Contains("MOCKPROCESSOR_", listen);
        Assert.Contains("trigger", CommandLine.Overview(Program.Commands));
    }
}
