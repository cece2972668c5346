package io.jwtproxy.tls;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.config.Setting;
import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.Certificates.Issued;
import io.jwtproxy.testing.Certificates.KeyForm;
import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.ServletServer;
import io.jwtproxy.testing.Settings;
import io.jwtproxy.testing.TlsProbe;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocols a modern client speaks, through the jar's listeners: h2 by ALPN and HTTP/1.1 on
 * the TLS listener, h2c with prior knowledge beside HTTP/1.1 on the plain one; HTTP/2 to the
 * upstream; trailers both ways of the protocols. Real clients: the JDK's and Jetty's.
 */
class Http2AndTlsTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();
    @TempDir
    Path dir;

    private final Issued ca = Certificates.authority("jwt-proxy test CA");
    private final org.eclipse.jetty.client.HttpClient h2c = new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));

    @AfterEach
    void stopClient() throws Exception
    {
        h2c.stop();
    }

    private String echoUrl() throws Exception
    {
        return "http://127.0.0.1:" + EmbeddedServer.port(proxies.revealingEcho());
    }

    private Settings tls(Issued server)
    {
        return Settings.of(Setting.HTTPS_PORT, 0).with(Setting.TLS_CERT_FILE, server.writeChain(dir.resolve("chain.pem")))
            .with(Setting.TLS_KEY_FILE, server.writeKey(dir.resolve("key.pem"), KeyForm.TRADITIONAL));
    }

    private Proxy proxy(String upstream, Settings tls, String... more)
    {
        return proxies.start(Settings.of(Setting.UPSTREAM_URL, upstream).with(Setting.JWT_SECRET, Tokens.SEED_SECRET).with(tls).with(more));
    }

    @Test
    void theTlsListenerSpeaksH2ByAlpnAndHttp11OverTls13And12Only() throws Exception
    {
        Proxy proxy = proxy(echoUrl(), tls(ca.server()));
        HttpClient h2 = HttpClient.newBuilder().sslContext(ca.trustingThis(null)).version(HttpClient.Version.HTTP_2).build();
        HttpClient http11 = HttpClient.newBuilder().sslContext(ca.trustingThis(null)).version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> overH2 = h2.send(HttpRequest.newBuilder(proxy.httpsUri("/over/h2")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> overHttp11 = http11.send(HttpRequest.newBuilder(proxy.httpsUri("/over/1.1")).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(overH2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(overHttp11.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        for (HttpResponse<String> response : List.of(overH2, overHttp11))
        {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(Tokens.verifies(response.headers().firstValue("x-upstream-token").orElseThrow(), Tokens.SEED_SECRET)).isTrue();
            assertThat(response.headers().firstValue("x-forwarded-proto")).as("what the upstream was told").hasValue("https");
        }
        assertThat(overH2.headers().firstValue("x-upstream-token")).isNotEqualTo(overHttp11.headers().firstValue("x-upstream-token"));
        // What curl --http1.1 offers: ALPN with http/1.1 alone.
        try (SSLSocket alpnHttp11 = (SSLSocket)ca.trustingThis(null).getSocketFactory().createSocket("127.0.0.1", proxy.httpsUri("/").getPort()))
        {
            SSLParameters offer = alpnHttp11.getSSLParameters();
            offer.setApplicationProtocols(new String[]{"http/1.1"});
            alpnHttp11.setSSLParameters(offer);
            assertThat(TlsProbe.status(alpnHttp11, "/over/alpn/http/1.1")).isEqualTo(200);
            assertThat(alpnHttp11.getApplicationProtocol()).isEqualTo("http/1.1");
        }
        SslConnectionFactory tls = ((ServerConnector)proxy.server().getConnectors()[1]).getConnectionFactory(SslConnectionFactory.class);
        assertThat(tls.getSslContextFactory().getSelectedProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }

    @Test
    void thePlainListenerSpeaksH2cWithPriorKnowledgeAndEveryStreamGetsItsOwnToken() throws Exception
    {
        Proxy proxy = proxy(echoUrl(), Settings.none());
        h2c.start();

        CompletableFuture<ContentResponse> first = new CompletableResponseListener(h2c.newRequest(proxy.uri("/stream/1"))).send();
        CompletableFuture<ContentResponse> second = new CompletableResponseListener(h2c.newRequest(proxy.uri("/stream/2"))).send();
        ContentResponse one = first.get(10, TimeUnit.SECONDS);
        ContentResponse two = second.get(10, TimeUnit.SECONDS);

        assertThat(one.getVersion()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(two.getVersion()).isEqualTo(HttpVersion.HTTP_2);
        String tokenOne = one.getHeaders().get("x-upstream-token");
        String tokenTwo = two.getHeaders().get("x-upstream-token");
        assertThat(Tokens.verifies(tokenOne, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.verifies(tokenTwo, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.claims(tokenOne).get("jti")).isNotEqualTo(Tokens.claims(tokenTwo).get("jti"));
        assertThat(one.getHeaders().get("x-echo-request")).as("the upstream leg").isEqualTo("GET /stream/1 HTTP/1.1");
        assertThat(one.getHeaders().get("x-echo-body")).as("an HTTP/2 GET, on HTTP/1.1").isEqualTo("none");

        // A body without Content-Length, which HTTP/2 frames itself, goes on chunked.
        AsyncRequestContent streamed = new AsyncRequestContent();
        CompletableFuture<ContentResponse> post = new CompletableResponseListener(h2c.newRequest(proxy.uri("/upload")).method("POST").body(streamed))
            .send();
        streamed.write(ByteBuffer.wrap("streamed ".getBytes(StandardCharsets.US_ASCII)), Callback.NOOP);
        streamed.write(ByteBuffer.wrap("body".getBytes(StandardCharsets.US_ASCII)), Callback.NOOP);
        streamed.close();
        ContentResponse uploaded = post.get(10, TimeUnit.SECONDS);
        assertThat(uploaded.getHeaders().get("x-echo-body")).isEqualTo("chunked");
        assertThat(uploaded.getContentAsString()).isEqualTo("streamed body");
    }

    @Test
    void anHttp11UpgradeToH2cIsNotActedOnOnThePlainListener() throws Exception
    {
        Proxy proxy = proxy(echoUrl(), Settings.none());

        try (RawHttp http = proxy.connect())
        {
            http.send("GET /upgrade HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-echo-request")).isEqualTo("GET /upgrade HTTP/1.1");
            assertThat(response.header("x-upstream-headers")).doesNotContain("upgrade").doesNotContain("http2-settings");
        }
    }

    @Test
    void withUpstreamProtocolH2cTheUpstreamLegIsHttp2AndNoConnectionSpecificFieldReachesIt() throws Exception
    {
        Proxy proxy = proxy(echoUrl(), Settings.none(), "UPSTREAM_PROTOCOL", "h2c");

        try (RawHttp http = proxy.connect())
        {
            http.send("POST /fields HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive, x-hop\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\nx-hop: 1\r\nTE: trailers\r\nx-end-to-end: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-echo-request")).isEqualTo("POST /fields HTTP/2.0");
            assertThat(response.header("x-echo-body")).isEqualTo("streamed");
            assertThat(response.text()).isEqualTo("hello");
            assertThat(List.of(response.header("x-upstream-headers").split(","))).contains("te", "x-end-to-end", "x-my-jwt")
                .doesNotContain("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "x-hop");
        }
    }

    @Test
    void theUpstreamsTrailersReachTheClientOverHttp2AndInTheLastChunkOfHttp11() throws Exception
    {
        Proxy proxy = proxy(trailingUpstream(), Settings.none());
        h2c.start();

        ContentResponse overH2 = h2c.newRequest(proxy.uri("/trailing")).headers(headers -> headers.put("TE", "trailers")).send();

        assertThat(overH2.getContentAsString()).isEqualTo("body before the trailers");
        assertThat(overH2.getTrailers()).isNotNull();
        assertThat(overH2.getTrailers().get("grpc-status")).isEqualTo("0");
        assertThat(overH2.getTrailers().get("x-checksum")).isEqualTo("abc");
        try (RawHttp http = proxy.connect())
        {
            http.send("GET /trailing HTTP/1.1\r\nHost: 127.0.0.1\r\nTE: trailers\r\n\r\n");
            RawHttp.Head head = http.readHead();
            assertThat(head.first("transfer-encoding")).isEqualTo("chunked");
            StringBuilder body = new StringBuilder();
            // To the blank line that ends the last chunk's trailer section.
            while (!body.toString().matches("(?s).*\r\n0\r\n.*\r\n\r\n"))
                body.append((char)http.input().read());
            String rest = body.toString();
            assertThat(rest).contains("body before the trailers").contains("\r\n0\r\n").contains("grpc-status: 0\r\n").contains("x-checksum: abc\r\n");
        }
    }

    /** @return an upstream whose answer ends with trailers, gRPC's status among them */
    private String trailingUpstream() throws Exception
    {
        Server upstream = ServletServer.on(new HttpServlet()
        {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException
            {
                response.setTrailerFields(() -> Map.of("grpc-status", "0", "x-checksum", "abc"));
                response.getOutputStream().write("body before the trailers".getBytes(StandardCharsets.US_ASCII));
            }
        });
        upstream.start();
        proxies.track(upstream::stop);
        return "http://127.0.0.1:" + EmbeddedServer.port(upstream);
    }
}
