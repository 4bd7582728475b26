using MockProcessor.Server.Tests.Storage;

namespace MockProcessor.Server.Tests.Resources.Reporting;

public class ReportFileDurabilityTests
{
    [Fact]
    public async Task A_report_result_downloads_the_same_after_a_restart()
    {
        using var file = new TempSqliteDb("report");
        var db = file.Path;
        string first, url;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_report_restart");
            await ReportKit.PayAsync(c, 4321);
            await ReportKit.AdvanceAsync(c, 60);
            var run = await ReportKit.RunAsync(c, ("report_type", "balance_change_from_activity.itemized.1"),
                ("parameters[interval_start]", (TestApp.StartTime - 60).ToString()), ("parameters[interval_end]", (TestApp.StartTime + 60).ToString()));
            first = await ReportKit.DownloadAsync(c, run);
            url = (string)run["result"]!["url"]!;
            Assert.Contains("43.21", first);
        }
        Assert.True(File.Exists(Path.Combine(db + ".files", new Uri(url).Segments[3].TrimEnd('/'))));
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_report_restart");
            var res = await c.GetAsync(new Uri(url).PathAndQuery);
            Assert.Equal(first, await res.Content.ReadAsStringAsync());
            var run = (await (await c.GetAsync("/v1/reporting/report_runs")).OkAsync())["data"]![0]!;
            Assert.Equal("succeeded", (string)run["status"]!);
        }
    }
}
