package io.jwtproxy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import javax.crypto.Mac;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;
import org.jose4j.mac.MacUtil;

/**
 * Mints the token every forwarded request carries: a JWS compact serialization with protected
 * header {@code {"alg":"HS512","typ":"JWT"}} and claims {@code jti}, {@code iat} and
 * {@code payload {"user", "date"}}, in that order, as the earlier Python version produced them.
 * Thread-safe.
 *
 * <p>jose4j builds the first token and checks the key; every later one reuses what does not change
 * between tokens (the encoded header, an initialized HMAC, the user's JSON, today's date) and is
 * built the way jose4j builds it, which the constructor proves by comparing the two byte for byte.
 */
public final class JwtMinter
{
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final long SECONDS_PER_DAY = 86_400;

    private final String user;
    private final Clock clock;
    private final Supplier<String> jtiSource;
    /** The encoded protected header and its dot: every token starts with it. */
    private final String headerAndDot;
    /** Initialized with the key; each token signs with a clone, cheaper than a JCA look-up. */
    private final Mac hmac;
    /** The user as a JSON string, quotes included. */
    private final String userJson;
    private volatile Day today = new Day(Long.MIN_VALUE, "");

    private record Day(long epochDay, String iso) {}

    /**
     * @param secret the HMAC key bytes, at least 64
     * @param user the {@code payload.user} claim
     * @param clock gives {@code iat} and the UTC {@code payload.date}
     * @param jtiSource gives each token's unique {@code jti}
     * @throws IllegalArgumentException if jose4j refuses the key
     */
    public JwtMinter(byte[] secret, String user, Clock clock, Supplier<String> jtiSource)
    {
        HmacKey key = new HmacKey(secret.clone());
        this.user = user;
        this.clock = clock;
        this.jtiSource = jtiSource;
        this.userJson = '"' + String.valueOf(JsonStringEncoder.getInstance().quoteAsString(user)) + '"';
        try
        {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA512);
            jws.setHeader("typ", "JWT");
            jws.setKey(key);
            this.headerAndDot = jws.getHeaders().getEncodedHeader() + '.';
            this.hmac = MacUtil.getInitializedMac(jws.getAlgorithm().getJavaAlgorithm(), key);
            this.hmac.clone();

            String jti = "00000000-0000-4000-8000-000000000000";
            String reference = referenceToken(jws, jti, 0, "1970-01-01");
            String ours = mint(jti, 0, "1970-01-01");
            if (!ours.equals(reference))
                throw new IllegalStateException("token built without jose4j differs from jose4j's: " + ours + " vs " + reference);
        }
        catch (JoseException | CloneNotSupportedException x)
        {
            throw new IllegalArgumentException("cannot sign HS512 tokens with this key: " + x.getMessage(), x);
        }
    }

    /** A minter with the system clock and random UUIDs (from {@link java.security.SecureRandom}) as ids. */
    public static JwtMinter forConfig(ProxyConfig config)
    {
        return forSecret(config.secret(), config.jwtUser());
    }

    /** A production minter for this key and user. */
    public static JwtMinter forSecret(byte[] secret, String user)
    {
        return new JwtMinter(secret, user, Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    /**
     * @return a fresh token
     * @throws IllegalStateException if it cannot be signed
     */
    public String mint()
    {
        Instant now = clock.instant();
        long seconds = now.getEpochSecond();
        return mint(jtiSource.get(), seconds, day(Math.floorDiv(seconds, SECONDS_PER_DAY)));
    }

    String mint(String jti, long issuedAt, LocalDate date)
    {
        return mint(jti, issuedAt, date.toString());
    }

    private String mint(String jti, long issuedAt, String date)
    {
        // The claims exactly as Jackson writes the ordered map in referenceToken().
        StringBuilder claims = new StringBuilder(96 + jti.length() + userJson.length())
            .append("{\"jti\":\"");
        JsonStringEncoder.getInstance().quoteAsString(jti, claims);
        claims.append("\",\"iat\":").append(issuedAt)
            .append(",\"payload\":{\"user\":").append(userJson)
            .append(",\"date\":\"").append(date).append("\"}}");
        String signingInput = headerAndDot + BASE64URL.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        byte[] signature = newMac().doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + '.' + BASE64URL.encodeToString(signature);
    }

    private Mac newMac()
    {
        try
        {
            return (Mac)hmac.clone();
        }
        catch (CloneNotSupportedException x)
        {
            throw new IllegalStateException("cannot sign token: " + x.getMessage(), x);
        }
    }

    private String day(long epochDay)
    {
        Day day = today;
        if (day.epochDay() != epochDay)
        {
            day = new Day(epochDay, LocalDate.ofEpochDay(epochDay).toString());
            today = day;
        }
        return day.iso();
    }

    /** The same token built by jose4j and Jackson alone, the way every token was built before. */
    private String referenceToken(JsonWebSignature jws, String jti, long issuedAt, String date) throws JoseException
    {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("user", user);
        payload.put("date", date);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("jti", jti);
        claims.put("iat", issuedAt);
        claims.put("payload", payload);
        try
        {
            jws.setPayload(new ObjectMapper().writeValueAsString(claims));
        }
        catch (JsonProcessingException x)
        {
            throw new IllegalStateException(x);
        }
        return jws.getCompactSerialization();
    }
}
