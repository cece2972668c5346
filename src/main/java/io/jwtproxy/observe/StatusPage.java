package io.jwtproxy.observe;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status page a browser gets: the figures, the key schedule, and an inline SVG chart of the
 * last 15 minutes (requests per second, and the median and 99th-percentile duration). No script or
 * stylesheet from anywhere: one self-contained page that reloads itself every 10 seconds.
 */
public final class StatusPage
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 200;
    private static final int PAD = 40;

    private StatusPage()
    {
    }

    /** @return the page: {@code status}'s figures, then the chart of {@code stats}' last 15 minutes */
    public static String render(Map<String, Object> status, ProxyStats stats)
    {
        List<RecentTraffic.Point> points = stats.recent().points();
        RecentTraffic.Point last = stats.recent().latest();
        double peakRate = points.stream().mapToDouble(RecentTraffic.Point::perSecond).max().orElse(0);
        double peakMillis = points.stream().mapToDouble(RecentTraffic.Point::p99Millis).max().orElse(0);
        StringBuilder page = new StringBuilder(8192)
            .append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"10\">")
            .append("<title>jwt-proxy status</title>\n<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}")
            .append("table{border-collapse:collapse}th,td{text-align:left;padding:.2em 1em .2em 0}th{font-weight:600}")
            .append("svg{border:1px solid #ccc;background:#fafafa}.rate{stroke:#1f6feb}.p50{stroke:#2da44e}.p99{stroke:#cf222e}")
            .append("polyline{fill:none;stroke-width:2}.legend span{margin-right:1.5em}</style></head>\n<body><h1>jwt-proxy</h1>\n");
        page.append("<table id=\"figures\">\n");
        row(page, "startedAt", "startedAt", String.valueOf(status.get("startedAt")));
        row(page, "uptime", "uptime", uptime(((java.math.BigDecimal)status.get("uptimeSeconds")).doubleValue()));
        for (String name : List.of("requestsReceived", "requestsForwarded", "tokensMinted", "webSocketsOpen", "signingAlgorithm"))
            row(page, name, name, String.valueOf(status.get(name)));
        row(page, "rate", "requests/s, last 10–20 s", String.format(Locale.ROOT, "%.1f", last.perSecond()));
        row(page, "p50", "median duration, last 10–20 s", last.perSecond() == 0 ? "–" : String.format(Locale.ROOT, "%.1f ms", last.p50Millis()));
        row(page, "p99", "99th percentile, last 10–20 s", last.perSecond() == 0 ? "–" : String.format(Locale.ROOT, "%.1f ms", last.p99Millis()));
        page.append("</table>\n<h2>Signing keys</h2>\n<table id=\"keys\">\n");
        row(page, "activeKid", "active kid", String.valueOf(status.getOrDefault("activeKid", "– (HS512: no kid)")));
        row(page, "nextKid", "next kid", String.valueOf(status.getOrDefault("nextKid", "–")));
        row(page, "nextKidActiveFrom", "signs from", String.valueOf(status.getOrDefault("nextKidActiveFrom", "–")));
        page.append("</table>\n<h2>Last 15 minutes</h2>\n<p class=\"legend\"><span style=\"color:#1f6feb\">requests/s (peak ")
            .append(String.format(Locale.ROOT, "%.1f", peakRate)).append(")</span><span style=\"color:#2da44e\">median ms</span>")
            .append("<span style=\"color:#cf222e\">99th percentile ms (peak ").append(String.format(Locale.ROOT, "%.1f", peakMillis))
            .append(")</span></p>\n");
        page.append("<svg id=\"traffic\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH + 2 * PAD).append("\" height=\"")
            .append(HEIGHT + 2 * PAD).append("\" data-points=\"").append(points.size()).append("\" data-peak-rate=\"")
            .append(String.format(Locale.ROOT, "%.3f", peakRate)).append("\">\n");
        page.append("<line x1=\"").append(PAD).append("\" y1=\"").append(PAD + HEIGHT).append("\" x2=\"").append(PAD + WIDTH).append("\" y2=\"")
            .append(PAD + HEIGHT).append("\" stroke=\"#999\"/>\n");
        page.append("<text x=\"").append(PAD).append("\" y=\"").append(PAD + HEIGHT + 20).append("\" font-size=\"12\">")
            .append(Instant.ofEpochMilli(points.get(0).startMillis()).truncatedTo(ChronoUnit.SECONDS)).append("</text>\n");
        page.append("<text x=\"").append(PAD + WIDTH - 150).append("\" y=\"").append(PAD + HEIGHT + 20).append("\" font-size=\"12\">now</text>\n");
        polyline(page, "rate", points, peakRate, RecentTraffic.Point::perSecond);
        polyline(page, "p50", points, peakMillis, RecentTraffic.Point::p50Millis);
        polyline(page, "p99", points, peakMillis, RecentTraffic.Point::p99Millis);
        return page.append("</svg>\n<p>JSON: the same address with <code>Accept: application/json</code>. Reloads every 10 s.</p>\n</body></html>\n")
            .toString();
    }

    private static void polyline(StringBuilder page, String id, List<RecentTraffic.Point> points, double peak,
                                 java.util.function.ToDoubleFunction<RecentTraffic.Point> value)
    {
        page.append("<polyline id=\"").append(id).append("\" class=\"").append(id).append("\" points=\"");
        for (int i = 0; i < points.size(); i++)
        {
            double x = PAD + WIDTH * i / (double)(points.size() - 1);
            double y = PAD + HEIGHT - (peak == 0 ? 0 : HEIGHT * value.applyAsDouble(points.get(i)) / peak);
            page.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        page.append("\"/>\n");
    }

    // Every value is a number, an ISO instant, an algorithm name or a base64url kid the proxy produced itself: nothing to escape.
    private static void row(StringBuilder page, String id, String label, String value)
    {
        page.append("<tr><th>").append(label).append("</th><td id=\"").append(id).append("\">").append(value).append("</td></tr>\n");
    }

    private static String uptime(double seconds)
    {
        Duration uptime = Duration.ofMillis((long)(seconds * 1000));
        return uptime.toDaysPart() > 0 ? String.format(Locale.ROOT, "%dd %dh %dm", uptime.toDaysPart(), uptime.toHoursPart(), uptime.toMinutesPart())
            : String.format(Locale.ROOT, "%dh %dm %ds", uptime.toHoursPart(), uptime.toMinutesPart(), uptime.toSecondsPart());
    }
}
