namespace Nnrp.Simulation.Report;

/// <summary>The PNG plots of docs/SCALE.md: per-node storage and bandwidth against network size, sharded vs full replication, log–log.</summary>
internal static class Plots
{
    private static readonly (byte, byte, byte) Sharded = (31, 90, 200);
    private static readonly (byte, byte, byte) Full = (200, 50, 40);
    private static readonly (byte, byte, byte) Ink = (30, 30, 30);
    private static readonly (byte, byte, byte) Grid = (225, 225, 225);

    private sealed record Series(string Name, (byte, byte, byte) Colour, int Dash, (double X, double Y)[] Points);

    public static void Write(IReadOnlyList<RunResult> runs, string output)
    {
        Chart(runs, Path.Combine(output, "storage.png"), "Per-node storage vs network size", "bytes stored per node",
            static r => r.StoredBytes.Mean, static r => r.StoredBytes.P99);
        Chart(runs, Path.Combine(output, "gossip.png"), "Per-node gossip bandwidth vs network size", "gossip bytes per node per hour (in + out)",
            static r => r.GossipBytesPerHour.Mean, static r => r.GossipBytesPerHour.P99);
        Chart(runs, Path.Combine(output, "bandwidth.png"), "Per-node total bandwidth vs network size", "all bytes per node per hour (in + out)",
            static r => r.TotalBytesPerHour.Mean, static r => r.TotalBytesPerHour.P99);
    }

    private static void Chart(IReadOnlyList<RunResult> runs, string path, string title, string yLabel, Func<RunResult, double> mean, Func<RunResult, double> p99)
    {
        (double, double)[] Points(bool sharded, Func<RunResult, double> f) =>
            [.. runs.Where(r => r.Sharded == sharded).OrderBy(static r => r.Nodes).Select(r => ((double)r.Nodes, f(r)))];
        Series[] series =
        [
            new("full replication, mean", Full, 0, Points(false, mean)),
            new("sharded, mean", Sharded, 0, Points(true, mean)),
            new("sharded, p99", Sharded, 6, Points(true, p99)),
        ];
        Draw(path, title, yLabel, [.. series.Where(static s => s.Points.Length > 0)]);
    }

    private static void Draw(string path, string title, string yLabel, Series[] series)
    {
        const int width = 900, height = 600, left = 130, right = 30, top = 60, bottom = 80;
        var png = new PngImage(width, height);
        var all = series.SelectMany(static s => s.Points).Where(static p => p.Y > 0).ToArray();
        if (all.Length == 0)
        {
            return;
        }
        double x0 = Math.Floor(Math.Log10(all.Min(static p => p.X))), x1 = Math.Ceiling(Math.Log10(all.Max(static p => p.X)));
        double y0 = Math.Floor(Math.Log10(all.Min(static p => p.Y))), y1 = Math.Ceiling(Math.Log10(all.Max(static p => p.Y)));
        x1 = Math.Max(x1, x0 + 1);
        y1 = Math.Max(y1, y0 + 1);
        int X(double v) => left + (int)Math.Round((Math.Log10(v) - x0) / (x1 - x0) * (width - left - right));
        int Y(double v) => height - bottom - (int)Math.Round((Math.Log10(v) - y0) / (y1 - y0) * (height - top - bottom));

        for (double d = x0; d <= x1; d++)
        {
            int x = X(Math.Pow(10, d));
            png.Line(x, top, x, height - bottom, Grid);
            string label = Nodes(Math.Pow(10, d));
            png.Text(x - (PngImage.TextWidth(label) / 2), height - bottom + 10, label, Ink);
        }
        for (double d = y0; d <= y1; d++)
        {
            int y = Y(Math.Pow(10, d));
            png.Line(left, y, width - right, y, Grid);
            string label = Decade(d);
            png.Text(left - 10 - PngImage.TextWidth(label), y - 7, label, Ink);
        }
        png.Line(left, top, left, height - bottom, Ink, 2);
        png.Line(left, height - bottom, width - right, height - bottom, Ink, 2);
        png.Text((width - PngImage.TextWidth(title, 3)) / 2, 15, title, Ink, 3);
        string xLabel = "nodes in the network (log)";
        png.Text(left + ((width - left - right - PngImage.TextWidth(xLabel)) / 2), height - 35, xLabel, Ink);
        png.Text(left + 10, top + 8, yLabel + " (log)", Ink);

        int legendY = top + 34;
        foreach (Series s in series)
        {
            for (int i = 1; i < s.Points.Length; i++)
            {
                png.Line(X(s.Points[i - 1].X), Y(s.Points[i - 1].Y), X(s.Points[i].X), Y(s.Points[i].Y), s.Colour, 3, s.Dash);
            }
            foreach (var (x, y) in s.Points)
            {
                png.Rect(X(x) - 4, Y(y) - 4, X(x) + 4, Y(y) + 4, s.Colour);
            }
            png.Line(left + 12, legendY + 7, left + 52, legendY + 7, s.Colour, 3, s.Dash);
            png.Text(left + 62, legendY, s.Name, Ink);
            legendY += 22;
        }
        png.Save(path);
    }

    /// <summary>10^d bytes as 1 KB, 10 KB, 100 KB, 1 MB …</summary>
    private static string Decade(double d)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        int e = (int)d;
        return Math.Pow(10, e % 3).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " " + units[Math.Min(e / 3, units.Length - 1)];
    }

    private static string Nodes(double n) => n >= 1000 ? (n / 1000).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "K" : n.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
}
