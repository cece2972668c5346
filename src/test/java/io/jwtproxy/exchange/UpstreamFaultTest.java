package io.jwtproxy.exchange;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

/** What the client sees when the upstream misbehaves: a fault-injecting raw-socket upstream behind the embedded proxy. */
class UpstreamFaultTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();
    private int proxyTo(CannedUpstream upstream)
    {
        return proxies.start(upstream, "UPSTREAM_IDLE_TIMEOUT", "1s", "UPSTREAM_CONNECT_TIMEOUT", "1s").port();
    }

    private static RawHttp.Response get(int port, String path) throws IOException
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            return http.readResponse(false);
        }
    }

    @Test
    void upstreamEchoingTheTokenNeverShowsItToTheClient() throws Exception
    {
        int port = proxyTo(new CannedUpstream("HTTP/1.1 200 OK\r\nx-my-jwt: echoed\r\nX_MY_JWT: echoed2\r\nX-Other: kept\r\nContent-Length: 0\r\n\r\n"));

        RawHttp.Response response = get(port, "/");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.head().fields()).doesNotContainKeys("x-my-jwt", "x_my_jwt").containsKey("x-other");
        assertThat(proxies.upstream().requestHeads.take()).as("the upstream got its token").containsIgnoringCase("x-my-jwt: ey");
    }

    /** A keep-alive answer: the connection stays open for the next request. */
    private static final String KEPT_ALIVE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @Test
    void idempotentRequestOnAReusedConnectionTheUpstreamClosedIsRetriedOnANewOne() throws Exception
    {
        // Answers the first request of each connection, closes on the next without a word: an upstream
        // whose keep-alive timeout ran out while the proxy kept the connection in its pool.
        int port = proxyTo(CannedUpstream.conversation((head, number) -> number == 0 ? KEPT_ALIVE : null));

        // Five: odd ones fail on the reused connection and are retried; after the fifth the pool holds a used one.
        for (int i = 0; i < 5; i++)
        {
            RawHttp.Response response = get(port, "/r" + i);
            assertThat(response.status()).as("GET %d", i).isEqualTo(200);
            assertThat(response.text()).isEqualTo("ok");
        }
        try (RawHttp http = new RawHttp(port))
        {
            // This POST goes on the pooled connection that answered the fifth GET.
            http.send("POST /once HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody");
            assertThat(http.readResponse(false).status()).as("a request whose body has gone is not repeated").isEqualTo(502);
        }
        long posts = proxies.upstream().requestHeads.stream().filter(head -> head.startsWith("POST /once ")).count();
        assertThat(posts).isEqualTo(1);
    }

    @Test
    void aRetryIsMadeOnceOnly() throws Exception
    {
        int port = proxyTo(CannedUpstream.conversation((head, number) -> CannedUpstream.path(head).equals("/warm") ? KEPT_ALIVE : null));
        assertThat(get(port, "/warm").status()).isEqualTo(200);

        RawHttp.Response response = get(port, "/gone");

        assertThat(response.status()).isEqualTo(502);
        assertThat(proxies.upstream().requestHeads.stream().filter(head -> head.startsWith("GET /gone "))).as("the first attempt and one retry").hasSize(2);
    }

    @Test
    void silentUpstreamGives504AtAboutItsIdleTimeout() throws Exception
    {
        int port = proxyTo(new CannedUpstream(CannedUpstream::staySilent));

        long start = System.nanoTime();
        RawHttp.Response response = get(port, "/slow");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.status()).isEqualTo(504);
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }

    @Test
    void garbageInsteadOfHttpGives502() throws Exception
    {
        int port = proxyTo(new CannedUpstream("SSH-2.0-OpenSSH_9.2\r\n\r\n"));

        assertThat(get(port, "/").status()).isEqualTo(502);
    }

    @Test
    void invalidContentLengthGives502() throws Exception
    {
        int port = proxyTo(new CannedUpstream("HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nhello"));

        assertThat(get(port, "/").status()).isEqualTo(502);
    }

    @Test
    void resetBeforeAnsweringGives502() throws Exception
    {
        int port = proxyTo(new CannedUpstream(CannedUpstream::reset));

        long start = System.nanoTime();
        assertThat(get(port, "/").status()).isEqualTo(502);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void bodyCutShortByContentLengthIsTruncatedNotCompleted() throws Exception
    {
        int port = proxyTo(new CannedUpstream("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(70_000)));

        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /short HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            byte[] body = http.input().readAllBytes();
            assertThat(body.length).as("the connection closes short of the announced length").isLessThan(100_000);
        }
    }

    @Test
    void chunkedBodyCutShortHasNoFinalChunk() throws Exception
    {
        int port = proxyTo(new CannedUpstream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000\r\n" + "y".repeat(0x4000) + "\r\n4000\r\nyyyy"));

        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /short HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            String rest = new String(http.input().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(rest).as("no terminating chunk: the client cannot take the body as complete").doesNotContain("\r\n0\r\n\r\n");
        }
    }

    @Test
    void upstreamThatNeverAcceptsGivesAnErrorAtAboutTheConnectTimeout() throws Exception
    {
        // A listening socket whose accept queue is full drops further SYNs: connecting hangs.
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            java.util.List<java.net.Socket> fillers = new java.util.ArrayList<>();
            try
            {
                for (int i = 0; i < 4; i++)
                {
                    java.net.Socket filler = new java.net.Socket();
                    try
                    {
                        filler.connect(full.getLocalSocketAddress(), 300);
                        fillers.add(filler);
                    }
                    catch (IOException x)
                    {
                        break;
                    }
                }
                proxies.start("UPSTREAM_URL", "http://127.0.0.1:" + full.getLocalPort(), "UPSTREAM_CONNECT_TIMEOUT", "1s");

                long start = System.nanoTime();
                int status = get(proxies.proxy().port(), "/").status();
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertThat(status).isIn(502, 504);
                assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            }
            finally
            {
                for (java.net.Socket filler : fillers)
                    filler.close();
            }
        }
    }
}
