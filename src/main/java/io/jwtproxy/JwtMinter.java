package io.jwtproxy;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Mints the token every forwarded request carries: a JWS compact serialization with protected
 * header {@code {"alg":"HS512","typ":"JWT"}} and claims {@code jti}, {@code iat} and
 * {@code payload {"user", "date"}}, in that order, as the earlier Python version produced them.
 * Thread-safe.
 */
public final class JwtMinter
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HmacKey key;
    private final String user;
    private final Clock clock;
    private final Supplier<String> jtiSource;

    /**
     * @param secret the HMAC key bytes, at least 64
     * @param user the {@code payload.user} claim
     * @param clock gives {@code iat} and the UTC {@code payload.date}
     * @param jtiSource gives each token's unique {@code jti}
     */
    public JwtMinter(byte[] secret, String user, Clock clock, Supplier<String> jtiSource)
    {
        this.key = new HmacKey(secret.clone());
        this.user = user;
        this.clock = clock;
        this.jtiSource = jtiSource;
    }

    /** A minter with the system clock and random UUIDs (from {@link java.security.SecureRandom}) as ids. */
    public static JwtMinter forConfig(ProxyConfig config)
    {
        return new JwtMinter(config.secret(), config.jwtUser(), Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    /**
     * @return a fresh token
     * @throws IllegalStateException if it cannot be signed
     */
    public String mint()
    {
        Instant now = clock.instant();
        return mint(jtiSource.get(), now.getEpochSecond(), LocalDate.ofInstant(now, ZoneOffset.UTC));
    }

    String mint(String jti, long issuedAt, LocalDate date)
    {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("user", user);
        payload.put("date", date.toString());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("jti", jti);
        claims.put("iat", issuedAt);
        claims.put("payload", payload);

        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA512);
        jws.setHeader("typ", "JWT");
        jws.setKey(key);
        try
        {
            jws.setPayload(JSON.writeValueAsString(claims));
            return jws.getCompactSerialization();
        }
        catch (JsonProcessingException | JoseException x)
        {
            throw new IllegalStateException("cannot sign token: " + x.getMessage(), x);
        }
    }
}
