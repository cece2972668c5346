package io.jwtproxy.auth;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jwtproxy.testing.OidcProvider;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AUTH=bearer against an OpenID Connect provider's stand-in ({@link OidcProvider}: discovery and
 * a JWK Set over HTTP, tokens signed by jjwt): who the proxy's token vouches for, what is refused
 * and how, and that the credential never reaches the upstream.
 */
class BearerAuthTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Proxies proxies = new Proxies();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Proxy proxy(OidcProvider provider, String... more) throws Exception
    {
        return proxies.startRevealing(provider.settings(more));
    }

    private HttpResponse<String> get(Proxy proxy, String path, String... headers) throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode status(Proxy proxy) throws Exception
    {
        return JSON.readTree(get(proxy, "/status").body());
    }

    @Test
    void aValidTokenIsVouchedForWithItsSubjectAndClaimsAndItsAuthorizationStaysAtTheProxy() throws Exception
    {
        OidcProvider provider = proxies.track(new OidcProvider());
        Proxy proxy = proxy(provider);
        String idToken = provider.token(provider.key(), "alice@idp", OidcProvider.with(Map.of("email", "alice@example.org", "name", "Alice",
            "groups", List.of("admins", "dev"), "phone_number", "+1 555")));

        HttpResponse<String> response = get(proxy, "/orders", "Authorization", "Bearer " + idToken);

        assertThat(response.statusCode()).isEqualTo(200);
        String token = response.headers().firstValue("x-upstream-token").orElseThrow();
        assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).isTrue();
        JsonNode claims = Tokens.claims(token);
        assertThat(claims.get("sub").asText()).isEqualTo("alice@idp");
        assertThat(claims.get("payload").get("user").asText()).as("the seed's shape, kept").isEqualTo("alice@idp");
        assertThat(claims.get("email").asText()).isEqualTo("alice@example.org");
        assertThat(claims.get("name").asText()).isEqualTo("Alice");
        assertThat(claims.get("groups").toString()).isEqualTo("[\"admins\",\"dev\"]");
        assertThat(claims.has("phone_number")).as("a claim not copied").isFalse();
        assertThat(response.headers().firstValue("x-upstream-headers").orElseThrow()).doesNotContain("authorization");
        assertThat(status(proxy).get("authentications").get("bearer").get("authenticated").asLong()).isEqualTo(1);
    }

    @Test
    void refusedTokensGet401WithAnInvalidTokenChallengeAndNothingIsForwarded() throws Exception
    {
        OidcProvider provider = proxies.track(new OidcProvider());
        Proxy proxy = proxy(provider);
        OidcProvider.SigningKey stranger = OidcProvider.newKey("key-1");
        Map<String, String> refused = Map.of(
            provider.token(provider.key(), "alice", b -> b.expiration(new Date(System.currentTimeMillis() - 300_000))), "the token has expired",
            provider.token(provider.key(), "another-client", "alice", b -> b), "the token is for another audience",
            provider.token(provider.key(), "alice", b -> b.issuer("https://another-issuer.example")), "the token is from another issuer",
            provider.unsignedToken("alice"), "the token's algorithm is not accepted",
            provider.publicKeyHmacToken("alice"), "the token's algorithm is not accepted",
            provider.token(stranger, "alice", b -> b), "the token's signature does not verify",
            provider.token(OidcProvider.newKey("key-9"), "alice", b -> b), "the token's signing key is unknown");

        for (Map.Entry<String, String> token : refused.entrySet())
        {
            HttpResponse<String> response = get(proxy, "/orders", "Authorization", "Bearer " + token.getKey());

            assertThat(response.statusCode()).as(token.getValue()).isEqualTo(401);
            assertThat(response.headers().allValues("WWW-Authenticate")).as(token.getValue())
                .containsExactly("Bearer realm=\"jwt-proxy\", error=\"invalid_token\", error_description=\"" + token.getValue() + "\"");
        }
        HttpResponse<String> none = get(proxy, "/orders");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().allValues("WWW-Authenticate")).as("RFC 6750 §3: no error without a token").containsExactly("Bearer realm=\"jwt-proxy\"");
        JsonNode status = status(proxy);
        assertThat(status.get("requestsForwarded").asLong()).isZero();
        assertThat(status.get("authentications").get("bearer").get("refused").asLong()).isEqualTo(refused.size());
        assertThat(status.get("authentications").get("none").get("unauthenticated").asLong()).isEqualTo(refused.size() + 1);
    }

    @Test
    void aKeyTheProviderPublishesAfterTheProxyStartedIsFetchedWhenATokenNamesIt() throws Exception
    {
        OidcProvider provider = proxies.track(new OidcProvider());
        Proxy proxy = proxy(provider);
        assertThat(get(proxy, "/before", "Authorization", "Bearer " + provider.token("alice")).statusCode()).isEqualTo(200);
        OidcProvider.SigningKey rotated = provider.publish(OidcProvider.newKey("key-2"));
        String signedWithTheNewKey = provider.token(rotated, "bob", b -> b);

        // The cached set lacks key-2; the proxy fetches the set again, at most once a second.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> response;
        do
            response = get(proxy, "/after", "Authorization", "Bearer " + signedWithTheNewKey);
        while (response.statusCode() == 401 && System.nanoTime() < deadline);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Tokens.claims(response.headers().firstValue("x-upstream-token").orElseThrow()).get("sub").asText()).isEqualTo("bob");
        assertThat(provider.jwksFetches.get()).as("fetches of the key set: the first, and one for the new key or a few a second apart")
            .isBetween(2, 12);
    }

    @Test
    void aProviderThatCannotBeReachedGets503AndNothingIsForwarded() throws Exception
    {
        OidcProvider provider = new OidcProvider();
        String token = provider.token("alice");
        Proxy proxy = proxy(provider);
        provider.close();

        long start = System.nanoTime();
        HttpResponse<String> response = get(proxy, "/orders", "Authorization", "Bearer " + token);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered within the fetch timeout").isLessThan(Duration.ofSeconds(5));
        assertThat(response.headers().allValues("WWW-Authenticate")).isEmpty();
        JsonNode status = status(proxy);
        assertThat(status.get("requestsForwarded").asLong()).isZero();
        assertThat(status.get("authentications").get("bearer").get("unavailable").asLong()).isEqualTo(1);
    }

    @Test
    void publicPathsPassWithoutAuthenticationAndTheirTokenHasNoSubject() throws Exception
    {
        OidcProvider provider = proxies.track(new OidcProvider());
        Proxy proxy = proxy(provider, "AUTH_PUBLIC_PATHS", "/health,/public/");

        HttpResponse<String> health = get(proxy, "/health");
        HttpResponse<String> file = get(proxy, "/public/logo.png");
        HttpResponse<String> other = get(proxy, "/publications");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(other.statusCode()).as("not under /public/").isEqualTo(401);
        JsonNode claims = Tokens.claims(health.headers().firstValue("x-upstream-token").orElseThrow());
        assertThat(claims.has("sub")).isFalse();
        assertThat(claims.get("payload").get("user").asText()).isEqualTo("username");
    }

    @Test
    void aTokenThatWouldOutgrowJwtMaxBytesGoesWithoutItsGroups() throws Exception
    {
        OidcProvider provider = proxies.track(new OidcProvider());
        Proxy proxy = proxy(provider, "JWT_MAX_BYTES", "2048");
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 250; i++)
            groups.add("group-" + i);
        String idToken = provider.token(provider.key(), "carol", OidcProvider.with(Map.of("groups", groups, "email", "carol@example.org")));

        HttpResponse<String> response = get(proxy, "/orders", "Authorization", "Bearer " + idToken);

        assertThat(response.statusCode()).isEqualTo(200);
        String token = response.headers().firstValue("x-upstream-token").orElseThrow();
        assertThat(token.length()).isLessThanOrEqualTo(2048);
        JsonNode claims = Tokens.claims(token);
        assertThat(claims.has("groups")).as("groups past the bound: none, rather than some").isFalse();
        assertThat(claims.get("sub").asText()).isEqualTo("carol");
        assertThat(claims.get("email").asText()).isEqualTo("carol@example.org");
    }
}
