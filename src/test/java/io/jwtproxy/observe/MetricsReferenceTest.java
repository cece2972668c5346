package io.jwtproxy.observe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.GeneratedPage;
import io.jwtproxy.testing.MetricsScrape;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/metrics.md is what {@code /metrics} exposes: generated from a scrape of a running proxy with every
 * optional family on (signing keys on a schedule, authentication), after traffic that gives each label a value.
 */
class MetricsReferenceTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();

    @TempDir
    Path keys;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void metricsReferenceListsEveryFamilyARunningProxyExposes() throws Exception
    {
        CannedUpstream upstream = proxies.track(new CannedUpstream((socket, head) ->
        {
            if (CannedUpstream.path(head).startsWith("/fail"))
                CannedUpstream.reset(socket, head);
            else
                socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
        }));
        Proxy proxy = proxies.start(upstream, "ADMIN_PATH", "/_jwt-proxy", "JWT_ALG", "ES256", "JWT_KEYS_DIR", keys.toString(), "JWT_ROTATE_EVERY", "1h",
            "JWT_TTL_SECONDS", "60", "AUTH", "header", "AUTH_TRUSTED_PROXIES", "127.0.0.1/32");
        assertThat(send(proxy.uri("/orders"), "X-Forwarded-User", "alice").statusCode()).isEqualTo(200);
        assertThat(send(proxy.uri("/orders")).statusCode()).as("no user: refused").isEqualTo(403);
        assertThat(send(proxy.uri("/fail"), "X-Forwarded-User", "alice").statusCode()).isEqualTo(502);

        Map<String, Metrics.MetricFamily> families = scrape(proxy.uri("/_jwt-proxy/metrics"));

        assertThat(families).containsKeys("jwtproxy_requests", "jwtproxy_upstream_failures", "jwtproxy_authentications",
            "jwtproxy_signing_key_retires_in_seconds", "jwtproxy_forward_auth_decisions", "jvm_memory_used_bytes");
        assertThat(families.keySet()).as("every family is the proxy's own, the JVM's or the process's")
            .allMatch(name -> name.startsWith("jwtproxy_") || name.startsWith("jvm_") || name.startsWith("process_"));
        GeneratedPage.check(Path.of("docs/metrics.md"), reference(families));
    }

    private HttpResponse<byte[]> send(URI uri, String... headers) throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private Map<String, Metrics.MetricFamily> scrape(URI metrics) throws IOException, InterruptedException
    {
        return MetricsScrape.families(client, metrics);
    }

    private static String reference(Map<String, Metrics.MetricFamily> families)
    {
        StringBuilder page = new StringBuilder(GeneratedPage.header("Metrics reference", "a scrape of a running proxy's /metrics", "MetricsReferenceTest"));
        page.append("""
            What `/metrics` exposes (see [operations](operations.md) for where it is served and how to scrape it). The proxy's own
            families start with `jwtproxy_`; no label carries a path, a user or a token id. `jwtproxy_authentications_total` is
            there when `AUTH` names a method; the two key-schedule gauges with ES256/RS256/EdDSA while a successor key is
            scheduled. `METRICS=off` turns them all off.

            | Metric | Type | Labels | Meaning |
            |---|---|---|---|
            """);
        families.forEach((name, family) ->
        {
            // The JVM's and the process's vary with the JVM and its collections (a pool's allocation counter appears after a GC): rows below.
            if (!name.startsWith("jwtproxy_"))
                return;
            TreeSet<String> labels = new TreeSet<>();
            family.getMetricList().forEach(metric -> metric.getLabelList().forEach(label -> labels.add(label.getName())));
            String type = family.getType().name().toLowerCase(java.util.Locale.ROOT);
            String exposed = type.equals("counter") ? name + "_total" : name;
            page.append("| `").append(exposed).append("` | ").append(type).append(" | ")
                .append(labels.isEmpty() ? "" : "`" + String.join("`, `", labels) + "`").append(" | ")
                .append(family.getHelp().replace("|", "\\|")).append(" |\n");
        });
        page.append("| `jvm_*` | | | the Prometheus Java client's `JvmMetrics`: memory areas and pools, buffer pools, classes, compilation, GC, threads, runtime info |\n");
        page.append("| `process_*` | | | the same client's process metrics: CPU seconds, resident and virtual memory, open and maximum file descriptors, start time |\n");
        return page.toString();
    }
}
