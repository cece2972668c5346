package io.jwtproxy.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No way past {@code AUTH_PUBLIC_PATHS} by the path's spelling: the jar with {@code AUTH=basic} and
 * {@code /public/} open, in front of an upstream that records each request head it gets. Every
 * decision is made on the path in normal form, and exactly that path is forwarded; a path that has
 * none is 400. (The WAR in Tomcat and jetty-home: {@code Container*IT}.)
 */
class PathBypassTest
{
    private static final String USERS = Path.of("src/test/resources/htpasswd/users").toString();
    private static final String ALICE = "Basic " + Base64.getEncoder().encodeToString("alice:correct horse battery".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final Proxies proxies = new Proxies();

    private Proxy proxy(String... more) throws Exception
    {
        List<String> settings = new ArrayList<>(List.of("AUTH", "basic", "AUTH_BASIC_FILE", USERS, "AUTH_PUBLIC_PATHS", "/public/"));
        settings.addAll(List.of(more));
        return proxies.start(new CannedUpstream("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), settings.toArray(String[]::new));
    }

    private static RawHttp.Response get(Proxy proxy, String target, String... fields) throws Exception
    {
        return RawHttp.get(proxy.port(), null, target, fields);
    }

    /** @return the path of the request the upstream got, or null if none came within a moment */
    private String forwardedPath() throws InterruptedException
    {
        String head = proxies.upstream().requestHeads.poll(200, TimeUnit.MILLISECONDS);
        return head == null ? null : CannedUpstream.path(head);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/public/../admin", "/public/./../admin", "/public/a/../../admin", "/public/..", "/public/../admin/", "/public/x/../../admin?q=1"})
    void dotSegmentsDoNotWalkOutOfAPublicPath(String target) throws Exception
    {
        Proxy proxy = proxy();

        RawHttp.Response response = get(proxy, target);

        assertThat(response.status()).as("%s without credentials", target).isEqualTo(401);
        assertThat(forwardedPath()).as("nothing forwarded").isNull();
    }

    @Test
    void anAbsoluteFormTargetIsDecidedOnItsNormalPathToo() throws Exception
    {
        Proxy proxy = proxy();

        RawHttp.Response response = get(proxy, "http://127.0.0.1:" + proxy.port() + "/public/../admin");

        assertThat(response.status()).isEqualTo(401);
        assertThat(forwardedPath()).isNull();
    }

    @Test
    void aWebSocketHandshakeIsDecidedOnItsNormalPath() throws Exception
    {
        Proxy proxy = proxy();

        RawHttp.Response response = get(proxy, "/public/../admin/socket", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");

        assertThat(response.status()).isEqualTo(401);
        assertThat(forwardedPath()).isNull();
    }

    @Test
    void anH2cPathIsDecidedOnItsNormalForm() throws Exception
    {
        Proxy proxy = proxy();
        Server echo = proxies.echo();
        HttpClient h2c = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        h2c.start();
        try
        {
            // The client sends :path as written: the echo upstream, reached directly, sees the dot segments.
            ContentResponse direct = h2c.newRequest("127.0.0.1", EmbeddedServer.port(echo)).path("/public/../admin").send();
            assertThat(direct.getHeaders().get("x-echo-request")).isEqualTo("GET /public/../admin HTTP/2.0");

            ContentResponse refused = h2c.newRequest("127.0.0.1", proxy.port()).path("/public/../admin").send();
            ContentResponse allowed = h2c.newRequest("127.0.0.1", proxy.port()).path("/public/a/../b").send();

            assertThat(refused.getStatus()).isEqualTo(401);
            assertThat(allowed.getStatus()).isEqualTo(200);
            assertThat(forwardedPath()).as("the normal form, decided on and forwarded").isEqualTo("/public/b");
        }
        finally
        {
            h2c.stop();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "/public/a/./b, /public/a/b",
        "/public/a/../b?x=/../y, /public/b?x=/../y",
        "/public/%7Euser/%41, /public/~user/A",
        "/public/caf%c3%a9, /public/caf%C3%A9",
        "/public/., /public/",
        "/public/x/.., /public/"})
    void aPublicPathIsForwardedInTheNormalFormItWasDecidedOn(String target, String forwarded) throws Exception
    {
        Proxy proxy = proxy();

        RawHttp.Response response = get(proxy, target);

        assertThat(response.status()).isEqualTo(200);
        assertThat(forwardedPath()).isEqualTo(forwarded);
    }

    @Test
    void aProtectedPathNeedsCredentialsAndGetsThemInTheNormalForm() throws Exception
    {
        Proxy proxy = proxy();

        assertThat(get(proxy, "/admin").status()).isEqualTo(401);
        assertThat(get(proxy, "/public").status()).as("/public/ is open, /public is not").isEqualTo(401);
        assertThat(get(proxy, "/publicity").status()).isEqualTo(401);
        assertThat(forwardedPath()).isNull();
        assertThat(get(proxy, "/public/../admin", "Authorization: " + ALICE).status()).isEqualTo(200);
        assertThat(forwardedPath()).isEqualTo("/admin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../admin", "/public/../../admin", "/public/%2e%2e/admin", "/public/%2E./admin", "/public/..%2fadmin",
        "/public/..;/admin", "/public/.;x/admin", "//admin", "/public//../admin", "/public/..%5cadmin", "/public/%00/x", "/public/%zz",
        "/public/%c0%ae%c0%ae/admin"})
    void aPathWithNoNormalFormIs400AndNothingIsForwarded(String target) throws Exception
    {
        Proxy proxy = proxy();

        RawHttp.Response response = get(proxy, target, "Authorization: " + ALICE);

        assertThat(response.status()).as("%s, even with credentials", target).isEqualTo(400);
        assertThat(forwardedPath()).isNull();
    }

    @Test
    void anUpstreamBasePathIsNeverClimbedOutOf() throws Exception
    {
        CannedUpstream upstream = new CannedUpstream("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        Proxy proxy = proxies.start(upstream, "UPSTREAM_URL", upstream.url() + "/app");
        proxies.track(upstream);

        assertThat(get(proxy, "/../secret").status()).isEqualTo(400);
        assertThat(get(proxy, "/a/../../secret").status()).isEqualTo(400);
        assertThat(upstream.requestHeads.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(get(proxy, "/a/../b").status()).isEqualTo(200);
        assertThat(CannedUpstream.path(upstream.requestHeads.take())).isEqualTo("/app/b");
    }

    @Test
    void keyAndAdminPathsAreMatchedInNormalForm() throws Exception
    {
        Proxy proxy = proxy("ADMIN_PATH", "/_jwt-proxy", "JWT_ALG", "ES256");

        RawHttp.Response keys = get(proxy, "/public/../.well-known/./jwks.json");
        RawHttp.Response status = get(proxy, "/x/../_jwt-proxy/status");

        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.text()).contains("\"keys\"");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.text()).contains("requestsReceived");
        assertThat(forwardedPath()).as("answered by the proxy").isNull();
    }
}
