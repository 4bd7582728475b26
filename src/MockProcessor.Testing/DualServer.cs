using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MockProcessor.Testing;

/// <summary>
/// One application, two front doors: ASP.NET Core hands a server the app's pipeline once
/// (<see cref="IServer.StartAsync{TContext}"/>), and this server hands that same pipeline to Kestrel (a real loopback
/// port) and to a <see cref="TestServer"/> (an <see cref="HttpMessageHandler"/> that runs requests in-process, no socket).
/// Both therefore share one service provider, one store, one clock: a payment made through either is seen by both.
/// Why not two apps or a hand-written handler: TestServer's handler already turns an HttpRequestMessage into an
/// HttpContext faithfully (streaming bodies, aborts, response trailers), and two apps would be two emulators.
/// </summary>
internal sealed class DualServer(IServer socket, TestServer inProcess) : IServer
{
    public TestServer InProcess => inProcess;

    /// <summary>The socket server's features: <c>IServerAddressesFeature</c> there carries the bound port.</summary>
    public IFeatureCollection Features => socket.Features;

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        await ((IServer)inProcess).StartAsync(application, cancellationToken);
        await socket.StartAsync(application, cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await socket.StopAsync(cancellationToken);
        await ((IServer)inProcess).StopAsync(cancellationToken);
    }

    public void Dispose()
    {
        socket.Dispose();
        inProcess.Dispose();
    }

    /// <summary>Wraps whatever <see cref="IServer"/> the builder registered (Kestrel) into a <see cref="DualServer"/>.</summary>
    public static void Register(IServiceCollection services)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IServer))
            ?? throw new InvalidOperationException("No IServer registered: the emulator's builder is expected to configure Kestrel.");
        services.RemoveAll<IServer>();
        services.AddSingleton(sp => new TestServer(sp, Microsoft.Extensions.Options.Options.Create(new TestServerOptions())));
        services.AddSingleton<IServer>(sp => new DualServer(Create(original, sp), sp.GetRequiredService<TestServer>()));
    }

    private static IServer Create(ServiceDescriptor d, IServiceProvider sp) => d switch
    {
        { ImplementationInstance: IServer instance } => instance,
        { ImplementationFactory: { } factory } => (IServer)factory(sp),
        { ImplementationType: { } type } => (IServer)ActivatorUtilities.CreateInstance(sp, type),
        _ => throw new InvalidOperationException($"Cannot build the registered IServer ({d})."),
    };
}
