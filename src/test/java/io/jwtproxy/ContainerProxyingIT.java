package io.jwtproxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Deployment;
import io.jwtproxy.testing.OidcProvider;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.RevealingEcho;
import io.jwtproxy.testing.Tokens;
import io.jwtproxy.testing.UpstreamAnswers;

import static org.assertj.core.api.Assertions.assertThat;

/** The token, streams, counts, failures, what the upstream said relayed as it said it, paths in normal form and bearer authentication, checked the same against every deployment (see {@link ContainerChecks}). */
class ContainerProxyingIT extends ContainerChecks
{
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
            System.out.printf("Container*IT %s: event stream delays %s ms%n", deployment, delays.stream().map(d -> String.format("%.1f", d)).toList());
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
}
