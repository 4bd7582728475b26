namespace MockProcessor.Testing;

/// <summary>Placeholder: the in-process host is being built (issue 12).</summary>
public static class MockProcessorHostInfo
{
    public const string Package = "MockProcessor.Testing";
}
