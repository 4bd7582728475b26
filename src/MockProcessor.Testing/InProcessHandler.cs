namespace MockProcessor.Testing;

/// <summary>
/// The TestServer handler as a client sees a network: a connection the emulator aborts (the <c>disconnect</c> and
/// <c>apply_then_disconnect</c> faults) reaches the caller as <see cref="HttpRequestException"/>, as it does over a
/// socket, instead of TestServer's <see cref="OperationCanceledException"/>. Application code that handles network
/// errors then takes the same path in a test as in production. The caller's own cancellation is left alone.
/// </summary>
internal sealed class InProcessHandler(HttpMessageHandler testServerHandler) : DelegatingHandler(testServerHandler)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await base.SendAsync(request, ct);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "An error occurred while sending the request.", new IOException(ex.Message, ex));
        }
    }
}
