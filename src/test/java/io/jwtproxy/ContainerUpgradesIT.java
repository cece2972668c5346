package io.jwtproxy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Deployment;
import io.jwtproxy.testing.GrpcUpstream;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.RevealingEcho;
import io.jwtproxy.testing.Tokens;
import io.jwtproxy.testing.WebSocketPeer;
import io.jwtproxy.testing.WebSocketUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WebSockets (both ways, idle timeouts, bytes after the 101, a stop), h2c and gRPC, checked the same against every deployment (see {@link ContainerChecks}). */
class ContainerUpgradesIT extends ContainerChecks
{
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
}
