package io.jwtproxy.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;

import static org.assertj.core.api.Assertions.assertThat;

/** A scrape of a proxy's /metrics, read back with the Prometheus client's own protobuf parser. */
public final class MetricsScrape
{
    private static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private MetricsScrape()
    {
    }

    /** @return the metric families by their exposed name without a counter's {@code _total}, in name order */
    public static Map<String, Metrics.MetricFamily> families(HttpClient client, URI metrics) throws IOException, InterruptedException
    {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(20)).header("Accept", PROTOBUF).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/vnd.google.protobuf");
        Map<String, Metrics.MetricFamily> families = new TreeMap<>();
        ByteArrayInputStream in = new ByteArrayInputStream(response.body());
        for (Metrics.MetricFamily family = Metrics.MetricFamily.parseDelimitedFrom(in); family != null; family = Metrics.MetricFamily.parseDelimitedFrom(in))
            families.put(family.getName().replaceAll("_total$", ""), family);
        return families;
    }
}
