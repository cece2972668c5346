package io.jwtproxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.jwtproxy.testing.JavaProcess;
import io.jwtproxy.testing.SlowUpload;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar as operators run it: probes through a drain on the admin listener, JSON access lines. */
class OperationsJarIT
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private int get(String url) throws Exception
    {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode();
    }

    @Test
    void fromTheDrainsStartReadinessIs503WhileHealthStays200AndTheRequestInFlightCompletes() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "ADMIN_PORT", "0", "SHUTDOWN_DRAIN", "20s"),
            List.of("-Xmx128m")))
        {
            int port = proxy.awaitListening();
            String base = proxy.awaitLine("admin listener on (http://127.0.0.1:\\d+)", Duration.ofSeconds(10));
            assertThat(get(base + "/readyz")).isEqualTo(200);
            assertThat(get(base + "/healthz")).isEqualTo(200);
            int[] during = new int[2];

            // 4 MiB over about 2 s, most of it after SIGTERM.
            String difference = SlowUpload.across(port, "/slow", 4L << 20, 125, () ->
            {
                ProcessHandle.of(proxy.pid()).orElseThrow().destroy();
                proxy.awaitLine("SIGTERM: refusing new connections", Duration.ofSeconds(10));
                during[0] = get(base + "/readyz");
                during[1] = get(base + "/healthz");
            });

            assertThat(during[0]).as("/readyz while draining").isEqualTo(503);
            assertThat(during[1]).as("/healthz while draining").isEqualTo(200);
            assertThat(difference).as("the in-flight upload completed byte-exact").isNull();
            assertThat(proxy.awaitExit(Duration.ofSeconds(25))).isZero();
        }
    }

    @Test
    void jsonAccessLinesCarryTheJtiOfTheTokenTheUpstreamGotAndNeverTheToken() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "ACCESS_LOG_FORMAT", "json",
            "JWT_SECRET", Tokens.SEED_SECRET), List.of("-Xmx128m")))
        {
            int port = proxy.awaitListening();
            // The demo's echo upstream shows the token it got.
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/42?x=1"))
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
            String token = response.headers().firstValue("x-my-jwt").orElseThrow();
            String jti = Tokens.claims(token).get("jti").asText();

            JsonNode access = JSON.readTree(proxy.awaitLine("(\\{.*\"jti\":\"" + jti + "\".*\\})", Duration.ofSeconds(10)));

            assertThat(access.get("method").asText()).isEqualTo("POST");
            assertThat(access.get("path").asText()).as("without the query").isEqualTo("/orders/42");
            assertThat(access.get("status").asInt()).isEqualTo(200);
            assertThat(access.get("upstreamStatus").asInt()).isEqualTo(200);
            assertThat(access.get("bytesIn").asLong()).isEqualTo(5);
            assertThat(access.get("bytesOut").asLong()).isEqualTo(5);
            assertThat(access.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(access.get("durationMs").asDouble()).isPositive();
            assertThat(access.has("time")).isTrue();
            assertThat(proxy.output()).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        }
    }
}
