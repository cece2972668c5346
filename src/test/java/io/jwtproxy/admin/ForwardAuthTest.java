package io.jwtproxy.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jwtproxy.config.ConfigException;
import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.EmbeddedConfig;
import io.jwtproxy.config.Setting;
import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.Settings;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * /forward-auth on the admin listener: Envoy's ext_authz request shape, who may ask, the public
 * listener forwarding the path like any other, and the decisions counted.
 */
class ForwardAuthTest
{
    private static final String USERS = Path.of("src/test/resources/htpasswd/users").toString();
    private static final String ALICE = "Basic " + Base64.getEncoder().encodeToString("alice:correct horse battery".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final Proxies proxies = new Proxies();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Proxy proxy(String... more)
    {
        Settings settings = Settings.of(Setting.ADMIN_PORT, 0).with(Setting.FORWARD_AUTH, true).with(Setting.AUTH, "basic")
            .with(Setting.AUTH_BASIC_FILE, USERS).with(Setting.JWT_BIND_REQUEST, true).with(more);
        try
        {
            return proxies.startRevealing(settings);
        }
        catch (Exception x)
        {
            throw new IllegalStateException(x);
        }
    }

    private static int adminPort(Proxy proxy)
    {
        return EmbeddedServer.port(EmbeddedServer.admin(proxy.server()), EmbeddedServer.ADMIN);
    }

    @Test
    void envoysExtAuthzShapeTheOriginalPathAfterTheAuthPathAndTheOriginalMethodGetsATokenBoundToIt() throws Exception
    {
        Proxy proxy = proxy();

        try (RawHttp http = new RawHttp(adminPort(proxy)))
        {
            // As Envoy's ext_authz http_service sends it: path_prefix + the original path and query, the original
            // method and Host, no body; x-forwarded-proto among allowed_headers.
            http.send("POST /forward-auth/orders/42?expand=items HTTP/1.1\r\nHost: shop.example\r\nAuthorization: " + ALICE
                + "\r\nx-forwarded-proto: https\r\nContent-Length: 0\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).isEqualTo(200);
            String token = response.header("x-my-jwt");
            assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).isTrue();
            JsonNode claims = Tokens.claims(token);
            assertThat(claims.get("sub").asText()).isEqualTo("alice");
            assertThat(claims.get("htm").asText()).isEqualTo("POST");
            assertThat(claims.get("htu").asText()).isEqualTo("https://shop.example/orders/42");
            assertThat(response.header("X-Auth-Request-User")).isEqualTo("alice");
        }
    }

    @Test
    void withoutCredentialsTheGatewayGetsTheChallengesToPassBack() throws Exception
    {
        Proxy proxy = proxy();

        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort(proxy) + "/forward-auth"))
            .header("X-Forwarded-Method", "GET").header("X-Forwarded-Uri", "/private").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().allValues("WWW-Authenticate")).containsExactly("Basic realm=\"jwt-proxy\", charset=\"UTF-8\"");
        assertThat(refused.headers().firstValue("x-my-jwt")).isEmpty();
        JsonNode status = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort(proxy)
            + "/status")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(status.get("forwardAuthDecisions").get("denied").asLong()).isEqualTo(1);
        assertThat(status.get("forwardAuthDecisions").get("allowed").asLong()).isZero();
    }

    @Test
    void onlyForwardAuthClientsMayAsk() throws Exception
    {
        Proxy proxy = proxy("FORWARD_AUTH_CLIENTS", "10.0.0.0/8");

        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort(proxy) + "/forward-auth"))
            .header("Authorization", ALICE).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("x-my-jwt")).isEmpty();
    }

    @Test
    void thePublicListenerForwardsTheForwardAuthPathLikeAnyOtherAndNeverAnswersWithAToken() throws Exception
    {
        Proxy proxy = proxy();

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.uri("/forward-auth")).header("Authorization", ALICE)
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-echo-request")).as("the upstream got it").hasValue("GET /forward-auth HTTP/1.1");
        assertThat(response.headers().firstValue("x-my-jwt")).as("no token in the answer").isEmpty();
    }

    @Test
    void forwardAuthNeedsTheAdminListener()
    {
        assertThatThrownBy(() -> EmbeddedConfig.load(ConfigSource.of(java.util.Map.of("FORWARD_AUTH", "true"))))
            .isInstanceOf(ConfigException.class)
            .hasMessage("invalid configuration: FORWARD_AUTH: is true, but ADMIN_PORT is not set: /forward-auth is served on the admin listener only");
    }

    private HttpResponse<String> ask(Proxy proxy, String... headers) throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort(proxy) + "/forward-auth"))
            .timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theOriginalUriIsDecidedInNormalFormAndItsAmbiguousFormsAreRefused() throws Exception
    {
        Proxy proxy = proxy("AUTH_PUBLIC_PATHS", "/public/");

        HttpResponse<String> open = ask(proxy, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public/a/./b?x=1");
        HttpResponse<String> dots = ask(proxy, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public/../admin");

        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(Tokens.claims(open.headers().firstValue("x-my-jwt").orElseThrow()).get("htu").asText()).endsWith("/public/a/b");
        assertThat(dots.statusCode()).as("/admin, without credentials").isEqualTo(401);
        for (String uri : new String[] {"/public/%2e%2e/admin", "/public/..%2fadmin", "/public/..;/admin", "//admin", "/public/../../admin",
            "/public/x admin", "http://shop.example/public/x", "public/x", "/public/x#frag"})
        {
            HttpResponse<String> refused = ask(proxy, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", uri);
            assertThat(refused.statusCode()).as(uri).isEqualTo(400);
            assertThat(refused.headers().firstValue("x-my-jwt")).isEmpty();
        }
    }

    @Test
    void envoysPathIsDecidedInNormalFormToo() throws Exception
    {
        Proxy proxy = proxy("AUTH_PUBLIC_PATHS", "/public/");

        try (RawHttp http = new RawHttp(adminPort(proxy)))
        {
            http.send("GET /forward-auth/public/../admin HTTP/1.1\r\nHost: shop.example\r\n\r\n");
            assertThat(http.readResponse(false).status()).isEqualTo(401);
            http.send("GET /forward-auth/public/./logo.png HTTP/1.1\r\nHost: shop.example\r\n\r\n");
            assertThat(http.readResponse(false).status()).isEqualTo(200);
        }
    }

    @Test
    void aCompetingFieldTheClientCouldHaveWrittenIsRefusedNotGuessed() throws Exception
    {
        Proxy any = proxy("AUTH_PUBLIC_PATHS", "/public/");
        Proxy nginx = proxy("AUTH_PUBLIC_PATHS", "/public/", "FORWARD_AUTH_GATEWAY", "nginx");
        Proxy caddy = proxy("AUTH_PUBLIC_PATHS", "/public/", "FORWARD_AUTH_GATEWAY", "caddy");

        // Caddy sets X-Forwarded-Uri and passes the client's X-Original-URI on; nginx the other way round.
        assertThat(ask(any, "X-Forwarded-Uri", "/admin", "X-Original-URI", "/public/x").statusCode()).isEqualTo(400);
        assertThat(ask(any, "X-Forwarded-Method", "DELETE", "X-Original-Method", "GET", "X-Forwarded-Uri", "/public/x").statusCode()).isEqualTo(400);
        assertThat(ask(caddy, "X-Forwarded-Uri", "/admin", "X-Original-URI", "/public/x").statusCode()).isEqualTo(400);
        assertThat(ask(nginx, "X-Original-URI", "/admin", "X-Forwarded-Uri", "/public/x").statusCode()).isEqualTo(400);
        assertThat(ask(nginx, "X-Forwarded-Uri", "/public/x").statusCode()).as("nginx's own field missing").isEqualTo(400);
        assertThat(ask(caddy, "X-Forwarded-Uri", "/public/x", "X-Forwarded-Uri", "/admin").statusCode()).as("two that disagree").isEqualTo(400);
        // Agreeing copies are the gateway's own answer.
        assertThat(ask(any, "X-Forwarded-Uri", "/public/x", "X-Original-URI", "/public/x").statusCode()).isEqualTo(200);
        assertThat(ask(caddy, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public/x").statusCode()).isEqualTo(200);
        assertThat(ask(nginx, "X-Original-Method", "GET", "X-Original-URI", "/public/x").statusCode()).isEqualTo(200);
    }

    @Test
    void theOriginalMethodHostAndSchemeAreValidated() throws Exception
    {
        Proxy proxy = proxy("AUTH_PUBLIC_PATHS", "/public/");

        assertThat(ask(proxy, "X-Forwarded-Method", "GET /admin", "X-Forwarded-Uri", "/public/x").statusCode()).isEqualTo(400);
        assertThat(ask(proxy, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public/x", "X-Forwarded-Host", "a/b").statusCode()).isEqualTo(400);
        assertThat(ask(proxy, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public/x", "X-Forwarded-Proto", "javascript").statusCode())
            .isEqualTo(400);
        assertThat(ask(proxy, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public/x", "X-Forwarded-Proto", "HTTPS").statusCode())
            .isEqualTo(200);
    }

    @Test
    void failuresCountAgainstTheClientTheGatewayNamesNotAgainstTheGateway() throws Exception
    {
        Proxy proxy = proxy("AUTH_BASIC_MAX_FAILURES", "3");
        String wrong = "Basic " + Base64.getEncoder().encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8));

        for (int i = 0; i < 3; i++)
            assertThat(ask(proxy, "X-Forwarded-Uri", "/orders", "Authorization", wrong, "X-Forwarded-For", "203.0.113.66").statusCode()).isEqualTo(401);
        HttpResponse<String> attacker = ask(proxy, "X-Forwarded-Uri", "/orders", "Authorization", ALICE, "X-Forwarded-For", "203.0.113.66");
        HttpResponse<String> alice = ask(proxy, "X-Forwarded-Uri", "/orders", "Authorization", ALICE, "X-Forwarded-For", "203.0.113.7");

        assertThat(attacker.statusCode()).isEqualTo(429);
        assertThat(alice.statusCode()).as("another client behind the same gateway").isEqualTo(200);
    }
}
