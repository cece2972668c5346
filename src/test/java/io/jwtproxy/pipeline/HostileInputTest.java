package io.jwtproxy.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpDestination;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the proxy refuses, answers itself or rewrites, sent as raw bytes (no HTTP client would
 * send most of them), with a recording upstream behind it.
 */
class HostileInputTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();
    // Connection: close, since the canned upstream closes each connection after one answer.
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

    /** Every request body the recording upstream read, until EOF or reset. */
    private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();

    private int start(String... pairs) throws IOException
    {
        return proxies.start(new CannedUpstream(OK), pairs).port();
    }

    /** An upstream that reads the request body to its end (or the connection's), records it, then answers. */
    private CannedUpstream bodyRecorder() throws IOException
    {
        return new CannedUpstream((socket, head) ->
        {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try
            {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer))
                {
                    body.write(buffer, 0, read);
                    if (body.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n"))
                        break;
                }
            }
            catch (IOException x)
            {
                // A reset: the proxy aborted the request.
            }
            bodies.add(body.toString(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(OK.getBytes(StandardCharsets.ISO_8859_1));
        });
    }

    private static RawHttp.Response exchange(int port, String request) throws IOException
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send(request);
            return http.readResponse(request.startsWith("HEAD"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "CL then TE|Content-Length: 6\r\nTransfer-Encoding: chunked",
        "TE then CL|Transfer-Encoding: chunked\r\nContent-Length: 6",
        "two Content-Lengths|Content-Length: 6\r\nContent-Length: 5",
        "signed Content-Length|Content-Length: +6",
        "negative Content-Length|Content-Length: -6",
        "unknown coding|Transfer-Encoding: xchunked",
        "space before colon|Transfer-Encoding : chunked",
        "chunked not last|Transfer-Encoding: chunked, identity",
        "obs-fold|X-Folded: a\r\n b\r\nContent-Length: 6",
        "bare CR|X-Cr: a\rb\r\nContent-Length: 6",
        "NUL|X-Nul: a\u0000b\r\nContent-Length: 6",
        "duplicate Host|Host: other\r\nContent-Length: 6"})
    void requestSmugglingShapesGet400AndTheConnectionClosed(String shape) throws Exception
    {
        int port = start();
        String headers = shape.substring(shape.indexOf('|') + 1);
        try (RawHttp http = new RawHttp(port))
        {
            http.send("POST /first HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Head head = http.readHead();

            assertThat(head.status()).isEqualTo(400);
            http.input().readNBytes(Integer.parseInt(head.first("content-length") == null ? "0" : head.first("content-length")));
            assertThat(http.closedByServer()).as("connection closed after 400").isTrue();
        }
        assertThat(proxies.upstream().requestHeads.poll(300, TimeUnit.MILLISECONDS)).as("anything reached the upstream").isNull();
    }

    @Test
    void missingHostGets400() throws Exception
    {
        int port = start();

        assertThat(exchange(port, "GET / HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
        assertThat(proxies.upstream().requestHeads).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zz\r\nhello\r\n0\r\n\r\n", "5;ext=\"unterminated\r\nhello\r\n0\r\n\r\n", "5\nhello\n0\n\n"})
    void malformedChunkedBodyGets400AndNothingCompleteGoesUpstream(String chunks) throws Exception
    {
        int port = proxies.start(bodyRecorder()).port();

        RawHttp.Response response = exchange(port, "POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);

        assertThat(response.status()).isEqualTo(400);
        String forwarded = bodies.poll(5, TimeUnit.SECONDS);
        if (forwarded != null)
            assertThat(forwarded).as("the upstream saw a terminated body").doesNotContain("\r\n0\r\n\r\n");
    }

    @Test
    void oversizedHeadersGet431AndOversizedUriGets414WithinConfigurableLimits() throws Exception
    {
        int port = start();
        String bigHeader = "X-Big: " + "a".repeat(9000) + "\r\n";
        String bigUri = "/" + "u".repeat(9000);

        assertThat(exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n" + bigHeader + "\r\n").status()).isEqualTo(431);
        assertThat(exchange(port, "GET " + bigUri + " HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(414);
        assertThat(proxies.upstream().requestHeads).isEmpty();

        port = start("MAX_REQUEST_HEADER_BYTES", "32768");
        assertThat(exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n" + bigHeader + "\r\n").status()).isEqualTo(200);
        assertThat(exchange(port, "GET " + bigUri + " HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void traceIsRefusedAsPolicy() throws Exception
    {
        int port = start();

        RawHttp.Response response = exchange(port, "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("allow")).isEqualTo(LocalAnswers.ALLOW);
        assertThat(proxies.upstream().requestHeads).isEmpty();
    }

    @Test
    void maxForwardsOnOptionsIsHonoured() throws Exception
    {
        int port = start();

        RawHttp.Response last = exchange(port, "OPTIONS /x HTTP/1.1\r\nHost: x\r\nMax-Forwards: 0\r\n\r\n");
        assertThat(last.status()).as("answered by the proxy").isEqualTo(200);
        assertThat(last.header("allow")).isEqualTo(LocalAnswers.ALLOW);
        assertThat(proxies.upstream().requestHeads.poll(300, TimeUnit.MILLISECONDS)).isNull();

        assertThat(exchange(port, "OPTIONS /x HTTP/1.1\r\nHost: x\r\nMax-Forwards: 3\r\n\r\n").status()).isEqualTo(200);
        assertThat(proxies.upstream().requestHeads.take()).containsIgnoringCase("Max-Forwards: 2");

        assertThat(exchange(port, "OPTIONS /x HTTP/1.1\r\nHost: x\r\nMax-Forwards: two\r\n\r\n").status()).isEqualTo(400);

        assertThat(exchange(port, "GET /x HTTP/1.1\r\nHost: x\r\nMax-Forwards: 0\r\n\r\n").status()).as("only OPTIONS and TRACE").isEqualTo(200);
        assertThat(proxies.upstream().requestHeads.take()).containsIgnoringCase("Max-Forwards: 0");
    }

    @Test
    void viaIsAppendedWithThePseudonym() throws Exception
    {
        int port = start("VIA_PSEUDONYM", "edge-7");

        exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nVia: 1.0 fred\r\n\r\n");

        assertThat(proxies.upstream().requestHeads.take()).containsIgnoringCase("Via: 1.0 fred, 1.1 edge-7");
    }

    @Test
    void clientForwardingHeadersAreReplacedByDefault() throws Exception
    {
        int port = start();

        exchange(port, "GET / HTTP/1.1\r\nHost: public.example\r\nForwarded: for=6.6.6.6\r\nX-Forwarded-For: 6.6.6.6\r\n"
            + "X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\nX-Real-IP: 6.6.6.6\r\n\r\n");

        String head = proxies.upstream().requestHeads.take().toLowerCase();
        assertThat(head).doesNotContain("6.6.6.6").doesNotContain("evil.example").doesNotContain("x-real-ip");
        assertThat(head).contains("x-forwarded-for: 127.0.0.1").contains("x-forwarded-proto: http\n")
            .contains("x-forwarded-host: public.example").contains("forwarded: ").contains("for=\"127.0.0.1\"");
    }

    @ParameterizedTest(name = "TRUST_FORWARDED={0}")
    @ValueSource(booleans = {false, true})
    void underscoreSpellingsOfWhatTheProxySetsNeverReachTheUpstream(boolean trusted) throws Exception
    {
        int port = start("TRUST_FORWARDED", Boolean.toString(trusted));

        exchange(port, "GET / HTTP/1.1\r\nHost: public.example\r\nX_Forwarded_For: 6.6.6.6\r\nX_Real_IP: 6.6.6.7\r\n"
            + "x_forwarded_proto: gopher\r\nX_FORWARDED_HOST: evil.example\r\nX_Forwarded_Prefix: /evil\r\nx_my_jwt: forged\r\n"
            + "X-Forwarded-Prefix: /app\r\nX_Unrelated_Name: kept\r\n\r\n");

        String head = proxies.upstream().requestHeads.take();
        assertThat(head.toLowerCase()).doesNotContain("6.6.6.").doesNotContain("gopher").doesNotContain("evil").doesNotContain("forged")
            .doesNotContain("x_forwarded").doesNotContain("x_real_ip").doesNotContain("x_my_jwt");
        assertThat(head).as("an underscore name the proxy does not own passes").contains("X_Unrelated_Name: kept");
        if (trusted)
            assertThat(head).containsIgnoringCase("X-Forwarded-Prefix: /app");
        else
            assertThat(head).as("every X-Forwarded-* of an untrusted client is replaced or dropped").doesNotContainIgnoringCase("x-forwarded-prefix");
    }

    @ParameterizedTest
    @ValueSource(strings = {"get", "Post", "pROPFIND"})
    void aMethodWithLowerCaseLettersIsRefusedNotUpperCased(String method) throws Exception
    {
        int port = start();

        RawHttp.Response response = exchange(port, method + " /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

        assertThat(response.status()).as("RFC 9110 §9.1: methods are case-sensitive").isEqualTo(400);
        assertThat(response.head().fields()).doesNotContainKey("allow");
        assertThat(proxies.upstream().requestHeads.poll(300, TimeUnit.MILLISECONDS)).as("reached the upstream").isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "h2c, settings named|Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
        "h2c, settings not named|Connection: Upgrade\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
        "settings alone|HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
        "TLS|Connection: Upgrade\r\nUpgrade: TLS/1.0"})
    void noUpgradeButAWebSocketHandshakeIsActedOnOrForwarded(String shape) throws Exception
    {
        int port = start();
        String fields = shape.substring(shape.indexOf('|') + 1);

        RawHttp.Response response = exchange(port, "GET /up HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n\r\n");

        assertThat(response.status()).as("a plain request, answered by the upstream").isEqualTo(200);
        String head = proxies.upstream().requestHeads.take().toLowerCase();
        assertThat(head).as("RFC 9110 §7.8: an Upgrade is the hop's; h2c upgrades smuggle past proxies")
            .doesNotContain("upgrade:").doesNotContain("http2-settings").doesNotContain("connection: upgrade");
    }

    @Test
    void anUpgradeConnectionDoesNotNameIsRefusedByJettyAndNeverReachesTheUpstream() throws Exception
    {
        int port = start();

        RawHttp.Response response = exchange(port, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

        // RFC 9110 §7.8: a sender of Upgrade also sends Connection: upgrade. Jetty's parser refuses one that does not.
        assertThat(response.status()).isEqualTo(400);
        assertThat(proxies.upstream().requestHeads.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void anUpgradeTheProxyDidNotAskForIsNotPassedOn() throws Exception
    {
        int port = proxies.start(new CannedUpstream("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")).port();

        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /up HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Head head = http.readHead();

            assertThat(head.status()).as("a 101 to a request that did not ask to upgrade").isEqualTo(502);
        }
    }

    @Test
    void trustedForwardingHeadersAreAppendedTo() throws Exception
    {
        int port = start("TRUST_FORWARDED", "true");

        exchange(port, "GET / HTTP/1.1\r\nHost: inner\r\nForwarded: for=10.1.2.3;proto=https\r\nX-Forwarded-For: 10.1.2.3\r\n"
            + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: public.example\r\n\r\n");

        String head = proxies.upstream().requestHeads.take().toLowerCase();
        assertThat(head).contains("x-forwarded-for: 10.1.2.3, 127.0.0.1").contains("x-forwarded-proto: https")
            .contains("x-forwarded-host: public.example").contains("for=10.1.2.3;proto=https, ");
    }

    @Test
    void http10ClientAskingForKeepAliveIsClosedAndItsExpectationIgnored() throws Exception
    {
        // An upstream that answers only once it has the 5-byte body.
        int port = proxies.start(new CannedUpstream((socket, head) ->
        {
            socket.getInputStream().readNBytes(5);
            socket.getOutputStream().write(OK.getBytes(StandardCharsets.ISO_8859_1));
        })).port();

        try (RawHttp http = new RawHttp(port))
        {
            http.send("POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Response response = http.readResponse(false);
            assertThat(response.status()).isEqualTo(200);
            assertThat(http.closedByServer()).as("no persistent connection with an HTTP/1.0 client").isTrue();
        }
        try (RawHttp http = new RawHttp(port))
        {
            // A client that waits for 100 Continue: an HTTP/1.0 one must never get a 1xx.
            http.send("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            http.socket().setSoTimeout(700);
            assertThatThrownBy(() -> http.input().read()).as("nothing, not even 100 Continue, before the body")
                .isInstanceOf(java.net.SocketTimeoutException.class);
            http.socket().setSoTimeout(20_000);
            http.send("hello");
            assertThat(http.readResponse(false).status()).isEqualTo(200);
        }
        assertThat(proxies.upstream().requestHeads.take()).as("no Host, no host= element").doesNotContain("host=null").doesNotContainIgnoringCase("expect");
        assertThat(proxies.upstream().requestHeads.take()).as("an HTTP/1.0 expectation is not forwarded").doesNotContainIgnoringCase("expect");
    }

    @Test
    void upstreamRejectingAnExpectationReachesTheClientBeforeItsBody() throws Exception
    {
        int port = proxies.start(new CannedUpstream("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")).port();

        try (RawHttp http = new RawHttp(port))
        {
            http.send("PUT /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
            RawHttp.Head head = http.readHead();

            assertThat(head.status()).as("final status without any body sent").isEqualTo(417);
        }
        assertThat(proxies.upstream().requestHeads.take()).containsIgnoringCase("Expect: 100-continue");
    }

    @Test
    void slowlorisClientIsCutOffAfterTheIdleTimeout() throws Exception
    {
        int port = start("CLIENT_IDLE_TIMEOUT", "1s");

        try (RawHttp http = new RawHttp(port))
        {
            long start = System.nanoTime();
            http.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            byte[] rest = http.input().readAllBytes();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            assertThat(new String(rest, StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP/1.1 200");
        }
        assertThat(proxies.upstream().requestHeads).isEmpty();
    }

    @Test
    void clientAbortingMidUploadAbortsTheUpstreamRequestAtOnceAndLeaksNothing() throws Exception
    {
        BlockingQueue<Long> upstreamEnded = new LinkedBlockingQueue<>();
        int port = proxies.start(new CannedUpstream((socket, head) ->
        {
            try
            {
                while (socket.getInputStream().read(new byte[8192]) >= 0)
                {
                    // Read the upload until the proxy ends it.
                }
            }
            catch (IOException x)
            {
                // Reset by the proxy: ended too.
            }
            upstreamEnded.add(System.nanoTime());
        })).port();
        HttpClient client = proxies.proxy().upstreamClient();
        QueuedThreadPool threads = (QueuedThreadPool)proxies.proxy().server().getThreadPool();
        int aborts = 100;

        for (int i = 0; i < aborts; i++)
        {
            long abortedAt;
            try (Socket socket = new Socket("127.0.0.1", port))
            {
                socket.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().write(new byte[64 * 1024]);
                socket.getOutputStream().flush();
                assertThat(proxies.upstream().requestHeads.poll(5, TimeUnit.SECONDS)).as("upload %d reached the upstream", i).isNotNull();
                abortedAt = System.nanoTime();
            }
            Long ended = upstreamEnded.poll(5, TimeUnit.SECONDS);
            assertThat(ended).as("upstream request %d was aborted", i).isNotNull();
            assertThat(Duration.ofNanos(ended - abortedAt)).isLessThan(Duration.ofSeconds(2));
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (activeConnections(client) > 0 && System.nanoTime() < deadline)
            Thread.sleep(50);
        assertThat(activeConnections(client)).as("upstream connections still in use after %d aborts", aborts).isZero();
        assertThat(threads.getBusyThreads()).as("busy server threads after %d aborts", aborts).isLessThan(10);
        assertThat(exchange(port, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n").status()).as("still serving").isEqualTo(200);
    }

    private static int activeConnections(HttpClient client)
    {
        return client.getDestinations().stream()
            .mapToInt(d -> ((org.eclipse.jetty.client.AbstractConnectionPool)((HttpDestination)d).getConnectionPool()).getActiveConnectionCount())
            .sum();
    }

    @Test
    void failedPostIsNotRetried() throws Exception
    {
        int port = proxies.start(new CannedUpstream((socket, head) -> socket.close())).port();

        RawHttp.Response response = exchange(port, "POST /once HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody");

        assertThat(response.status()).isEqualTo(502);
        assertThat(proxies.upstream().requestHeads.poll(1, TimeUnit.SECONDS)).isNotNull();
        assertThat(proxies.upstream().requestHeads.poll(1, TimeUnit.SECONDS)).as("a second attempt reached the upstream").isNull();
    }
}
