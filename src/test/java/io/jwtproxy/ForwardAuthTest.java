package io.jwtproxy;

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
import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.RawHttp;
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
        String[] base = {"ADMIN_PORT", "0", "FORWARD_AUTH", "true", "AUTH", "basic", "AUTH_BASIC_FILE", USERS, "JWT_BIND_REQUEST", "true"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        try
        {
            return proxies.startRevealing(all);
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
}
