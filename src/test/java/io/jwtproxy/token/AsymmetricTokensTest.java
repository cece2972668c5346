package io.jwtproxy.token;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.IncorrectClaimException;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.EmbeddedConfig;
import io.jwtproxy.config.TokenConfig;
import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.pem.PemKeys;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.testing.IndependentJose;
import io.jwtproxy.testing.Proxies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ES256, RS256 and EdDSA tokens through the running proxy (demo echo upstream, which shows the
 * token it received), verified with jjwt against the JWK Set fetched from the proxy over HTTP.
 */
class AsymmetricTokensTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    @RegisterExtension
    final Proxies proxies = new Proxies();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private int port;

    private void startProxy(String... settings)
    {
        port = proxies.start(settings).port();
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
            .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("body") : HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token(String method, String path) throws Exception
    {
        HttpResponse<String> response = send(method, path);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("x-my-jwt").orElseThrow(() -> new AssertionError("the echo upstream got no token"));
    }

    private Path keyFile(JwtAlgorithm algorithm) throws Exception
    {
        Path file = dir.resolve(algorithm + ".pem");
        Files.writeString(file, PemKeys.format(algorithm.generate().getPrivate()));
        return file;
    }

    @ParameterizedTest
    @EnumSource(value = JwtAlgorithm.class, names = {"ES256", "RS256", "EdDSA"})
    void tokensVerifyAgainstThePublishedKeySetWithEveryClaimChecked(JwtAlgorithm algorithm) throws Exception
    {
        startProxy("JWT_ALG", algorithm.name(), "JWT_KEY_FILE", keyFile(algorithm).toString(), "JWT_ISSUER", "https://proxy.example",
            "JWT_AUDIENCE", "orders-service", "JWT_TTL_SECONDS", "300", "JWT_NOT_BEFORE_SKEW_SECONDS", "30", "JWT_BIND_REQUEST", "true");

        String getToken = token("GET", "/orders/7?expand=lines");
        String postToken = token("POST", "/orders");
        HttpResponse<String> jwks = send("GET", "/.well-known/jwks.json");

        assertThat(jwks.statusCode()).isEqualTo(200);
        assertThat(jwks.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");
        JsonNode keys = JSON.readTree(jwks.body()).get("keys");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).get("alg").asText()).isEqualTo(algorithm.joseName());
        assertThat(keys.get(0).get("use").asText()).isEqualTo("sig");
        for (String secret : List.of("d", "p", "q", "dp", "dq", "qi", "k"))
            assertThat(keys.get(0).has(secret)).as("private parameter %s published", secret).isFalse();

        JwkSet set = IndependentJose.parseSet(jwks.body());
        Jwk<?> jwk = set.getKeys().iterator().next();
        Jws<Claims> get = IndependentJose.verify(getToken, set, Instant.now(),
            parser -> parser.requireIssuer("https://proxy.example").requireAudience("orders-service"));
        assertThat(get.getHeader().getAlgorithm()).isEqualTo(algorithm.joseName());
        assertThat(get.getHeader().getKeyId()).as("kid is the RFC 7638 thumbprint").isEqualTo(IndependentJose.thumbprint(jwk)).isEqualTo(jwk.getId());
        Claims claims = get.getPayload();
        long iat = claims.getIssuedAt().toInstant().getEpochSecond();
        assertThat(iat).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(5L));
        assertThat(claims.getExpiration().toInstant().getEpochSecond()).isEqualTo(iat + 300);
        assertThat(claims.getNotBefore().toInstant().getEpochSecond()).isEqualTo(iat - 30);
        assertThat(claims.get("htm", String.class)).isEqualTo("GET");
        assertThat(claims.get("htu", String.class)).as("the URI the upstream received, without query").matches("http://127\\.0\\.0\\.1:\\d+/orders/7");
        assertThat(claims.getSubject()).as("no principal, no sub").isNull();
        assertThat(claims.get("payload", Map.class)).containsEntry("user", "username");
        assertThat(claims.getId()).isNotBlank();

        Claims post = IndependentJose.verify(postToken, set, Instant.now()).getPayload();
        assertThat(post.get("htm", String.class)).isEqualTo("POST");
        assertThat(post.get("htu", String.class)).endsWith("/orders");
        assertThat(post.getId()).isNotEqualTo(claims.getId());

        assertThatThrownBy(() -> IndependentJose.verify(getToken, set, Instant.now().plusSeconds(301)))
            .isInstanceOf(ExpiredJwtException.class);
        assertThatThrownBy(() -> IndependentJose.verify(getToken, set, Instant.now(), parser -> parser.requireAudience("billing")))
            .isInstanceOf(IncorrectClaimException.class);
    }

    @Test
    void theReadmesJose4jRecipeVerifiesARotatingProxysTokens() throws Exception
    {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        startProxy("JWT_ALG", "ES256", "JWT_KEYS_DIR", keys.toString(), "JWT_ROTATE_EVERY", "7d", "JWT_TTL_SECONDS", "300",
            "JWT_NOT_BEFORE_SKEW_SECONDS", "30", "JWT_ISSUER", "https://proxy.example.com", "JWT_AUDIENCE", "orders", "JWT_BIND_REQUEST", "true");
        String token = token("GET", "/orders/7");

        HttpsJwks jwks = new HttpsJwks("http://127.0.0.1:" + port + "/.well-known/jwks.json");
        JwtConsumer consumer = new JwtConsumerBuilder()
            .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(jwks))
            .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
            .setExpectedIssuer("https://proxy.example.com")
            .setExpectedAudience("orders")
            .setRequireExpirationTime()
            .setAllowedClockSkewInSeconds(30)
            .build();
        JwtClaims claims = consumer.processToClaims(token);

        assertThat(claims.getStringClaimValue("htm")).isEqualTo("GET");
        assertThat(claims.getStringClaimValue("htu")).endsWith("/orders/7");
        JwtConsumer otherAudience = new JwtConsumerBuilder()
            .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(jwks))
            .setExpectedIssuer("https://proxy.example.com")
            .setExpectedAudience("billing")
            .build();
        assertThatThrownBy(() -> otherAudience.processToClaims(token)).isInstanceOf(InvalidJwtException.class);
    }

    @Test
    void aContainerAuthenticatedPrincipalIsTheSubjectAndTheUser() throws Exception
    {
        Server echo = proxies.revealingEcho();
        EmbeddedConfig config = EmbeddedConfig.load(ConfigSource.of(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "ENGINE", "servlet", "JWT_ALG", "ES256",
            "UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(echo))));
        TokenConfig tokens = config.tokens().withGeneratedKey();
        Server proxy = EmbeddedServer.newProxyServer(config.server(), proxies.track(ProxyRuntime.start(config.proxy(), tokens, config.auth(), config.admin())));
        // Stands for the container's authentication (a login module, a security constraint): it sets the remote user.
        proxy.getDescendant(ServletContextHandler.class).addFilter((request, response, chain) ->
            chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest)request)
            {
                @Override
                public String getRemoteUser()
                {
                    return "alice@example.com";
                }
            }, response), "/*", EnumSet.of(DispatcherType.REQUEST));
        port = proxies.start(proxy).port();

        HttpResponse<String> response = send("GET", "/me");
        String token = response.headers().firstValue("x-upstream-token").orElseThrow();
        Claims claims = IndependentJose.verify(token, IndependentJose.parseSet(send("GET", "/.well-known/jwks.json").body()), Instant.now())
            .getPayload();

        assertThat(claims.getSubject()).isEqualTo("alice@example.com");
        assertThat(claims.get("payload", Map.class)).containsEntry("user", "alice@example.com");
    }

    @Test
    void theDiscoveryDocumentNamesTheTokensIssuerAndAWorkingKeySetUrl() throws Exception
    {
        startProxy("JWT_ALG", "ES256", "JWT_ISSUER", "https://proxy.example/");

        String token = token("GET", "/x");
        JsonNode discovery = JSON.readTree(send("GET", "/.well-known/openid-configuration").body());
        HttpResponse<String> jwks = send("GET", URI.create(discovery.get("jwks_uri").asText()).getPath());

        assertThat(discovery.get("issuer").asText()).isEqualTo("https://proxy.example/");
        assertThat(discovery.get("jwks_uri").asText()).isEqualTo("http://127.0.0.1:" + port + "/.well-known/jwks.json");
        Claims claims = IndependentJose.verify(token, IndependentJose.parseSet(jwks.body()), Instant.now()).getPayload();
        assertThat(claims.getIssuer()).as("iss equals the discovery issuer exactly").isEqualTo(discovery.get("issuer").asText());
    }

    @Test
    void theKeySetIsCacheableAndOnlyReadable() throws Exception
    {
        startProxy("JWT_ALG", "EdDSA", "JWKS_MAX_AGE", "90s", "JWKS_PATH", "/keys", "OPENID_CONFIGURATION_PATH", "/discovery");

        HttpResponse<String> first = send("GET", "/keys");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = send("GET", "/keys", "If-None-Match", etag);
        HttpResponse<String> post = send("POST", "/keys");
        HttpResponse<String> discovery = send("GET", "/discovery");
        HttpResponse<String> defaultPath = send("GET", "/.well-known/jwks.json");

        assertThat(first.headers().firstValue("Cache-Control")).hasValue("public, max-age=90");
        assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(discovery.statusCode()).as("no JWT_ISSUER, no discovery").isEqualTo(404);
        assertThat(defaultPath.headers().firstValue("x-echo-request")).as("moved paths free the defaults for the upstream")
            .hasValue("GET /.well-known/jwks.json HTTP/1.1");
        assertThat(first.headers().firstValue("x-echo-request")).as("the key set is not proxied").isEmpty();
    }

    @Test
    void withHs512TheWellKnownPathsBelongToTheUpstream() throws Exception
    {
        startProxy();

        HttpResponse<String> response = send("GET", "/.well-known/jwks.json");

        assertThat(response.headers().firstValue("x-echo-request")).hasValue("GET /.well-known/jwks.json HTTP/1.1");
        assertThat(response.headers().firstValue("x-my-jwt")).as("the secret is never published; the request is forwarded").isPresent();
    }

    @Test
    void statusShowsTheAlgorithmTheKeysAndTheTokensMinted() throws Exception
    {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        startProxy("JWT_ALG", "ES256", "JWT_KEYS_DIR", keys.toString(), "JWT_TTL_SECONDS", "60", "JWT_ROTATE_EVERY", "1h");

        String token = token("GET", "/a");
        token("GET", "/b");
        JsonNode status = JSON.readTree(send("GET", "/status").body());

        assertThat(status.get("signingAlgorithm").asText()).isEqualTo("ES256");
        assertThat(status.get("tokensMinted").asLong()).isEqualTo(2);
        String activeKid = status.get("activeKid").asText();
        assertThat(IndependentJose.verify(token, IndependentJose.parseSet(send("GET", "/.well-known/jwks.json").body()), Instant.now())
            .getHeader().getKeyId()).isEqualTo(activeKid);
        assertThat(status.get("nextKid").asText()).isNotEqualTo(activeKid);
        assertThat(Instant.parse(status.get("nextKidActiveFrom").asText())).isAfter(Instant.now().plus(Duration.ofMinutes(55)));
        JsonNode published = JSON.readTree(send("GET", "/.well-known/jwks.json").body()).get("keys");
        assertThat(published).extracting(key -> key.get("kid").asText()).as("the next key is published ahead")
            .contains(activeKid, status.get("nextKid").asText());
        try (var files = Files.list(keys))
        {
            assertThat(files.map(f -> f.getFileName().toString())).hasSize(2).allMatch(name -> name.matches("key-\\d{8}T\\d{6}Z\\.pem"));
        }
    }
}
