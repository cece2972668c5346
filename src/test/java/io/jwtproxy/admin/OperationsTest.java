package io.jwtproxy.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.MetricsScrape;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators scrape and probe: /metrics read back with the Prometheus client's own protobuf
 * parser, OpenMetrics on request, the admin endpoints on the admin listener or under ADMIN_PATH,
 * and the public listener forwarding those paths once they have moved.
 */
class OperationsTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<byte[]> get(URI uri, String... headers) throws Exception
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

    private static double counter(Metrics.MetricFamily family, String... labels)
    {
        return family.getMetricList().stream().filter(metric -> hasLabels(metric, labels)).mapToDouble(metric -> metric.getCounter().getValue()).sum();
    }

    private static boolean hasLabels(Metrics.Metric metric, String... labels)
    {
        for (int i = 0; i < labels.length; i += 2)
        {
            String name = labels[i];
            String value = labels[i + 1];
            if (metric.getLabelList().stream().noneMatch(pair -> pair.getName().equals(name) && pair.getValue().equals(value)))
                return false;
        }
        return true;
    }

    @Test
    void metricsCountEveryRequestExactlyWithBoundedLabels() throws Exception
    {
        Proxy proxy = proxies.startRevealing("ADMIN_PATH", "/_jwt-proxy");
        for (int i = 0; i < 5; i++)
            assertThat(get(proxy.uri("/orders/" + i + "?user=u" + i)).statusCode()).isEqualTo(200);
        for (int i = 0; i < 2; i++)
            client.send(HttpRequest.newBuilder(proxy.uri("/upload")).POST(HttpRequest.BodyPublishers.ofString("12345")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(get(proxy.uri("/x"), "Authorization", "y").statusCode()).isEqualTo(200);
        client.send(HttpRequest.newBuilder(proxy.uri("/gone")).method("BREW", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());

        Map<String, Metrics.MetricFamily> families = scrape(proxy.uri("/_jwt-proxy/metrics"));

        assertThat(counter(families.get("jwtproxy_requests"), "method", "GET", "status_class", "2xx")).isEqualTo(6);
        assertThat(counter(families.get("jwtproxy_requests"), "method", "POST", "status_class", "2xx")).isEqualTo(2);
        assertThat(counter(families.get("jwtproxy_requests"), "method", "OTHER")).as("a made-up method gets no label of its own").isEqualTo(1);
        assertThat(counter(families.get("jwtproxy_tokens_minted"), "algorithm", "HS512")).isEqualTo(9);
        assertThat(counter(families.get("jwtproxy_request_body_bytes"))).isEqualTo(10);
        assertThat(counter(families.get("jwtproxy_response_body_bytes"))).isEqualTo(10);
        Metrics.Histogram duration = families.get("jwtproxy_request_duration_seconds").getMetric(0).getHistogram();
        assertThat(duration.getSampleCount()).isEqualTo(9);
        assertThat(duration.getBucketList()).hasSizeGreaterThan(10);
        assertThat(families.get("jwtproxy_token_minting_duration_seconds").getMetric(0).getHistogram().getSampleCount()).isEqualTo(9);
        assertThat(families.get("jwtproxy_requests_in_flight").getMetric(0).getGauge().getValue()).isZero();
        assertThat(families).containsKeys("jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds", "jwtproxy_websockets_open");
        assertThat(families.values()).flatExtracting(Metrics.MetricFamily::getMetricList).flatExtracting(Metrics.Metric::getLabelList)
            .extracting(Metrics.LabelPair::getName).as("no label names a path, a user or a token").doesNotContain("path", "user", "jti", "sub", "uri");
    }

    @Test
    void upstreamFailuresAreCountedByKind() throws Exception
    {
        Proxy proxy = proxies.start("UPSTREAM_URL", "http://127.0.0.1:" + io.jwtproxy.testing.Deployment.freePort(), "JWT_SECRET",
            io.jwtproxy.testing.Tokens.SEED_SECRET, "ADMIN_PATH", "/_jwt-proxy");
        assertThat(get(proxy.uri("/down")).statusCode()).isEqualTo(502);

        Map<String, Metrics.MetricFamily> families = scrape(proxy.uri("/_jwt-proxy/metrics"));

        assertThat(counter(families.get("jwtproxy_upstream_failures"), "kind", "refused")).isEqualTo(1);
        assertThat(counter(families.get("jwtproxy_requests"), "method", "GET", "status_class", "5xx")).isEqualTo(1);
    }

    @Test
    void theTextFormatsAreNegotiated() throws Exception
    {
        Proxy proxy = proxies.startRevealing("ADMIN_PATH", "/_jwt-proxy");
        get(proxy.uri("/one"));

        HttpResponse<byte[]> text = get(proxy.uri("/_jwt-proxy/metrics"));
        HttpResponse<byte[]> openMetrics = get(proxy.uri("/_jwt-proxy/metrics"), "Accept", "application/openmetrics-text; version=1.0.0");

        assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        assertThat(new String(text.body())).contains("jwtproxy_requests_total{method=\"GET\",status_class=\"2xx\"} 1.0");
        assertThat(openMetrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
        assertThat(new String(openMetrics.body())).endsWith("# EOF\n");
    }

    @Test
    void withAnAdminListenerTheEndpointsMoveThereAndThePublicListenerForwardsTheirPaths() throws Exception
    {
        Proxy proxy = proxies.startRevealing("ADMIN_PORT", "0");
        int adminPort = EmbeddedServer.port(EmbeddedServer.admin(proxy.server()), EmbeddedServer.ADMIN);

        for (String path : List.of("/status", "/metrics", "/healthz", "/readyz"))
        {
            HttpResponse<byte[]> forwarded = get(proxy.uri(path));
            HttpResponse<byte[]> admin = get(URI.create("http://127.0.0.1:" + adminPort + path));

            assertThat(forwarded.statusCode()).isEqualTo(200);
            assertThat(forwarded.headers().firstValue("x-upstream-token")).as("%s reached the upstream", path).isPresent();
            assertThat(admin.statusCode()).as(path).isEqualTo(200);
            assertThat(admin.headers().firstValue("x-upstream-token")).isEmpty();
        }
        assertThat(get(URI.create("http://127.0.0.1:" + adminPort + "/orders")).statusCode()).as("nothing is proxied there").isEqualTo(404);
        assertThat(new ObjectMapper().readTree(get(URI.create("http://127.0.0.1:" + adminPort + "/status")).body()).get("requestsForwarded").asLong())
            .isEqualTo(4);
    }

    @Test
    void adminPathMovesTheEndpointsOnThePublicListener() throws Exception
    {
        Proxy proxy = proxies.startRevealing("ADMIN_PATH", "/_jwt-proxy/");

        assertThat(get(proxy.uri("/_jwt-proxy/healthz")).statusCode()).isEqualTo(200);
        assertThat(new String(get(proxy.uri("/_jwt-proxy/readyz")).body())).isEqualTo("ready\n");
        assertThat(get(proxy.uri("/_jwt-proxy/metrics")).statusCode()).isEqualTo(200);
        assertThat(get(proxy.uri("/status")).headers().firstValue("x-upstream-token")).as("forwarded").isPresent();
        assertThat(get(proxy.uri("/_jwt-proxy/status")).headers().firstValue("x-upstream-token")).isEmpty();
    }

    @Test
    void theKeyScheduleIsAGaugeOfSecondsToTheActiveKeysRetirementAndSinceTheNextWasPublished(@org.junit.jupiter.api.io.TempDir java.nio.file.Path keys)
        throws Exception
    {
        Proxy proxy = proxies.start("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(proxies.revealingEcho()), "JWT_ALG", "ES256",
            "JWT_KEYS_DIR", keys.toString(), "JWT_TTL_SECONDS", "60",
            "JWT_ROTATE_EVERY", "1h", "JWKS_MAX_AGE", "5m", "ADMIN_PATH", "/_jwt-proxy");
        get(proxy.uri("/signed"));

        Map<String, Metrics.MetricFamily> families = scrape(proxy.uri("/_jwt-proxy/metrics"));

        double retiresIn = families.get("jwtproxy_signing_key_retires_in_seconds").getMetric(0).getGauge().getValue();
        double published = families.get("jwtproxy_next_key_published_seconds").getMetric(0).getGauge().getValue();
        assertThat(retiresIn).as("the first key signs for its hour").isBetween(3000.0, 3600.0);
        assertThat(published).as("its successor was published (written) at start-up, a period ahead").isBetween(0.0, 60.0);
        assertThat(families.get("jwtproxy_tokens_minted").getMetric(0).getLabelList()).extracting(Metrics.LabelPair::getName)
            .containsExactlyInAnyOrder("algorithm", "kid");
    }

    @Test
    void withoutAdminPathOnlyTheSeedsStatusIsTheProxysAndTheOtherPathsGoUpstream() throws Exception
    {
        Proxy proxy = proxies.startRevealing();

        assertThat(get(proxy.uri("/status")).headers().firstValue("x-upstream-token")).as("the proxy's own").isEmpty();
        for (String path : List.of("/metrics", "/healthz", "/readyz"))
            assertThat(get(proxy.uri(path)).headers().firstValue("x-upstream-token")).as("%s forwarded", path).isPresent();
    }

    @Test
    void withMetricsOffNoneAreKept() throws Exception
    {
        Proxy proxy = proxies.startRevealing("METRICS", "off", "ADMIN_PATH", "/_jwt-proxy");

        assertThat(get(proxy.uri("/_jwt-proxy/metrics")).statusCode()).isEqualTo(404);
        assertThat(get(proxy.uri("/_jwt-proxy/healthz")).statusCode()).isEqualTo(200);
    }
}
