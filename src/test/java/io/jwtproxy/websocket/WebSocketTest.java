package io.jwtproxy.websocket;

import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jwtproxy.config.Setting;
import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.Settings;
import io.jwtproxy.testing.Tokens;
import io.jwtproxy.testing.WebSocketPeer;
import io.jwtproxy.testing.WebSocketUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WebSockets through the proxy, with real WebSocket peers on both sides (Jetty's client and server). */
class WebSocketTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Proxies proxies = new Proxies();
    private WebSocketUpstream upstream;
    private WebSocketPeer client;
    private int port;

    @BeforeEach
    void start() throws Exception
    {
        upstream = proxies.track(new WebSocketUpstream());
        client = proxies.track(new WebSocketPeer());
        port = startProxy();
    }

    private int startProxy(String... settings)
    {
        return proxies.start(Settings.of(Setting.UPSTREAM_URL, upstream.url()).with(Setting.JWT_SECRET, Tokens.SEED_SECRET).with(settings)).port();
    }

    private URI ws(String path)
    {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    @Test
    void textAndAMebibyteOfBinaryAreEchoedExactlyAndPingGetsItsPong() throws Exception
    {
        Session session = client.connect(ws("/echo"));

        session.sendText("hello through the proxy", Callback.NOOP);
        assertThat(WebSocketPeer.next(client.texts)).isEqualTo("hello through the proxy");

        byte[] mebibyte = new byte[1 << 20];
        new Random(42).nextBytes(mebibyte);
        session.sendBinary(ByteBuffer.wrap(mebibyte), Callback.NOOP);
        ByteBuffer echoed = WebSocketPeer.next(client.binaries);
        byte[] back = new byte[echoed.remaining()];
        echoed.get(back);
        assertThat(back).as("1 MiB echoed byte for byte").isEqualTo(mebibyte);

        session.sendPing(ByteBuffer.wrap(new byte[]{1, 2, 3}), Callback.NOOP);
        assertThat(WebSocketPeer.next(client.pongs)).isEqualTo(ByteBuffer.wrap(new byte[]{1, 2, 3}));
        session.close();
    }

    @Test
    void theSubprotocolAndPermessageDeflateAreNegotiatedEndToEnd() throws Exception
    {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setSubProtocols("chat.v1", "chat.v2");
        request.addExtensions("permessage-deflate");

        Session session = client.connect(ws("/echo"), request);

        assertThat(session.getUpgradeResponse().getAcceptedSubProtocol()).isEqualTo("chat.v2");
        assertThat(session.getUpgradeResponse().getExtensions()).extracting(extension -> extension.getName()).contains("permessage-deflate");
        HttpFields handshake = upstream.handshakes.take();
        // Jetty's client offers each subprotocol in a field of its own.
        assertThat(handshake.getValuesList("Sec-WebSocket-Protocol")).containsExactly("chat.v1", "chat.v2");
        assertThat(handshake.get("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
        session.sendText("compressed " + "a".repeat(10_000), Callback.NOOP);
        assertThat(WebSocketPeer.next(client.texts)).isEqualTo("compressed " + "a".repeat(10_000));
        session.close();
    }

    @Test
    void overAnHttp2UpstreamTheWebSocketIsAnExtendedConnectAndPassesAlike() throws Exception
    {
        port = startProxy("UPSTREAM_PROTOCOL", "h2c");
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setSubProtocols("chat.v2");

        Session session = client.connect(ws("/echo"), request);

        assertThat(session.getUpgradeResponse().getAcceptedSubProtocol()).isEqualTo("chat.v2");
        session.sendText("over HTTP/2 upstream", Callback.NOOP);
        assertThat(WebSocketPeer.next(client.texts)).isEqualTo("over HTTP/2 upstream");
        byte[] mebibyte = new byte[1 << 20];
        new Random(8).nextBytes(mebibyte);
        session.sendBinary(ByteBuffer.wrap(mebibyte), Callback.NOOP);
        assertThat(WebSocketPeer.next(client.binaries)).isEqualTo(ByteBuffer.wrap(mebibyte));
        HttpFields handshake = upstream.handshakes.take();
        assertThat(Tokens.verifies(handshake.get("x-my-jwt"), Tokens.SEED_SECRET)).isTrue();
        assertThat(handshake.get("Sec-WebSocket-Key")).as("RFC 8441 §5: no key over HTTP/2").isNull();
        session.close();
    }

    @Test
    void theUpstreamsCloseCodeAndReasonReachTheClient() throws Exception
    {
        Session session = client.connect(ws("/close"));

        session.sendText("please go", Callback.NOOP);

        assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocketUpstream.CLOSE_CODE + " " + WebSocketUpstream.CLOSE_REASON);
    }

    @Test
    void anUpstreamsRefusalReachesTheClientAsTheStatusItWas() throws Exception
    {
        assertThatThrownBy(() -> client.connect(ws("/refuse")))
            .isInstanceOf(ExecutionException.class).cause().isInstanceOf(UpgradeException.class)
            .satisfies(x -> assertThat(((UpgradeException)x).getResponseStatusCode()).isEqualTo(403));
    }

    @Test
    void theUpstreamsHandshakeCarriesExactlyOneFreshTokenThatVerifies() throws Exception
    {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("x-my-jwt", "forged");
        request.setHeader("x_my_jwt", "forged too");
        request.setHeader("Origin", "https://app.example");

        client.connect(ws("/echo"), request).close();

        HttpFields handshake = upstream.handshakes.take();
        List<String> tokens = handshake.getValuesList("x-my-jwt");
        assertThat(tokens).hasSize(1);
        assertThat(Tokens.verifies(tokens.get(0), Tokens.SEED_SECRET)).isTrue();
        assertThat(handshake.getValuesList("x_my_jwt")).isEmpty();
        assertThat(handshake.get("Origin")).isEqualTo("https://app.example");
        assertThat(handshake.get("Sec-WebSocket-Key")).isNotBlank();
        assertThat(handshake.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(handshake.get("Upgrade")).isEqualTo("websocket");
    }

    @Test
    void theHttpIdleTimeoutsNeverCutAWebSocketButItsOwnDoes() throws Exception
    {
        port = startProxy("CLIENT_IDLE_TIMEOUT", "1s", "UPSTREAM_IDLE_TIMEOUT", "1s", "WEBSOCKET_IDLE_TIMEOUT", "3s");
        Session session = client.connect(ws("/echo"));

        // Silent past both HTTP idle timeouts (the sleep is the silence under test).
        Thread.sleep(1_800);
        session.sendText("still here", Callback.NOOP);
        assertThat(WebSocketPeer.next(client.texts)).isEqualTo("still here");

        long silentSince = System.nanoTime();
        String closed = client.closed.get(10, TimeUnit.SECONDS);
        long silentMillis = (System.nanoTime() - silentSince) / 1_000_000;
        assertThat(silentMillis).as("closed after WEBSOCKET_IDLE_TIMEOUT of silence both ways").isBetween(2_500L, 6_000L);
        // No close frame: Jetty's client reports the connection's end as a failure (a browser as code 1006).
        assertThat(closed).as("closed without a close frame").matches("1006 .*|error .*");
    }

    @Test
    void anUpstreamsResetEndsTheClientsConnectionAndTheClientsResetEndsTheUpstreams() throws Exception
    {
        BlockingQueue<String> upstreamHeard = new LinkedBlockingQueue<>();
        CannedUpstream resetting = new CannedUpstream((socket, head) ->
        {
            socket.getOutputStream().write(SWITCHED.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            if (head.startsWith("GET /upstream-resets "))
            {
                // Linger 0: closing sends a reset, not an end of stream.
                socket.setSoLinger(true, 0);
                return;
            }
            try
            {
                upstreamHeard.add("read " + socket.getInputStream().read());
            }
            catch (SocketException x)
            {
                upstreamHeard.add("reset");
            }
        });
        Proxy proxy = proxies.start(resetting, "JWT_SECRET", Tokens.SEED_SECRET);

        try (RawHttp http = proxy.connect())
        {
            http.send(handshake("/upstream-resets"));
            assertThat(http.readHead().status()).isEqualTo(101);
            assertThat(http.closedByServer()).as("the client's connection ends with the upstream's").isTrue();
        }
        try (RawHttp http = proxy.connect())
        {
            http.send(handshake("/client-resets"));
            assertThat(http.readHead().status()).isEqualTo(101);
            http.socket().setSoLinger(true, 0);
        }
        assertThat(upstreamHeard.poll(10, TimeUnit.SECONDS)).as("what the upstream's read got").isIn("read -1", "reset");
        assertThat(webSocketsOpen(proxy)).isZero();
    }

    @Test
    void anUpstreamThatNeverAnswersTheHandshakeGets504WithinTheUpstreamIdleTimeout() throws Exception
    {
        CannedUpstream silent = new CannedUpstream((socket, head) -> socket.getInputStream().read());
        Proxy proxy = proxies.start(silent, "JWT_SECRET", Tokens.SEED_SECRET, "UPSTREAM_IDLE_TIMEOUT", "1s");

        try (RawHttp http = proxy.connect())
        {
            long sent = System.nanoTime();
            http.send(handshake("/echo"));
            assertThat(http.readHead().status()).isEqualTo(504);
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void anUpstreams101ToAnotherProtocolIsA502() throws Exception
    {
        Proxy proxy = proxies.start(new CannedUpstream("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"),
            "JWT_SECRET", Tokens.SEED_SECRET);

        try (RawHttp http = proxy.connect())
        {
            http.send(handshake("/echo"));
            assertThat(http.readHead().status()).isEqualTo(502);
        }
    }

    private static final String SWITCHED = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    private static String handshake(String path)
    {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /** @return /status's count of open WebSockets, once it has settled (a closing one is counted until both sides closed) */
    private static long webSocketsOpen(Proxy proxy) throws Exception
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true)
        {
            String status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.uri("/status")).build(), BodyHandlers.ofString()).body();
            long open = JSON.readTree(status).get("webSocketsOpen").asLong();
            if (open == 0 || System.nanoTime() > deadline)
                return open;
            Thread.sleep(50);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "HTTP/1.0|GET /echo HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n",
        "a body|GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 3\r\n\r\nabc",
        "not a GET|POST /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n"})
    void aHandshakeThatIsNoWebSocketHandshakeGets400(String shape) throws Exception
    {
        String request = shape.substring(shape.indexOf('|') + 1);
        try (RawHttp http = new RawHttp(port))
        {
            http.send(request + (request.endsWith("abc") ? "" : "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));

            assertThat(http.readHead().status()).isEqualTo(400);
        }
        assertThat(upstream.handshakes.poll(300, TimeUnit.MILLISECONDS)).as("reached the upstream").isNull();
    }
}
