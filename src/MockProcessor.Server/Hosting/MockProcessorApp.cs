using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Ids;
using MockProcessor.Server.Idempotency;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Webhooks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Hosting;

/// <summary>Builds the emulator's web application from options: the executable and the tests share this one entry.</summary>
public static class MockProcessorApp
{
    /// <summary>Thread-pool threads a replica starts with: more than the calls it runs at once (see AddMockProcessor).</summary>
    public const int ReplicaMinThreads = 256;

    public static WebApplication Build(MockProcessorOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        if (options.DashboardOpen && !IsLoopback(options.Host))
            throw new ArgumentException($"--dashboard-open lists every merchant to anyone who reaches the dashboard: it needs a loopback --host (127.0.0.1, ::1 or localhost), not {options.Host}.");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "MockProcessor",
            // Not the working directory: the emulator is often started inside a web project whose appsettings.json is not its own.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        // Kestrel answers a request line over its limit (8 KiB by default) itself, with a bare 414: no Stripe error, no
        // Request-Id. Its limit is raised well above MaxUrlLength so that the pipeline answers over-long URLs instead.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestLineSize = KestrelMaxRequestLine);
        builder.Logging.SetMinimumLevel(Enum.TryParse<LogLevel>(options.LogLevel, true, out var level) ? level : LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        TelemetrySetup.ConfigureLogFormat(builder.Logging, options.LogFormat);
        builder.Services.AddMockProcessor(options);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapMockProcessor();
        return app;
    }

    public static IServiceCollection AddMockProcessor(this IServiceCollection services, MockProcessorOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(new IdGenerator(options.Seed));
        services.AddSingleton(new RequestIds(options.Seed));
        services.AddSingleton(_ => new VirtualClock(options.Clock,
            options.StartTime is { } t ? DateTimeOffset.FromUnixTimeSeconds(t) : null));
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<VirtualClock>());
        services.AddSingleton(sp =>
        {
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger<ObjectStore>();
            var backend = options.InMemory ? null : Database.OpenStore(options.Database);
            ReplicaCoordinator? replica = null;
            if (options.Replica)
            {
                if (backend is not PostgresStore || PostgresStore.ConnectionString(options.Database) is not { } url)
                    throw new ArgumentException("--replica needs --db naming a PostgreSQL database (docs/deploy.md).");
                replica = new ReplicaCoordinator(url, options.Seed is not null, sp.GetRequiredService<VirtualClock>());
                // A replica commits each call synchronously on its own connection (Tx.Commit is synchronous), and Npgsql
                // finishes sending a batch larger than its write buffer from a thread-pool task when called synchronously:
                // with as many calls in flight as pool threads, every thread waits for a send no thread is left to run,
                // until the pool injects one (about one a second). Blocked threads cost no CPU, so start with enough of
                // them (docs/deploy.md, "Threads").
                ThreadPool.GetMinThreads(out var workers, out var io);
                ThreadPool.SetMinThreads(Math.Max(workers, ReplicaMinThreads), io);
                // Ids that never collide across replicas; --seed keeps the seed's own sequence (one replica only).
                if (options.Seed is null) sp.GetRequiredService<IdGenerator>().StampReplica((replica.Number - 1) % (62 * 62 - 1) + 1);
            }
            return new ObjectStore(Resources.Registry.Schema(sp.GetRequiredService<WebhookDueQueue>(), sp.GetRequiredService<Resources.Events.EventFeed>()), backend, log, sp.GetRequiredService<TimerRegistry>(), options.CacheObjects, replica, options.IndexSnapshot, options.IndexPages);
        });
        services.AddSingleton<WebhookDueQueue>();
        services.AddSingleton<Resources.Events.EventFeed>();
        services.AddSingleton(_ => new TimerRegistry(Resources.Registry.Timers()));
        services.AddSingleton<MerchantClock>();
        services.AddSingleton<TimeDriver>();
        services.AddSingleton<TimeDriverService>();
        services.AddHostedService(sp => sp.GetRequiredService<TimeDriverService>());
        services.AddSingleton(_ => Resources.Registry.Renderers());
        services.AddSingleton<IdempotencyCache>();
        // Real time for --rate-limit (throughput is wall-clock, whatever the virtual clock does); tests key in a fake.
        services.AddKeyedSingleton(RateLimiter.WallClockKey, TimeProvider.System);
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<StripeApi>();
        services.AddMockProcessorTelemetry(options);
        // Tests replace the transport (register their own after this) to capture deliveries without sockets.
        services.AddSingleton(_ => WebhookTransport.CreateDefault());
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        Resources.Registry.AddServices(services);
        services.AddRazorComponents();
        services.AddSingleton<Dashboard.DashboardSessions>();
        return services;
    }

    public static bool IsLoopback(string host) =>
        host == "localhost" || System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip);

    /// <summary>The longest request target (path and query string) answered; longer ones get Stripe's 414 envelope.</summary>
    public const int MaxUrlLength = 64 * 1024;

    /// <summary>Kestrel's request-line limit: only a request line longer than this gets Kestrel's own bare 414.</summary>
    public const int KestrelMaxRequestLine = 256 * 1024;

    public static WebApplication MapMockProcessor(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            var length = (http.Request.PathBase.Value?.Length ?? 0) + (http.Request.Path.Value?.Length ?? 0) + (http.Request.QueryString.Value?.Length ?? 0);
            if (length <= MaxUrlLength) { await next(http); return; }
            var requestId = http.RequestServices.GetRequiredService<RequestIds>().Next();
            http.Response.Headers["Request-Id"] = requestId;
            await StripeApi.WriteError(http, StripeError.UrlTooLong(length, MaxUrlLength), requestId);
        });
        // Some SDK set-ups glue a base URL ending in '/' onto "/v1/...": Stripe tolerates "//v1", so do we.
        app.Use((http, next) =>
        {
            var path = http.Request.Path.Value;
            if (path is not null && path.Contains("//", StringComparison.Ordinal))
                http.Request.Path = new PathString(System.Text.RegularExpressions.Regex.Replace(path, "/{2,}", "/"));
            return next(http);
        });
        app.Use(BrowserAccess.Handle);
        app.UseRouting();
        // Unknown /v1 URLs and wrong methods still answer in Stripe's error envelope: SDKs need it to report them.
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            var status = http.Response.StatusCode;
            if (status is not (404 or 405)) return;
            var requestId = http.RequestServices.GetRequiredService<RequestIds>().Next();
            http.Response.Headers["Request-Id"] = requestId;
            var error = status == 405
                ? StripeError.MethodNotAllowed(http.Request.Method, http.Request.Path.Value ?? "")
                : StripeError.UrlNotFound(http.Request.Method, http.Request.Path.Value ?? "");
            await StripeApi.WriteError(http, error, requestId);
        });

        var api = app.Services.GetRequiredService<StripeApi>();
        foreach (var route in Resources.Registry.Routes())
            app.MapMethods(route.Pattern, [route.Method], http => api.Handle(http, route));

        foreach (var route in Control.ControlRoutes.All())
            app.MapMethods(route.Pattern, [route.Method], http => api.Handle(http, route));

        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapMetrics();
        Control.ControlEndpoints.Map(app);
        Control.ThreeDSecurePage.Map(app);
        Control.ConnectOnboardingPage.Map(app);
        Resources.Checkout.CheckoutPage.Map(app);
        Resources.Invoices.InvoicePage.Map(app);
        Resources.BillingPortal.PortalPage.Map(app);
        Control.MerchantControlEndpoints.Map(app);
        Docs.OpenApiEndpoints.Map(app);
        StripeJs.StripeJsEndpoints.Map(app);
        Dashboard.DashboardEndpoints.Map(app);
        return app;
    }
}
