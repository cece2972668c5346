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
    void aSigtermFirstServesOnNotReadyWithConnectionCloseForTheShutdownDelayThenClosesTheListenerAndExitsZero() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "ADMIN_PORT", "0", "SHUTDOWN_DELAY", "3s"),
            List.of("-Xmx128m")))
        {
            int port = proxy.awaitListening();
            String base = proxy.awaitLine("admin listener on (http://127.0.0.1:\\d+)", Duration.ofSeconds(10));
            String before = exchange(port, "/before");
            assertThat(before).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close").endsWith("(still open)");

            ProcessHandle.of(proxy.pid()).orElseThrow().destroy();
            proxy.awaitLine("SIGTERM: not ready; serving PT3S more", Duration.ofSeconds(10));
            long signalled = System.nanoTime();
            assertThat(get(base + "/readyz")).as("/readyz during the delay").isEqualTo(503);
            String during = exchange(port, "/during");
            assertThat(during).as("a new request during the delay").startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nconnection: close\r\n");
            assertThat(during).as("proxied, and the connection closed after it").containsIgnoringCase("x-echo-request: GET /during HTTP/1.1")
                .doesNotContain("(still open)");

            proxy.awaitLine("SIGTERM: refusing new connections", Duration.ofSeconds(10));
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("listening for the delay").isGreaterThan(Duration.ofMillis(2500));
            assertThat(proxy.awaitExit(Duration.ofSeconds(20))).isZero();
        }
    }

    @Test
    void aSecondSignalEndsTheShutdownDelay() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "SHUTDOWN_DELAY", "5m"), List.of("-Xmx128m")))
        {
            proxy.awaitListening();
            ProcessHandle.of(proxy.pid()).orElseThrow().destroy();
            proxy.awaitLine("SIGTERM: not ready", Duration.ofSeconds(10));
            ProcessHandle.of(proxy.pid()).orElseThrow().destroy();

            proxy.awaitLine("SIGTERM again: closing the listeners now", Duration.ofSeconds(10));
            assertThat(proxy.awaitExit(Duration.ofSeconds(20))).isZero();
        }
    }

    /** @return all a plain HTTP/1.1 connection gets for one keep-alive GET, read until the proxy closes it or 2 s pass */
    private static String exchange(int port, String path) throws Exception
    {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try
            {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; )
                    got.write(buffer, 0, n);
                return got.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
            catch (java.net.SocketTimeoutException x)
            {
                // Still open: a keep-alive connection.
                return got.toString(java.nio.charset.StandardCharsets.UTF_8) + "\n(still open)";
            }
        }
    }

    @Test
    void theReadmesLauncherRunsTheJarLeanAndASigtermStillDrainsItToExitZero() throws Exception
    {
        ProcessBuilder builder = new ProcessBuilder("bin/jwt-proxy").redirectErrorStream(true);
        builder.environment().putAll(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "SHUTDOWN_DELAY", "0s"));
        Process launcher = builder.start();
        try (java.io.BufferedReader output = new java.io.BufferedReader(new java.io.InputStreamReader(launcher.getInputStream())))
        {
            java.util.regex.Pattern listening = java.util.regex.Pattern.compile("jwt-proxy listening on http://127.0.0.1:(\\d+)");
            int port = -1;
            while (port < 0)
            {
                String line = output.readLine();
                if (line == null)
                    break;
                java.util.regex.Matcher matcher = listening.matcher(line);
                if (matcher.find())
                    port = Integer.parseInt(matcher.group(1));
            }
            assertThat(port).as("the launcher's jar listens").isPositive();
            String commandLine = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + launcher.pid() + "/cmdline"))).replace('\0', ' ');
            String environment = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + launcher.pid() + "/environ")));

            assertThat(commandLine).as("the JVM is the launcher's own process").contains("-Xmx128m -XX:+UseSerialGC -jar");
            assertThat(environment).contains("MALLOC_ARENA_MAX=2");
            assertThat(get("http://127.0.0.1:" + port + "/status")).isEqualTo(200);
            launcher.destroy();
            assertThat(launcher.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.exitValue()).as("exit status after SIGTERM").isZero();
        }
        finally
        {
            launcher.destroyForcibly();
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
