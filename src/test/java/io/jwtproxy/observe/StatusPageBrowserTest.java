package io.jwtproxy.observe;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page in a real browser: Debian's headless Chromium loads it, renders a screenshot to
 * {@code target/status-page.png}, and dumps the DOM it built, whose figures and chart are checked.
 */
class StatusPageBrowserTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();
    @TempDir
    Path profile;

    private static List<String> chromium(Path profile, String... arguments)
    {
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile));
        command.addAll(List.of(arguments));
        return command;
    }

    private static String run(List<String> command) throws Exception
    {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return out;
    }

    @Test
    void aBrowserShowsTheFiguresTheKeyScheduleAndTheLastFifteenMinutesChart() throws Exception
    {
        Proxy proxy = proxies.startRevealing();
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < 25; i++)
            client.send(HttpRequest.newBuilder(proxy.uri("/page/" + i)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
        String url = proxy.uri("/status").toString();
        Path screenshot = Path.of("target", "status-page.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);

        String dom = run(chromium(profile, "--dump-dom", url));
        run(chromium(profile, "--window-size=1100,900", "--screenshot=" + screenshot, url));

        assertThat(cell(dom, "requestsReceived")).isEqualTo("25");
        assertThat(cell(dom, "requestsForwarded")).isEqualTo("25");
        assertThat(cell(dom, "signingAlgorithm")).isEqualTo("HS512");
        assertThat(cell(dom, "uptime")).matches("\\d+h \\d+m \\d+s");
        assertThat(cell(dom, "p50")).endsWith(" ms");
        assertThat(dom).contains("<svg id=\"traffic\"").contains("data-points=\"90\"");
        for (String line : List.of("rate", "p50", "p99"))
        {
            Matcher points = Pattern.compile("<polyline id=\"" + line + "\"[^>]* points=\"([^\"]+)\"").matcher(dom);
            assertThat(points.find()).as("the %s line", line).isTrue();
            String[] xy = points.group(1).trim().split(" ");
            assertThat(xy).hasSize(90);
            // The 25 requests are in the last slot, or in the one before it when a slot began since: above the baseline.
            double highest = Math.min(Double.parseDouble(xy[88].split(",")[1]), Double.parseDouble(xy[89].split(",")[1]));
            assertThat(highest).as("%s now", line).isLessThan(240.0);
        }
        assertThat(dom).doesNotContain("<script").as("no external stylesheet").doesNotContain("<link");
        assertThat(Files.size(screenshot)).as("the screenshot").isGreaterThan(5_000);
    }

    private static String cell(String dom, String id)
    {
        Matcher cell = Pattern.compile("<td id=\"" + id + "\">([^<]*)</td>").matcher(dom);
        assertThat(cell.find()).as("the %s cell", id).isTrue();
        return cell.group(1);
    }
}
