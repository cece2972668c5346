package io.jwtproxy.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Server;

import io.jwtproxy.embedded.EmbeddedServer;

/**
 * An OpenID Connect provider's stand-in, run in the test: discovery and a JWK Set over HTTP, and
 * tokens signed with jjwt, a JOSE library independent of the proxy's jose4j. Its keys are RSA;
 * a key can be added while it runs (a rotation), and it can be stopped (down).
 */
public final class OidcProvider implements AutoCloseable
{
    public static final String AUDIENCE = "jwt-proxy-client";

    /** One signing key, by its {@code kid}. */
    public record SigningKey(String kid, KeyPair pair)
    {
    }

    private final Server server;
    private final List<SigningKey> published = new CopyOnWriteArrayList<>();
    /** How many times the JWK Set was fetched. */
    public final AtomicInteger jwksFetches = new AtomicInteger();

    public OidcProvider() throws Exception
    {
        server = ServletServer.on(new HttpServlet()
        {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException
            {
                String body;
                if (request.getRequestURI().equals("/.well-known/openid-configuration"))
                    body = "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/jwks\"}";
                else if (request.getRequestURI().equals("/jwks"))
                {
                    jwksFetches.incrementAndGet();
                    body = jwks();
                    response.setHeader("Cache-Control", "max-age=300");
                }
                else
                {
                    response.sendError(404);
                    return;
                }
                response.setContentType("application/json");
                response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            }
        });
        publish(newKey("key-1"));
        server.start();
    }

    /** @return the issuer, {@code iss} of its tokens and the base of its discovery document */
    public String issuer()
    {
        return "http://127.0.0.1:" + EmbeddedServer.port(server);
    }

    /** @return the settings of a proxy that accepts this provider's tokens */
    public String[] settings(String... more)
    {
        List<String> all = new ArrayList<>(List.of("AUTH", "bearer", "AUTH_ISSUER", issuer(), "AUTH_AUDIENCE", AUDIENCE));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    public static SigningKey newKey(String kid) throws GeneralSecurityException
    {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return new SigningKey(kid, generator.generateKeyPair());
    }

    /** Adds a key to the published set, as a provider does ahead of a rotation. */
    public SigningKey publish(SigningKey key)
    {
        published.add(key);
        return key;
    }

    public SigningKey key()
    {
        return published.get(0);
    }

    /** @return a valid token for {@code subject}, as {@code rules} change it, signed RS256 with {@code key} */
    public String token(SigningKey key, String subject, UnaryOperator<JwtBuilder> rules)
    {
        return token(key, AUDIENCE, subject, rules);
    }

    /** @return a token for {@code audience}, otherwise valid */
    public String token(SigningKey key, String audience, String subject, UnaryOperator<JwtBuilder> rules)
    {
        Instant now = Instant.now();
        JwtBuilder builder = Jwts.builder().header().keyId(key.kid()).and()
            .issuer(issuer()).audience().add(audience).and().subject(subject)
            .issuedAt(Date.from(now)).expiration(Date.from(now.plus(Duration.ofMinutes(5))));
        return rules.apply(builder).signWith(key.pair().getPrivate(), Jwts.SIG.RS256).compact();
    }

    public String token(String subject)
    {
        return token(key(), subject, UnaryOperator.identity());
    }

    /** @return a token of this provider's claims with {@code "alg":"none"} and no signature */
    public String unsignedToken(String subject)
    {
        return encode("{\"alg\":\"none\"}") + "." + encode(claims(subject)) + ".";
    }

    /** @return a token HS256-signed with the provider's public key as the HMAC secret: the algorithm confusion attack */
    public String publicKeyHmacToken(String subject) throws GeneralSecurityException
    {
        String input = encode("{\"alg\":\"HS256\",\"kid\":\"" + key().kid() + "\"}") + "." + encode(claims(subject));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key().pair().getPublic().getEncoded(), "HmacSHA256"));
        return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private String claims(String subject)
    {
        long now = Instant.now().getEpochSecond();
        return "{\"iss\":\"" + issuer() + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"" + subject + "\",\"iat\":" + now + ",\"exp\":" + (now + 300) + "}";
    }

    private static String encode(String json)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private String jwks()
    {
        StringBuilder set = new StringBuilder("{\"keys\":[");
        for (SigningKey key : published)
        {
            RSAPublicKey rsa = (RSAPublicKey)key.pair().getPublic();
            if (set.charAt(set.length() - 1) == '}')
                set.append(',');
            set.append("{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"").append(key.kid()).append("\",\"n\":\"")
                .append(unsigned(rsa.getModulus())).append("\",\"e\":\"").append(unsigned(rsa.getPublicExponent())).append("\"}");
        }
        return set.append("]}").toString();
    }

    private static String unsigned(BigInteger value)
    {
        byte[] bytes = value.toByteArray();
        int skip = bytes[0] == 0 ? 1 : 0;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOfRange(bytes, skip, bytes.length));
    }

    /** Stops answering: the provider is down. */
    @Override
    public void close() throws Exception
    {
        server.stop();
    }

    /** @return claims a test adds to a token, for {@link #token(SigningKey, String, UnaryOperator)} */
    public static UnaryOperator<JwtBuilder> with(Map<String, ?> claims)
    {
        return builder -> builder.claims(claims);
    }
}
