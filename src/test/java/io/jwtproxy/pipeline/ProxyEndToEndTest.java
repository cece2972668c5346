package io.jwtproxy.pipeline;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.EmbeddedConfig;
import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.Tokens;
import io.jwtproxy.token.JwtMinter;

import static org.assertj.core.api.Assertions.assertThat;

/** Client → proxy → echo upstream, all in this JVM on ephemeral ports. */
class ProxyEndToEndTest
{
    private static final String SECRET = Tokens.SEED_SECRET;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Proxies proxies = new Proxies();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Server echo;
    private int port;

    /**
     * By default the proxy runs in demo mode, proxying to its built-in echo upstream, whose
     * responses show the token it received; {@link #echo} is a separate echo for tests that
     * configure an upstream, behind which the proxy drops any token header from responses.
     */
    @BeforeEach
    void startEchoAndProxy() throws Exception
    {
        echo = proxies.echo();
        port = startProxy(null);
    }

    private int startProxy(String upstream, String... pairs)
    {
        List<String> settings = new ArrayList<>(List.of("JWT_SECRET", SECRET));
        if (upstream != null)
            settings.addAll(List.of("UPSTREAM_URL", upstream));
        settings.addAll(List.of(pairs));
        return proxies.start(settings.toArray(String[]::new)).port();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception
    {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String pathAndQuery)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(20));
    }

    private JsonNode status() throws Exception
    {
        return JSON.readTree(send(request("/status")).body());
    }

    @Test
    void upstreamReceivesAFreshTokenThatVerifies() throws Exception
    {
        long before = Instant.now().getEpochSecond();
        HttpResponse<String> response = send(request("/hello"));
        long after = Instant.now().getEpochSecond();

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> tokens = response.headers().allValues("x-my-jwt");
        assertThat(tokens).as("the echo upstream shows the token headers it received").hasSize(1);
        String token = tokens.get(0);
        assertThat(Tokens.verifies(token, SECRET)).as("HS512 signature of %s", token).isTrue();
        assertThat(Tokens.decoded(token, 0)).isEqualTo("{\"alg\":\"HS512\",\"typ\":\"JWT\"}");
        JsonNode claims = Tokens.claims(token);
        assertThat(claims.get("iat").isIntegralNumber()).isTrue();
        assertThat(claims.get("iat").asLong()).isBetween(before, after);
        assertThat(java.util.UUID.fromString(claims.get("jti").asText())).isNotNull();
        assertThat(claims.get("payload").get("user").asText()).isEqualTo("username");
        assertThat(claims.get("payload").get("date").asText()).isIn(
            LocalDate.ofEpochDay(before / 86400).toString(), LocalDate.now(ZoneOffset.UTC).toString());
    }

    @Test
    void everyRequestOnOneConnectionGetsItsOwnToken() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            String first = null;
            for (int i = 0; i < 3; i++)
            {
                http.send("GET /k HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response response = http.readResponse(false);
                assertThat(response.status()).isEqualTo(200);
                String token = response.header("x-my-jwt");
                assertThat(Tokens.verifies(token, SECRET)).isTrue();
                assertThat(token).isNotEqualTo(first);
                first = token;
            }
        }
    }

    @Test
    void pipelinedRequestsEachGetTheirOwnToken() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            // Three requests in one write, before any answer.
            http.send("GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /p2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
                + "GET /p3 HTTP/1.1\r\nHost: x\r\n\r\n");
            java.util.Set<String> tokens = new java.util.HashSet<>();
            for (String path : List.of("/p1", "/p2", "/p3"))
            {
                RawHttp.Response response = http.readResponse(false);
                assertThat(response.header("x-echo-request")).startsWith(path.equals("/p2") ? "POST /p2" : "GET " + path);
                assertThat(Tokens.verifies(response.header("x-my-jwt"), SECRET)).isTrue();
                tokens.add(Tokens.claims(response.header("x-my-jwt")).get("jti").asText());
            }
            assertThat(tokens).hasSize(3);
        }
    }

    @Test
    void configuredUserAndHeaderNameAreUsed() throws Exception
    {
        port = startProxy(null, "JWT_USER", "svc-42", "JWT_HEADER", "X-Signed");

        HttpResponse<String> response = send(request("/").header("X-Signed", "forged").header("x-my-jwt", "passes through"));

        String token = response.headers().firstValue("x-signed").orElseThrow();
        assertThat(response.headers().allValues("x-signed")).hasSize(1);
        assertThat(Tokens.verifies(token, SECRET)).isTrue();
        assertThat(Tokens.claims(token).get("payload").get("user").asText()).isEqualTo("svc-42");
        assertThat(response.headers().allValues("x-my-jwt")).as("not the token header any more").containsExactly("passes through");
    }

    @Test
    void replacesClientSuppliedJwtHeaderInAnySpelling() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /spoof HTTP/1.1\r\nHost: x\r\nx-my-jwt: forged1\r\nX-MY-JWT: forged2\r\nx_my_jwt: forged3\r\nX_My_Jwt: forged4\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.head().all("x-my-jwt")).hasSize(1);
            assertThat(Tokens.verifies(response.header("x-my-jwt"), SECRET)).isTrue();
            assertThat(response.head().all("x_my_jwt")).as("underscore spelling reached the upstream").isEmpty();
            assertThat(response.head().fields().values().toString()).doesNotContain("forged");
        }
    }

    @Test
    void connectionListedHeadersAreNotForwarded() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /c HTTP/1.1\r\nHost: x\r\nConnection: X-Foo, x-bar\r\nX-Foo: 1\r\nX-Bar: 2\r\nKeep-Alive: timeout=5\r\n"
                + "TE: trailers\r\nProxy-Authorization: Basic eDp5\r\nX-Kept: 3\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.head().fields()).doesNotContainKeys("x-foo", "x-bar", "keep-alive", "te", "proxy-authorization");
            assertThat(response.header("x-kept")).isEqualTo("3");
        }
    }

    @Test
    void connectionCannotRemoveTheToken() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /c HTTP/1.1\r\nHost: x\r\nConnection: close, x-my-jwt\r\nx-my-jwt: forged\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(Tokens.verifies(response.header("x-my-jwt"), SECRET)).isTrue();
        }
    }

    @Test
    void responseHeadersNamedByUpstreamConnectionAreNotForwarded() throws Exception
    {
        try (CannedUpstream upstream = new CannedUpstream("HTTP/1.1 203 Custom Reason\r\nConnection: X-Secret, keep-alive\r\n"
            + "X-Secret: internal\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic realm=up\r\nUpgrade: h2c\r\n"
            + "Trailer: X-Checksum\r\nProxy-Connection: keep-alive\r\nX-Public: yes\r\nContent-Length: 2\r\n\r\nok"))
        {
            port = startProxy(upstream.url());
            try (RawHttp http = new RawHttp(port))
            {
                http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response response = http.readResponse(false);

                // The status code passes; the reason phrase cannot (servlet containers send the standard one).
                assertThat(response.status()).isEqualTo(203);
                assertThat(response.text()).isEqualTo("ok");
                assertThat(response.header("x-public")).isEqualTo("yes");
                assertThat(response.head().fields()).doesNotContainKeys("x-secret", "keep-alive", "proxy-authenticate", "upgrade",
                    "trailer", "proxy-connection");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"})
    void everyMethodIsForwardedWithRawPathAndQuery(String method) throws Exception
    {
        boolean hasBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        HttpResponse<String> response = send(request("/a%20b/%C3%A9/c;p?x=1&y=%2F&z=%20")
            .method(method, hasBody ? HttpRequest.BodyPublishers.ofString("body of " + method) : HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-echo-request")).hasValue(method + " /a%20b/%C3%A9/c;p?x=1&y=%2F&z=%20 HTTP/1.1");
        assertThat(Tokens.verifies(response.headers().firstValue("x-my-jwt").orElseThrow(), SECRET)).isTrue();
        if (hasBody)
            assertThat(response.body()).isEqualTo("body of " + method);
    }

    @Test
    void basePathIsPrefixed() throws Exception
    {
        port = startProxy("http://127.0.0.1:" + EmbeddedServer.port(echo) + "/base/");

        HttpResponse<String> response = send(request("/v1/items?id=7"));

        assertThat(response.headers().firstValue("x-echo-request")).hasValue("GET /base/v1/items?id=7 HTTP/1.1");
    }

    @Test
    void contentLengthUploadStaysContentLength() throws Exception
    {
        byte[] body = randomBytes(3 * 1024 * 1024 + 17);

        HttpResponse<byte[]> response = client.send(request("/upload").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.headers().firstValue("x-echo-body")).hasValue("length=" + body.length);
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void chunkedUploadStreamsThroughChunked() throws Exception
    {
        byte[] body = randomBytes(5 * 1024 * 1024);
        try (RawHttp http = new RawHttp(port))
        {
            http.send("POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            // The echo answers while the upload is still arriving: write from another thread.
            Thread writer = new Thread(() ->
            {
                try
                {
                    for (int offset = 0; offset < body.length; offset += 100_000)
                    {
                        int length = Math.min(100_000, body.length - offset);
                        http.send((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        http.output().write(body, offset, length);
                        http.send("\r\n");
                    }
                    http.send("0\r\n\r\n");
                }
                catch (IOException x)
                {
                    throw new IllegalStateException(x);
                }
            });
            writer.start();
            RawHttp.Response response = http.readResponse(false);
            writer.join(20_000);

            assertThat(response.header("x-echo-body")).isEqualTo("chunked");
            assertThat(response.body()).isEqualTo(body);
        }
    }

    @Test
    void expect100ContinueIsHonoured() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");

            RawHttp.Head interim = http.readHead();
            assertThat(interim.status()).as("100 Continue before any body was sent").isEqualTo(100);

            http.send("hello");
            RawHttp.Response response = http.readResponse(false);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.text()).isEqualTo("hello");
        }
    }

    @Test
    void connectIsRefusedNotTunnelled() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("CONNECT 127.0.0.1:" + EmbeddedServer.port(echo) + " HTTP/1.1\r\nHost: 127.0.0.1:" + EmbeddedServer.port(echo) + "\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).as("a reverse proxy is no tunnel").isEqualTo(501);
            assertThat(response.head().fields()).doesNotContainKey("x-my-jwt");
        }
    }

    @Test
    void http10ClientIsAnsweredAndClosed() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /old HTTP/1.0\r\nHost: x\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.head().all("connection")).noneMatch(value -> value.equalsIgnoreCase("keep-alive"));
            assertThat(Tokens.verifies(response.header("x-my-jwt"), SECRET)).isTrue();
            assertThat(http.closedByServer()).as("connection closed after an HTTP/1.0 response").isTrue();
        }
    }

    @Test
    void statusCountsEveryProxiedRequestExactlyUnderConcurrency() throws Exception
    {
        assertThat(status().get("requestsReceived").asLong()).isZero();
        int threads = 16;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                results.add(pool.submit(() ->
                {
                    int ok = 0;
                    for (int i = 0; i < perThread; i++)
                    {
                        if (send(request("/load/" + i).POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode() == 200)
                            ok++;
                        status();
                    }
                    return ok;
                }));
            }
            for (Future<Integer> result : results)
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(perThread);
        }
        finally
        {
            pool.shutdownNow();
        }

        JsonNode status = status();
        assertThat(status.get("requestsReceived").asLong()).as("status requests are not counted").isEqualTo(threads * perThread);
        assertThat(Instant.parse(status.get("startedAt").asText())).isBefore(Instant.now());
        assertThat(status.get("uptimeSeconds").isNumber()).isTrue();
        assertThat(status.get("uptimeSeconds").asDouble()).isPositive();
    }

    @Test
    void statusIsHtmlForBrowsers() throws Exception
    {
        send(request("/counted"));

        HttpResponse<String> response = send(request("/status").header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"));

        assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
        assertThat(response.body()).contains("<th>requestsReceived</th><td id=\"requestsReceived\">1</td>").contains("<svg id=\"traffic\"");
    }

    @Test
    void upstreamDownGives502Quickly() throws Exception
    {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            closedPort = socket.getLocalPort();
        }
        port = startProxy("http://127.0.0.1:" + closedPort);
        send(request("/warm-up"));

        long start = System.nanoTime();
        HttpResponse<String> get = send(request("/down"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        HttpResponse<String> post = send(request("/down").POST(HttpRequest.BodyPublishers.ofString("payload")));

        assertThat(get.statusCode()).isEqualTo(502);
        assertThat(post.statusCode()).isEqualTo(502);
        assertThat(millis).as("once warm, a refused connection fails in milliseconds, not after a timeout").isLessThan(1_000);
    }

    @Test
    void mintingFailureIsNotForwarded() throws Exception
    {
        CannedUpstream upstream = proxies.track(new CannedUpstream("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        EmbeddedConfig config = EmbeddedConfig.load(ConfigSource.of(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "ENGINE", Proxies.engine(),
            "UPSTREAM_URL", upstream.url(), "JWT_SECRET", SECRET)));
        JwtMinter failing = new JwtMinter(config.tokens().secret(), "u", java.time.Clock.systemUTC(), () ->
        {
            throw new IllegalStateException("entropy source failed");
        });
        ProxyRuntime runtime = new ProxyRuntime(config.proxy(), config.tokens(), config.auth(), config.admin(), null, failing, java.time.Clock.systemUTC());
        port = proxies.start(EmbeddedServer.newProxyServer(config.server(), runtime)).port();

        HttpResponse<String> response = send(request("/must-not-arrive").POST(HttpRequest.BodyPublishers.ofString("data")));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).doesNotContain("entropy").doesNotContain("Exception");
        assertThat(upstream.requestHeads.poll(500, TimeUnit.MILLISECONDS)).as("upstream received a request").isNull();
    }

    private static byte[] randomBytes(int size)
    {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
