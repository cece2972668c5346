package io.jwtproxy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.BigBody;
import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Deployment;
import io.jwtproxy.testing.EventStream;
import io.jwtproxy.testing.GrpcUpstream;
import io.jwtproxy.testing.IndependentJose;
import io.jwtproxy.testing.OidcProvider;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.RevealingEcho;
import io.jwtproxy.testing.SlowUpload;
import io.jwtproxy.testing.Tokens;
import io.jwtproxy.testing.UpstreamAnswers;
import io.jwtproxy.testing.WebSocketPeer;
import io.jwtproxy.testing.WebSocketUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same black-box checks against every way of running the proxy: the executable jar, the WAR
 * in Tomcat 11 (under /proxy, settings in a context descriptor) and Tomcat 10.1 (ROOT, settings as
 * system properties), and the WAR in jetty-home with the repository's jetty-base (settings in the
 * environment). Each runs as a separate process with a 128 MiB heap.
 */
class ContainerIT
{
    // 1 GiB and a bit.
    private static final long BIG_BODY = (1L << 30) + 4_321;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** @return {@code resource}, closed after the test */
    private <T extends AutoCloseable> T track(T resource)
    {
        resources.add(resource);
        return resource;
    }

    static List<Deployment> deployments()
    {
        return Deployment.all();
    }

    /** The deployments at the root context: a gRPC client cannot put a context path before its methods' paths. */
    static List<Deployment> rootDeployments()
    {
        return Deployment.all().stream().filter(deployment -> deployment.contextPath().isEmpty()).toList();
    }

    @AfterEach
    void stop() throws Exception
    {
        for (AutoCloseable resource : resources)
            resource.close();
    }

    /** @return a started Jetty HTTP client speaking h2c with prior knowledge, stopped after the test */
    private org.eclipse.jetty.client.HttpClient h2cClient() throws Exception
    {
        org.eclipse.jetty.client.HttpClient h2c = new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        h2c.start();
        resources.add(h2c::stop);
        return h2c;
    }

    private final EventStream events = new EventStream(5, 300, EventStream.Framing.CHUNKED);

    private Server echo() throws Exception
    {
        Server echo = RevealingEcho.start("x-my-jwt", events);
        resources.add(echo::stop);
        return echo;
    }

    private HttpResponse<String> get(String url, String... headers) throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long requestsReceived(Deployment deployment) throws Exception
    {
        return status(deployment).get("requestsReceived").asLong();
    }

    private long requestsForwarded(Deployment deployment) throws Exception
    {
        return status(deployment).get("requestsForwarded").asLong();
    }

    private JsonNode status(Deployment deployment) throws Exception
    {
        return JSON.readTree(get(deployment.base() + "/status").body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void proxiesWithTokenStreamsCountsAndFailsOver(Deployment deployment) throws Exception
    {
        Server echo = echo();
        resources.add(0, deployment);
        deployment.start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(echo) + "/up",
            "JWT_SECRET", Tokens.SEED_SECRET, "JWT_USER", "ops-" + deployment));

        // The token: fresh, verifiable, right claims; client copies dropped; context path stripped.
        HttpResponse<String> response = get(deployment.base() + "/orders/7?full=1", "X-My-Jwt", "forged", "x_my_jwt", "forged");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-echo-request")).hasValue("GET /up/orders/7?full=1 HTTP/1.1");
        String token = response.headers().firstValue("x-upstream-token").orElseThrow();
        assertThat(token).as("exactly one token reached the upstream").doesNotContain("|").doesNotContain("forged");
        assertThat(response.headers().firstValue("x-upstream-headers").orElseThrow().split(",")).doesNotContain("x_my_jwt");
        assertThat(response.headers().map()).as("the token never comes back to the client").doesNotContainKeys("x-my-jwt", "x_my_jwt");
        assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).as("token %s verifies", token).isTrue();
        JsonNode claims = Tokens.claims(token);
        assertThat(claims.get("payload").get("user").asText()).isEqualTo("ops-" + deployment);
        assertThat(claims.get("payload").get("date").asText()).isIn(LocalDate.now(ZoneOffset.UTC).toString(),
            LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());

        // Expect: 100-continue is answered once the upstream asks for the body.
        try (RawHttp http = new RawHttp(deployment.port()))
        {
            http.send("PUT " + deployment.contextPath() + "/continue HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertThat(http.readHead().status()).isEqualTo(100);
            http.send("ping");
            RawHttp.Response echoed = http.readResponse(false);
            assertThat(echoed.status()).isEqualTo(200);
            assertThat(echoed.text()).isEqualTo("ping");
        }

        // No tunnels: CONNECT is refused, whichever layer of the container answers it.
        try (RawHttp http = new RawHttp(deployment.port()))
        {
            http.send("CONNECT 127.0.0.1:" + EmbeddedServer.port(echo) + " HTTP/1.1\r\nHost: 127.0.0.1:" + EmbeddedServer.port(echo) + "\r\n\r\n");
            assertThat(http.readHead().status()).as("CONNECT through %s", deployment).isGreaterThanOrEqualTo(400);
        }

        // A 1 GiB body streams both ways, byte-exact, Content-Length kept.
        streamBigBody(deployment);

        // The status page counts every request the proxy received, and those it forwarded, exactly.
        long counted = requestsReceived(deployment);
        assertThat(counted).as("token, 100-continue and big-body requests, and CONNECT if the container let it through").isBetween(3L, 4L);
        assertThat(requestsForwarded(deployment)).as("token, 100-continue and big-body requests").isEqualTo(3);
        List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
        for (int i = 0; i < 40; i++)
            concurrent.add(client.sendAsync(HttpRequest.newBuilder(URI.create(deployment.base() + "/n/" + i)).build(),
                HttpResponse.BodyHandlers.ofString()));
        for (CompletableFuture<HttpResponse<String>> each : concurrent)
            assertThat(each.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(requestsReceived(deployment)).isEqualTo(counted + 40);
        assertThat(requestsForwarded(deployment)).isEqualTo(3 + 40);

        // A stream (Server-Sent Events from a servlet upstream) arrives event by event, as it is sent.
        try (RawHttp http = new RawHttp(deployment.port()))
        {
            http.send("GET " + deployment.contextPath() + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
            List<Double> delays = events.delaysMillis(http.input());
            System.out.printf("ContainerIT %s: event stream delays %s ms%n", deployment, delays.stream().map(d -> String.format("%.1f", d)).toList());
            assertThat(delays).as("ms from the upstream's flush to the client's read, event by event").allMatch(delay -> delay < 100);
        }

        // The container's normal log has the wiring line and the access lines, and never the token or secret.
        assertThat(deployment.log()).contains("proxying").contains("GET " + deployment.contextPath() + "/orders/7 200")
            .doesNotContain(Tokens.SEED_SECRET).doesNotContain(token).doesNotContain("No SLF4J providers");

        // Upstream down: 502, quickly.
        echo.stop();
        long start = System.nanoTime();
        assertThat(get(deployment.base() + "/gone").statusCode()).isEqualTo(502);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void relaysWhatTheUpstreamSaidAsItSaidIt(Deployment deployment) throws Exception
    {
        CannedUpstream upstream = UpstreamAnswers.upstream();
        resources.add(upstream);
        resources.add(0, deployment);
        deployment.start(Map.of("UPSTREAM_URL", upstream.url(), "JWT_SECRET", Tokens.SEED_SECRET));
        boolean tomcat = deployment instanceof Deployment.Tomcat;
        String context = deployment.contextPath();

        try (RawHttp http = new RawHttp(deployment.port()))
        {
            // Response fields value for value, in order and repeated as sent.
            RawHttp.Response fields = get(http, context + "/fields");
            assertThat(fields.status()).isEqualTo(200);
            if (tomcat)
            {
                // Tomcat's connector writes Content-Type from its own parse, last: its one re-rendering (README).
                UpstreamAnswers.assertRelayedVerbatim(UpstreamAnswers.FIELDS, fields.head().lines(), "content-type");
                assertThat(UpstreamAnswers.named(fields.head(), "content-type")).containsExactly("Content-Type: text/html;charset=utf-8");
            }
            else
            {
                UpstreamAnswers.assertRelayedVerbatim(UpstreamAnswers.FIELDS, fields.head().lines());
            }

            // 103 Early Hints everywhere; 102 where the container can send it (Jetty); any other 1xx consumed.
            http.send("GET " + context + "/103 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawHttp.Head hints = http.readHead();
            assertThat(hints.status()).isEqualTo(103);
            assertThat(hints.all("link")).containsExactly("</style.css>; rel=preload; as=style", "</font.woff2>; rel=preload; as=font; crossorigin");
            RawHttp.Response afterHints = http.readResponse(false);
            assertThat(afterHints.status()).isEqualTo(200);
            assertThat(afterHints.head().fields()).doesNotContainKey("link").containsKey("x-final");

            RawHttp.Response processing = get(http, context + "/102");
            if (!tomcat)
            {
                assertThat(processing.status()).isEqualTo(102);
                processing = http.readResponse(false);
            }
            assertThat(processing.status()).isEqualTo(200);
            assertThat(processing.header("x-final")).isEqualTo("yes");
            assertThat(get(http, context + "/199").header("x-final")).isEqualTo("yes");

            // Bodiless statuses: no invented Content-Length, no stray body.
            RawHttp.Response notModified = get(http, context + "/304");
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(notModified.head().fields()).doesNotContainKey("content-length");
            RawHttp.Response noContent = get(http, context + "/204-with-body");
            assertThat(noContent.status()).isEqualTo(204);
            assertThat(noContent.head().fields()).doesNotContainKey("content-length");

            // A head that fits the container's default 8 KiB buffer with the proxy's reserve passes; a larger one is 502.
            RawHttp.Response near = get(http, context + "/near-limit");
            assertThat(near.status()).isEqualTo(200);
            assertThat(UpstreamAnswers.named(near.head(), "x-large")).containsExactly(UpstreamAnswers.NEAR_LIMIT_FIELD);
        }
        try (RawHttp http = new RawHttp(deployment.port()))
        {
            assertThat(get(http, context + "/40k-head").status()).isEqualTo(502);
        }
        // No upgrade but a WebSocket's: an h2c attempt goes upstream as a plain request, and an upstream's 101 to one is a 502.
        try (RawHttp http = new RawHttp(deployment.port()))
        {
            http.send("GET " + context + "/plain HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
            assertThat(http.readResponse(false).status()).isEqualTo(200);
            assertThat(get(http, context + "/101-h2c").status()).as("a 101 the proxy did not ask for").isEqualTo(502);
        }
        assertThat(upstream.requestHeads).filteredOn(head -> head.startsWith("GET /plain ")).singleElement()
            .satisfies(head -> assertThat(head.toLowerCase()).doesNotContain("upgrade").doesNotContain("http2-settings"));
        awaitLogLine(deployment, "GET " + context + "/40k-head 502 ");
        assertThat(deployment.log()).contains("GET " + context + "/103 200 ").contains("GET " + context + "/204-with-body 204 ");
    }

    private static RawHttp.Response get(RawHttp http, String path) throws Exception
    {
        http.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return http.readResponse(false);
    }

    /** @return the first line of the deployment's log that contains {@code text}, once there is one */
    private static String awaitLogLine(Deployment deployment, String text) throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true)
        {
            String log = deployment.log();
            int at = log.indexOf(text);
            if (at >= 0)
            {
                int end = log.indexOf('\n', at);
                return log.substring(log.lastIndexOf('\n', at) + 1, end < 0 ? log.length() : end);
            }
            if (System.nanoTime() > deadline)
                throw new AssertionError(deployment + " did not log \"" + text + "\"; log:\n" + log);
            Thread.sleep(50);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void webSocketsPassBothWaysOutliveTheHttpIdleTimeoutAndEndAfterTheirOwn(Deployment deployment) throws Exception
    {
        WebSocketUpstream upstream = track(new WebSocketUpstream());
        WebSocketPeer client = track(new WebSocketPeer());
        resources.add(0, deployment);
        deployment.httpIdleTimeout(Duration.ofSeconds(1))
            .start(Map.of("UPSTREAM_URL", upstream.url(), "JWT_SECRET", Tokens.SEED_SECRET, "WEBSOCKET_IDLE_TIMEOUT", "3s"));
        String ws = "ws://127.0.0.1:" + deployment.port() + deployment.contextPath();

        ClientUpgradeRequest offer = new ClientUpgradeRequest();
        offer.setSubProtocols("chat.v1", "chat.v2");
        offer.addExtensions("permessage-deflate");
        offer.setHeader("x-my-jwt", "forged");
        Session session = client.connect(URI.create(ws + "/echo"), offer);
        assertThat(session.getUpgradeResponse().getAcceptedSubProtocol()).isEqualTo("chat.v2");
        assertThat(session.getUpgradeResponse().getExtensions()).extracting(extension -> extension.getName()).contains("permessage-deflate");

        session.sendText("hello through " + deployment, Callback.NOOP);
        assertThat(WebSocketPeer.next(client.texts)).isEqualTo("hello through " + deployment);
        byte[] mebibyte = new byte[1 << 20];
        new Random(7).nextBytes(mebibyte);
        session.sendBinary(ByteBuffer.wrap(mebibyte), Callback.NOOP);
        assertThat(WebSocketPeer.next(client.binaries)).isEqualTo(ByteBuffer.wrap(mebibyte));
        session.sendPing(ByteBuffer.wrap(new byte[]{7}), Callback.NOOP);
        assertThat(WebSocketPeer.next(client.pongs)).isEqualTo(ByteBuffer.wrap(new byte[]{7}));
        assertThat(status(deployment).get("webSocketsOpen").asLong()).isEqualTo(1);

        HttpFields handshake = upstream.handshakes.take();
        assertThat(handshake.getValuesList("x-my-jwt")).singleElement().satisfies(token ->
            assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).as("the handshake's token verifies").isTrue());
        session.close();
        // One line for the whole WebSocket, written when it ends: over a MiB each way (permessage-deflate cannot shrink random bytes).
        String accessLine = awaitLogLine(deployment, "GET " + deployment.contextPath() + "/echo 101 ");
        assertThat(accessLine).containsPattern("in=\\d{7,} out=\\d{7,} ").containsPattern("websocket closed by the (client|upstream) first");
        assertThat(status(deployment).get("webSocketsOpen").asLong()).isZero();

        // The upstream's close code and reason, and its refusal, reach the client as they were.
        WebSocketPeer closing = track(new WebSocketPeer());
        closing.connect(URI.create(ws + "/close")).sendText("go", Callback.NOOP);
        assertThat(closing.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocketUpstream.CLOSE_CODE + " " + WebSocketUpstream.CLOSE_REASON);
        WebSocketPeer refused = track(new WebSocketPeer());
        assertThatThrownBy(() -> refused.connect(URI.create(ws + "/refuse"))).cause()
            .isInstanceOf(UpgradeException.class)
            .satisfies(x -> assertThat(((UpgradeException)x).getResponseStatusCode()).isEqualTo(403));

        // Silent past the container's 1 s HTTP idle timeout, the WebSocket lives; silent for WEBSOCKET_IDLE_TIMEOUT, it ends.
        WebSocketPeer quiet = track(new WebSocketPeer());
        Session quietSession = quiet.connect(URI.create(ws + "/echo"));
        // The silence under test.
        Thread.sleep(1_800);
        quietSession.sendText("still here", Callback.NOOP);
        assertThat(WebSocketPeer.next(quiet.texts)).isEqualTo("still here");
        long silentSince = System.nanoTime();
        assertThat(quiet.closed.get(10, TimeUnit.SECONDS)).doesNotStartWith("1000");
        assertThat(Duration.ofNanos(System.nanoTime() - silentSince)).isBetween(Duration.ofMillis(2_500), Duration.ofSeconds(6));
        assertThat(awaitLogLine(deployment, "websocket idle for 3 s both ways")).contains("GET " + deployment.contextPath() + "/echo 101 ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void bytesAfterThe101PassUnchangedAndEndsOfStreamPassOn(Deployment deployment) throws Exception
    {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        CannedUpstream upstream = track(new CannedUpstream((socket, head) ->
        {
            OutputStream toProxy = socket.getOutputStream();
            InputStream fromProxy = socket.getInputStream();
            // The first bytes of the new protocol come in the same write as the 101.
            toProxy.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\nfirst").getBytes(StandardCharsets.ISO_8859_1));
            toProxy.flush();
            heard.add(new String(fromProxy.readNBytes(5), StandardCharsets.ISO_8859_1));
            toProxy.write("last".getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            heard.add(new String(fromProxy.readAllBytes(), StandardCharsets.ISO_8859_1) + "<end of stream>");
        }));
        resources.add(0, deployment);
        deployment.start(Map.of("UPSTREAM_URL", upstream.url(), "JWT_SECRET", Tokens.SEED_SECRET));
        String context = deployment.contextPath();

        try (RawHttp http = new RawHttp(deployment.port()))
        {
            http.send("GET " + context + "/raw HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.first("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(new String(http.input().readNBytes(5), StandardCharsets.ISO_8859_1)).isEqualTo("first");
            http.send("hello");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");

            // The upstream's end of stream reaches the client after its last bytes.
            assertThat(new String(http.input().readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("last");
            // The client's half of the connection is still open, and its end of stream reaches the upstream in turn.
            http.send("after");
            http.socket().shutdownOutput();
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("after<end of stream>");
        }
        assertThat(awaitLogLine(deployment, "GET " + context + "/raw 101 ")).contains("in=10 out=9 ").contains("websocket closed by the upstream first");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void aStopClosesASilentWebSocketWithoutWaitingForIt(Deployment deployment) throws Exception
    {
        WebSocketUpstream upstream = track(new WebSocketUpstream());
        WebSocketPeer client = track(new WebSocketPeer());
        resources.add(0, deployment);
        deployment.start(Map.of("UPSTREAM_URL", upstream.url(), "JWT_SECRET", Tokens.SEED_SECRET));
        client.connect(URI.create("ws://127.0.0.1:" + deployment.port() + deployment.contextPath() + "/echo"));
        // The silence under test: longer than the second Jetty's connectors give an idle connection once they stop.
        Thread.sleep(1_500);

        long stopped = System.nanoTime();
        ProcessHandle.of(deployment.process().pid()).orElseThrow().destroy();

        assertThat(client.closed.get(10, TimeUnit.SECONDS)).as("how the client's WebSocket ended").isNotEmpty();
        deployment.process().awaitExit(Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("a silent WebSocket does not hold the stop").isLessThan(Duration.ofSeconds(8));
        assertThat(awaitLogLine(deployment, "GET " + deployment.contextPath() + "/echo 101 ")).contains("websocket closed as the server stops");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void http2InTheClearReachesTheProxyEveryStreamWithItsOwnToken(Deployment deployment) throws Exception
    {
        Server upstream = RevealingEcho.start("x-my-jwt");
        resources.add(upstream::stop);
        org.eclipse.jetty.client.HttpClient h2c = h2cClient();
        resources.add(0, deployment);
        deployment.h2c().start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream), "JWT_SECRET", Tokens.SEED_SECRET));

        ContentResponse first = h2c.newRequest(deployment.base() + "/over/h2c").send();
        AsyncRequestContent body = new AsyncRequestContent();
        CompletableFuture<ContentResponse> posting = new CompletableResponseListener(h2c.newRequest(deployment.base() + "/upload").method("POST")
            .body(body)).send();
        body.write(ByteBuffer.wrap("a body HTTP/2 frames itself".getBytes(StandardCharsets.US_ASCII)), org.eclipse.jetty.util.Callback.NOOP);
        body.close();
        ContentResponse posted = posting.get(10, TimeUnit.SECONDS);

        assertThat(first.getVersion()).isEqualTo(org.eclipse.jetty.http.HttpVersion.HTTP_2);
        assertThat(first.getStatus()).isEqualTo(200);
        assertThat(posted.getContentAsString()).isEqualTo("a body HTTP/2 frames itself");
        String tokenOne = first.getHeaders().get("x-upstream-token");
        String tokenTwo = posted.getHeaders().get("x-upstream-token");
        assertThat(Tokens.verifies(tokenOne, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.verifies(tokenTwo, Tokens.SEED_SECRET)).isTrue();
        assertThat(tokenOne).isNotEqualTo(tokenTwo);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rootDeployments")
    void grpcCallsPassOverH2cWithTheirTokensStreamsAndErrorStatuses(Deployment deployment) throws Exception
    {
        GrpcUpstream upstream = track(new GrpcUpstream());
        resources.add(0, deployment);
        deployment.h2c().start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + upstream.port(), "UPSTREAM_PROTOCOL", "h2c",
            "JWT_SECRET", Tokens.SEED_SECRET));
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", deployment.port(), InsecureChannelCredentials.create()).build();
        resources.add(0, () -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

        String answer = ClientCalls.blockingUnaryCall(channel, GrpcUpstream.SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "container");
        List<String> counted = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, GrpcUpstream.COUNT, CallOptions.DEFAULT, "3").forEachRemaining(counted::add);

        assertThat(answer).isEqualTo("hello container");
        assertThat(counted).hasSize(3);
        assertThat(Tokens.verifies(upstream.tokens.take(), Tokens.SEED_SECRET)).isTrue();
        assertThat(upstream.deadlines.poll()).as("grpc-timeout passed on").isNotNull();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcUpstream.FAIL, CallOptions.DEFAULT, "7"))
            .isInstanceOfSatisfying(StatusRuntimeException.class, x -> {
                assertThat(x.getStatus().getCode()).as(x.getStatus().toString()).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(x.getStatus().getDescription()).isEqualTo("no order 7");
            });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void bearerTokensOfAnOidcProviderAuthenticateTheCallerAndStayAtTheProxy(Deployment deployment) throws Exception
    {
        OidcProvider provider = track(new OidcProvider());
        Server upstream = echo();
        resources.add(0, deployment);
        deployment.start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream), "JWT_SECRET", Tokens.SEED_SECRET,
            "AUTH", "bearer", "AUTH_ISSUER", provider.issuer(), "AUTH_AUDIENCE", OidcProvider.AUDIENCE));

        String idToken = provider.token("alice");
        HttpResponse<String> authenticated = get(deployment.base() + "/orders", "Authorization", "Bearer " + idToken);
        HttpResponse<String> anonymous = get(deployment.base() + "/orders");
        HttpResponse<String> forged = get(deployment.base() + "/orders", "Authorization", "Bearer " + provider.unsignedToken("mallory"));

        assertThat(authenticated.statusCode()).isEqualTo(200);
        String token = authenticated.headers().firstValue("x-upstream-token").orElseThrow();
        assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.claims(token).get("sub").asText()).isEqualTo("alice");
        assertThat(authenticated.headers().firstValue("x-upstream-headers").orElseThrow()).doesNotContain("authorization");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-proxy\"");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(requestsForwarded(deployment)).as("only the authenticated request").isEqualTo(1);
        assertThat(deployment.log()).as("the credential is never logged").doesNotContain(idToken.substring(idToken.lastIndexOf('.') + 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void aPathIsDecidedOnAndForwardedInItsNormalFormOverHttp11AndH2c(Deployment deployment) throws Exception
    {
        Server upstream = RevealingEcho.start("x-my-jwt");
        resources.add(upstream::stop);
        org.eclipse.jetty.client.HttpClient h2c = h2cClient();
        resources.add(0, deployment);
        deployment.h2c().start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream), "JWT_SECRET", Tokens.SEED_SECRET,
            "AUTH", "basic", "AUTH_BASIC_FILE", java.nio.file.Path.of("src/test/resources/htpasswd/users").toAbsolutePath().toString(), "AUTH_PUBLIC_PATHS", "/public/"));
        String context = deployment.contextPath();
        String alice = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:correct horse battery".getBytes(StandardCharsets.UTF_8));

        for (String walk : new String[] {"/public/../admin", "/public/./../admin", "/public/a/../../admin", "/public/.."})
            assertThat(RawHttp.get(deployment.port(), null, context + walk).status()).as("%s%s without credentials", context, walk).isEqualTo(401);
        for (String ambiguous : new String[] {"/public/%2e%2e/admin", "/public/..%2fadmin", "/public/..;/admin"})
            assertThat(RawHttp.get(deployment.port(), null, context + ambiguous, "Authorization: " + alice).status()).as("%s%s", context, ambiguous)
                .isEqualTo(400);
        // Above the root: the proxy's 400; above a context path, the container routes it out of the WAR (Tomcat's 404).
        assertThat(RawHttp.get(deployment.port(), null, context + "/public/../../admin", "Authorization: " + alice).status())
            .isEqualTo(context.isEmpty() ? 400 : 404);
        RawHttp.Response open = RawHttp.get(deployment.port(), null, context + "/public/a/./b/../c");
        RawHttp.Response admin = RawHttp.get(deployment.port(), null, context + "/public/../admin", "Authorization: " + alice);
        ContentResponse h2Refused = h2c.newRequest(deployment.base() + "/public/../admin").send();
        ContentResponse h2Open = h2c.newRequest(deployment.base() + "/public/x/../y").send();

        assertThat(open.status()).isEqualTo(200);
        assertThat(open.header("x-echo-request")).as("what was decided on is what the upstream got").isEqualTo("GET /public/a/c HTTP/1.1");
        assertThat(admin.status()).isEqualTo(200);
        assertThat(admin.header("x-echo-request")).isEqualTo("GET /admin HTTP/1.1");
        assertThat(h2Refused.getStatus()).isEqualTo(401);
        assertThat(h2Open.getStatus()).isEqualTo(200);
        assertThat(h2Open.getHeaders().get("x-echo-request")).isEqualTo("GET /public/y HTTP/1.1");
        assertThat(requestsForwarded(deployment)).as("the two allowed HTTP/1.1 requests and the h2c one").isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void metricsAndProbesAnswerUnderAdminPathAndTheSeedsStatusPathIsForwarded(Deployment deployment) throws Exception
    {
        Server upstream = echo();
        resources.add(0, deployment);
        deployment.start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream), "JWT_SECRET", Tokens.SEED_SECRET,
            "ADMIN_PATH", "/_jwt-proxy", "ACCESS_LOG_FORMAT", "json"));
        String admin = deployment.base() + "/_jwt-proxy";

        HttpResponse<String> orders = get(deployment.base() + "/orders");
        HttpResponse<String> status = get(deployment.base() + "/status");
        HttpResponse<String> metrics = get(admin + "/metrics");

        assertThat(orders.statusCode()).isEqualTo(200);
        assertThat(status.headers().firstValue("x-upstream-token")).as("/status goes upstream once ADMIN_PATH moved it").isPresent();
        assertThat(metrics.statusCode()).isEqualTo(200);
        // The start-up's wait for /status, forwarded too, and the two requests here.
        assertThat(metrics.body()).contains("jwtproxy_requests_total{method=\"GET\",status_class=\"2xx\"} 3.0")
            .contains("jvm_memory_used_bytes");
        assertThat(get(admin + "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(admin + "/readyz").statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(get(admin + "/status").body()).get("requestsForwarded").asLong()).isEqualTo(3);
        String jti = Tokens.claims(orders.headers().firstValue("x-upstream-token").orElseThrow()).get("jti").asText();
        JsonNode line = JSON.readTree(awaitLogLine(deployment, "\"jti\":\"" + jti + "\"").replaceAll("^[^{]*", ""));
        assertThat(line.get("path").asText()).isEqualTo(deployment.contextPath() + "/orders");
        assertThat(line.get("upstreamStatus").asInt()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void badConfigurationFailsTheDeploymentWithTheReasonInTheLog(Deployment deployment) throws Exception
    {
        resources.add(0, deployment);

        deployment.startExpectingFailure(Map.of("JWT_SECRET", "not-64-bytes"), "is 12 bytes; HS512 needs at least 64");

        if (deployment instanceof Deployment.Jar)
        {
            // The jar's demo mode stands in for a missing UPSTREAM_URL; the short secret still stops it.
            assertThat(deployment.process().awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            return;
        }
        assertThat(deployment.log()).contains("invalid configuration: UPSTREAM_URL: is required");
        // The container stays up, but nothing is proxied by a half-initialised servlet.
        HttpResponse<String> response = get(deployment.base() + "/x");
        assertThat(response.statusCode()).as("no proxying after a failed deployment").isIn(404, 503);
        assertThat(response.headers().map()).doesNotContainKey("x-upstream-token");
    }

    @org.junit.jupiter.api.Test
    void tomcatUndeployReleasesEverythingAndRedeployStartsFresh() throws Exception
    {
        Server echo = echo();
        // ES256 with a keys directory: the key refresher thread must stop with the context, and a
        // redeployed WAR must carry on with the keys (and so the kid) of the directory.
        java.nio.file.Path keys = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "tomcat-keys");
        // Settings as system properties: Tomcat deletes a context descriptor when its WAR is removed.
        Deployment.Tomcat tomcat = new Deployment.Tomcat("tomcat-11-redeploy", System.getProperty("jwtproxy.tomcat11"), "/proxy", false);
        resources.add(0, tomcat);
        tomcat.start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(echo), "JWT_ALG", "ES256",
            "JWT_KEYS_DIR", keys.toAbsolutePath().toString(), "JWT_TTL_SECONDS", "300", "JWT_ROTATE_EVERY", "1d"));
        HttpResponse<String> before = get(tomcat.base() + "/before");
        assertThat(before.statusCode()).isEqualTo(200);
        String tokenBefore = before.headers().firstValue("x-upstream-token").orElseThrow();
        java.nio.file.Path war = tomcat.deployedWar();
        byte[] warBytes = java.nio.file.Files.readAllBytes(war);

        // A slow upload in flight while the WAR is removed: it must finish, not be cut.
        assertThat(slowUploadAcross(tomcat, () -> java.nio.file.Files.delete(war)))
            .as("in-flight upload finished across the undeploy").isNull();
        awaitStatus(tomcat.base() + "/status", 404);
        // Tomcat's leak detection runs as the context stops; its findings are WARNings naming the webapp.
        assertThat(tomcat.log()).contains("Undeploying").doesNotContain("memory leak").doesNotContain("failed to stop it");

        java.nio.file.Files.write(war, warBytes);
        awaitStatus(tomcat.base() + "/status", 200);
        HttpResponse<String> after = get(tomcat.base() + "/after");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(requestsReceived(tomcat)).as("a fresh deployment starts a fresh count").isEqualTo(1);
        io.jsonwebtoken.security.JwkSet set = IndependentJose.parseSet(get(tomcat.base() + "/.well-known/jwks.json").body());
        String kidBefore = IndependentJose.verify(tokenBefore, set, java.time.Instant.now()).getHeader().getKeyId();
        String kidAfter = IndependentJose.verify(after.headers().firstValue("x-upstream-token").orElseThrow(), set, java.time.Instant.now())
            .getHeader().getKeyId();
        assertThat(kidAfter).as("the redeployed proxy signs with the directory's active key").isEqualTo(kidBefore);
    }

    @org.junit.jupiter.api.Test
    void jettyHomeStopDrainsAnInFlightStream() throws Exception
    {
        Server echo = echo();
        Deployment jetty = new Deployment.JettyHome();
        resources.add(0, jetty);
        jetty.start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(echo), "JWT_SECRET", Tokens.SEED_SECRET));

        assertThat(slowUploadAcross(jetty, () -> ProcessHandle.of(jetty.process().pid()).orElseThrow().destroy()))
            .as("in-flight upload finished across the stop (jetty-base's graceful module)").isNull();
        jetty.process().awaitExit(Duration.ofSeconds(30));
    }

    /** 16 MiB over about 13 s: longer than Tomcat's 10 s check for removed WARs. */
    private static String slowUploadAcross(Deployment deployment, SlowUpload.Action meanwhile) throws Exception
    {
        int port = deployment.port();
        return SlowUpload.across(port, deployment.contextPath() + "/draining", 16L << 20, 200, meanwhile);
    }

    private void awaitStatus(String url, int status) throws Exception
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get(url).statusCode() != status)
        {
            if (System.nanoTime() > deadline)
                throw new AssertionError(url + " did not answer " + status + " within 60 s");
            Thread.sleep(200);
        }
    }

    private void streamBigBody(Deployment deployment) throws Exception
    {
        int port = deployment.port();
        try (RawHttp http = new RawHttp(port))
        {
            http.send("POST " + deployment.contextPath() + "/big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + BIG_BODY + "\r\n\r\n");
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() ->
            {
                try
                {
                    BigBody.write(http.output(), BIG_BODY);
                }
                catch (Exception x)
                {
                    throw new IllegalStateException(x);
                }
            });
            long start = System.nanoTime();
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.first("x-echo-body")).isEqualTo("length=" + BIG_BODY);
            String difference = head.first("content-length") != null
                ? BigBody.check(http.input(), BIG_BODY)
                : "response not framed by Content-Length: " + head.fields();
            upload.get(60, TimeUnit.SECONDS);
            assertThat(difference).as("1 GiB echoed byte-exact through %s", deployment).isNull();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("ContainerIT %s: %,d bytes both ways in %.1f s (%.0f MB/s each way), peak RSS %,d KiB%n",
                deployment, BIG_BODY, seconds, BIG_BODY / seconds / 1e6, deployment.process().peakRssKiB());
        }
    }
}
