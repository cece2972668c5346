package io.jwtproxy.auth;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.EmbeddedConfig;
import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.OidcProvider;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AUTH=header (identity headers believed from trusted peers only) and AUTH=container (the
 * container's principal), alone and after bearer: who the token vouches for, and that the identity
 * fields never reach the upstream.
 */
class HeaderAndContainerAuthTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Proxy proxy(String... auth) throws Exception
    {
        return proxies.startRevealing(auth);
    }

    private HttpResponse<String> get(Proxy proxy, String path, String... headers) throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String[] OAUTH2_PROXY_HEADERS = {"X-Forwarded-User", "alice", "X-Forwarded-Email", "alice@example.org",
        "X-Forwarded-Groups", "admins, dev,"};

    @Test
    void aTrustedPeersIdentityHeadersAreVouchedForAndStayAtTheProxy() throws Exception
    {
        Proxy proxy = proxy("AUTH", "header", "AUTH_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1/32");

        HttpResponse<String> response = get(proxy, "/me", OAUTH2_PROXY_HEADERS);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode claims = Tokens.claims(response.headers().firstValue("x-upstream-token").orElseThrow());
        assertThat(claims.get("sub").asText()).isEqualTo("alice");
        assertThat(claims.get("payload").get("user").asText()).isEqualTo("alice");
        assertThat(claims.get("email").asText()).isEqualTo("alice@example.org");
        assertThat(claims.get("groups").toString()).isEqualTo("[\"admins\",\"dev\"]");
        assertThat(response.headers().firstValue("x-upstream-headers").orElseThrow())
            .doesNotContain("x-forwarded-user", "x-forwarded-email", "x-forwarded-groups");
    }

    @Test
    void anUntrustedPeersIdentityHeadersAuthenticateNothingAndAreRemoved() throws Exception
    {
        OidcProvider provider = proxies.track(new OidcProvider());
        Proxy headerOnly = proxy("AUTH", "header", "AUTH_TRUSTED_PROXIES", "10.0.0.0/8");
        Proxy bearerThenHeader = proxy(provider.settings("AUTH", "bearer,header", "AUTH_TRUSTED_PROXIES", "10.0.0.0/8"));

        HttpResponse<String> refused = get(headerOnly, "/me", OAUTH2_PROXY_HEADERS);
        HttpResponse<String> spoofed = get(bearerThenHeader, "/me", "Authorization", "Bearer " + provider.token("bob"), "X-Forwarded-User", "alice");

        assertThat(refused.statusCode()).as("no method with a challenge to send: 403").isEqualTo(403);
        assertThat(refused.headers().allValues("WWW-Authenticate")).isEmpty();
        assertThat(spoofed.statusCode()).isEqualTo(200);
        assertThat(Tokens.claims(spoofed.headers().firstValue("x-upstream-token").orElseThrow()).get("sub").asText()).isEqualTo("bob");
        assertThat(spoofed.headers().firstValue("x-upstream-headers").orElseThrow()).doesNotContain("x-forwarded-user", "authorization");
    }

    @Test
    void withBearerAndHeaderAnUnauthenticatedRequestGetsTheOneChallengeThereIs() throws Exception
    {
        OidcProvider provider = proxies.track(new OidcProvider());
        Proxy proxy = proxy(provider.settings("AUTH", "header,bearer", "AUTH_TRUSTED_PROXIES", "10.0.0.0/8"));

        HttpResponse<String> response = get(proxy, "/me");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-proxy\"");
    }

    @Test
    void theContainersPrincipalIsVouchedForAndItsAuthorizationStaysAtTheProxy() throws Exception
    {
        Server echo = proxies.revealingEcho();
        EmbeddedConfig config = EmbeddedConfig.load(ConfigSource.of(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "ENGINE", "servlet", "AUTH", "container",
            "JWT_SECRET", Tokens.SEED_SECRET, "UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(echo))));
        Server server = EmbeddedServer.newProxyServer(config.server(), proxies.track(ProxyRuntime.start(config.proxy(), config.tokens(), config.auth(), config.admin())));
        // Stands for the container's authentication (BASIC in web.xml, a login module): it sets the remote user.
        server.getDescendant(ServletContextHandler.class).addFilter((request, response, chain) ->
            chain.doFilter(((HttpServletRequest)request).getHeader("Authorization") == null ? request
                : new HttpServletRequestWrapper((HttpServletRequest)request)
            {
                @Override
                public String getRemoteUser()
                {
                    return "carol";
                }
            }, response), "/*", EnumSet.of(DispatcherType.REQUEST));
        Proxy proxy = proxies.start(server);

        HttpResponse<String> authenticated = get(proxy, "/me", "Authorization", "Basic Y2Fyb2w6c2VjcmV0");
        HttpResponse<String> anonymous = get(proxy, "/me");

        assertThat(authenticated.statusCode()).isEqualTo(200);
        assertThat(Tokens.claims(authenticated.headers().firstValue("x-upstream-token").orElseThrow()).get("sub").asText()).isEqualTo("carol");
        assertThat(authenticated.headers().firstValue("x-upstream-headers").orElseThrow()).doesNotContain("authorization");
        assertThat(anonymous.statusCode()).as("the container authenticated nobody, and it alone may").isEqualTo(403);
    }

    @Test
    void twoUserFieldsFromATrustedPeerAreRefusedNotOneOfThemBelieved() throws Exception
    {
        Proxy proxy = proxy("AUTH", "header", "AUTH_TRUSTED_PROXIES", "127.0.0.1/32");

        // An appending front proxy: the client's copy first, the proxy's after it.
        HttpResponse<String> twoUsers = get(proxy, "/me", "X-Forwarded-User", "admin", "X-Forwarded-User", "alice");
        HttpResponse<String> twoGroups = get(proxy, "/me", "X-Forwarded-User", "alice", "X-Forwarded-Groups", "admins", "X-Forwarded-Groups", "dev");

        assertThat(twoUsers.statusCode()).isEqualTo(403);
        assertThat(twoUsers.headers().firstValue("x-upstream-token")).as("nothing forwarded").isEmpty();
        assertThat(twoGroups.statusCode()).isEqualTo(403);
    }

    @Test
    void underscoreSpellingsOfEveryIdentityFieldNeverReachTheUpstream() throws Exception
    {
        Proxy proxy = proxy("AUTH", "header", "AUTH_TRUSTED_PROXIES", "127.0.0.1/32", "AUTH_USER_HEADER", "x-amzn-oidc-identity");

        HttpResponse<String> response = get(proxy, "/me", "x-amzn-oidc-identity", "alice", "x_amzn_oidc_identity", "admin", "X_Forwarded_Email",
            "root@example.org", "x_forwarded_groups", "admins");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Tokens.claims(response.headers().firstValue("x-upstream-token").orElseThrow()).get("sub").asText()).isEqualTo("alice");
        assertThat(response.headers().firstValue("x-upstream-headers").orElseThrow())
            .doesNotContain("x-amzn-oidc-identity", "x_amzn_oidc_identity", "x_forwarded_email", "x_forwarded_groups");
    }

    @Test
    void identityFieldsAreReadAsUtf8AndRefusedWhenTheyAreNot() throws Exception
    {
        Proxy proxy = proxy("AUTH", "header", "AUTH_TRUSTED_PROXIES", "127.0.0.1/32");

        RawHttp.Response jose = RawHttp.get(proxy.port(), null, "/me", "X-Forwarded-User: Jos\u00c3\u00a9 M\u00c3\u00bcller");
        RawHttp.Response latin1 = RawHttp.get(proxy.port(), null, "/me", "X-Forwarded-User: Jos\u00e9");

        assertThat(jose.status()).isEqualTo(200);
        assertThat(Tokens.claims(jose.header("x-upstream-token")).get("sub").asText()).isEqualTo("Jos\u00e9 M\u00fcller");
        assertThat(latin1.status()).as("no UTF-8").isEqualTo(403);
        assertThat(latin1.header("x-upstream-token")).isNull();
    }
}
