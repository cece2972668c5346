package io.jwtproxy.token;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

import javax.crypto.Mac;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;
import org.jose4j.mac.MacUtil;

/**
 * Mints the token every forwarded request carries: a JWS compact serialization with claims
 * {@code jti}, {@code iat}, the optional standard and request-binding claims, and
 * {@code payload {"user", "date"}}. With the defaults it is the earlier Python version's token
 * byte for byte: header {@code {"alg":"HS512","typ":"JWT"}}, claims {@code jti}, {@code iat},
 * {@code payload} in that order. Thread-safe.
 *
 * <p>HS512 tokens reuse what does not change between tokens (the encoded header, an initialized
 * HMAC); the constructor proves the result equal to jose4j's byte for byte. ES256, RS256 and EdDSA
 * tokens are signed by jose4j with the key ring's active key, whose {@code kid} they carry.
 */
public final class JwtMinter
{
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final long SECONDS_PER_DAY = 86_400;

    private final Claims rules;
    private final Signer signer;
    private final Clock clock;
    private final Supplier<String> jtiSource;
    /** The default user as a JSON string, quotes included. */
    private final String userJson;
    private final String issuerJson;
    private final String audienceJson;
    private volatile Day today = new Day(Long.MIN_VALUE, "");

    /**
     * What the claims say besides {@code jti}, {@code iat} and {@code payload.date}.
     *
     * @param user {@code payload.user} when the request has no authenticated principal
     * @param issuer {@code iss}, or null
     * @param audience {@code aud}, or null
     * @param ttl {@code exp} - {@code iat}, or null for no {@code exp}
     * @param notBeforeSkew {@code iat} - {@code nbf}, or null for no {@code nbf}
     * @param bindRequest whether {@code htm} and {@code htu} are added
     */
    public record Claims(String user, String issuer, String audience, Duration ttl, Duration notBeforeSkew, boolean bindRequest)
    {
        /** @return the seed's claims: {@code jti}, {@code iat}, {@code payload} only */
        public static Claims seed(String user)
        {
            return new Claims(user, null, null, null, null, false);
        }
    }

    /** Turns the claims into a compact serialization. */
    private interface Signer
    {
        String sign(String claims) throws JoseException;
    }

    private record Day(long epochDay, String iso) {}

    /**
     * An HS512 minter of the seed's token.
     *
     * @param secret the HMAC key bytes, at least 64
     * @param user the {@code payload.user} claim
     * @param clock gives {@code iat} and the UTC {@code payload.date}
     * @param jtiSource gives each token's unique {@code jti}
     * @throws IllegalArgumentException if jose4j refuses the key
     */
    public JwtMinter(byte[] secret, String user, Clock clock, Supplier<String> jtiSource)
    {
        this(Claims.seed(user), new HmacSigner(secret), clock, jtiSource);
    }

    /** An HS512 minter with these claims. */
    public JwtMinter(Claims claims, byte[] secret, Clock clock, Supplier<String> jtiSource)
    {
        this(claims, new HmacSigner(secret), clock, jtiSource);
    }

    /** A minter that signs with the active key of the ring. */
    public JwtMinter(Claims claims, KeyRing keys, Clock clock, Supplier<String> jtiSource)
    {
        this(claims, json -> keys.active().sign(json.getBytes(StandardCharsets.UTF_8)), clock, jtiSource);
    }

    private JwtMinter(Claims rules, Signer signer, Clock clock, Supplier<String> jtiSource)
    {
        this.rules = rules;
        this.signer = signer;
        this.clock = clock;
        this.jtiSource = jtiSource;
        this.userJson = json(rules.user());
        this.issuerJson = rules.issuer() == null ? null : json(rules.issuer());
        this.audienceJson = rules.audience() == null ? null : json(rules.audience());
    }

    /**
     * The production minter: system clock, random UUIDs (from a {@link java.security.SecureRandom} per thread),
     * signing with the secret (HS512) or, when a key ring is given, with its active key.
     *
     * @param secret the HMAC key bytes, or null when {@code keys} signs
     * @param keys the key ring of an asymmetric algorithm, or null for HS512
     */
    public static JwtMinter production(Claims claims, byte[] secret, KeyRing keys)
    {
        Supplier<String> ids = new TokenIds();
        return keys != null ? new JwtMinter(claims, keys, Clock.systemUTC(), ids) : new JwtMinter(claims, secret, Clock.systemUTC(), ids);
    }

    /** A production HS512 minter of the seed's token for this key and user. */
    public static JwtMinter forSecret(byte[] secret, String user)
    {
        return new JwtMinter(secret, user, Clock.systemUTC(), new TokenIds());
    }

    /**
     * @return a fresh token for a request without principal or binding
     * @throws IllegalStateException if it cannot be signed
     */
    public String mint()
    {
        return mint(null, null, null);
    }

    /**
     * @param principal the user the container authenticated ({@code sub} and {@code payload.user}), or null
     * @param method the request's method ({@code htm}, when binding)
     * @param targetUri the URI the upstream receives, without query ({@code htu}, when binding)
     * @return a fresh token
     * @throws IllegalStateException if it cannot be signed
     */
    public String mint(String principal, String method, String targetUri)
    {
        return mint(principal, null, null, List.of(), method, targetUri);
    }

    /**
     * @param principal the authenticated caller ({@code sub} and {@code payload.user}), or null
     * @param email the caller's {@code email} claim, or null
     * @param name the caller's {@code name} claim, or null
     * @param groups the caller's {@code groups} claim (a JSON array), or empty for none
     * @param method the request's method ({@code htm}, when binding)
     * @param targetUri the URI the upstream receives, without query ({@code htu}, when binding)
     * @return a fresh token
     * @throws IllegalStateException if it cannot be signed
     */
    public String mint(String principal, String email, String name, List<String> groups, String method, String targetUri)
    {
        return minted(principal, email, name, groups, method, targetUri).token();
    }

    /** A token and its {@code jti}, which the access log may name (the token itself never). */
    public record Minted(String token, String jti)
    {
    }

    /** As {@link #mint(String, String, String, List, String, String)}, with the token's {@code jti}. */
    public Minted minted(String principal, String email, String name, List<String> groups, String method, String targetUri)
    {
        long seconds = clock.instant().getEpochSecond();
        String jti = jtiSource.get();
        return new Minted(mint(jti, seconds, day(Math.floorDiv(seconds, SECONDS_PER_DAY)), principal, email, name, groups, method, targetUri), jti);
    }

    String mint(String jti, long issuedAt, LocalDate date)
    {
        return mint(jti, issuedAt, date.toString(), null, null, null, List.of(), null, null);
    }

    private String mint(String jti, long issuedAt, String date, String principal, String email, String name, List<String> groups, String method,
                        String targetUri)
    {
        // Without the optional claims, exactly what the seed's Python (and Jackson, for an ordered map) wrote.
        StringBuilder claims = new StringBuilder(160).append("{\"jti\":");
        quote(claims, jti);
        claims.append(",\"iat\":").append(issuedAt);
        if (rules.notBeforeSkew() != null)
            claims.append(",\"nbf\":").append(issuedAt - rules.notBeforeSkew().toSeconds());
        if (rules.ttl() != null)
            claims.append(",\"exp\":").append(issuedAt + rules.ttl().toSeconds());
        if (issuerJson != null)
            claims.append(",\"iss\":").append(issuerJson);
        if (audienceJson != null)
            claims.append(",\"aud\":").append(audienceJson);
        if (principal != null)
            quote(claims.append(",\"sub\":"), principal);
        if (email != null)
            quote(claims.append(",\"email\":"), email);
        if (name != null)
            quote(claims.append(",\"name\":"), name);
        if (!groups.isEmpty())
        {
            claims.append(",\"groups\":[");
            for (int i = 0; i < groups.size(); i++)
                quote(i == 0 ? claims : claims.append(','), groups.get(i));
            claims.append(']');
        }
        if (rules.bindRequest() && method != null)
        {
            quote(claims.append(",\"htm\":"), method);
            quote(claims.append(",\"htu\":"), targetUri);
        }
        claims.append(",\"payload\":{\"user\":");
        if (principal != null)
            quote(claims, principal);
        else
            claims.append(userJson);
        claims.append(",\"date\":\"").append(date).append("\"}}");
        try
        {
            return signer.sign(claims.toString());
        }
        catch (JoseException | RuntimeException x)
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

    private static String json(String value)
    {
        return quote(new StringBuilder(), value).toString();
    }

    private static StringBuilder quote(StringBuilder out, String value)
    {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        return out.append('"');
    }

    /** HS512 without per-token JCA look-ups: the encoded header and an initialized HMAC, cloned per token. */
    private static final class HmacSigner implements Signer
    {
        private final String headerAndDot;
        private final Mac hmac;

        private HmacSigner(byte[] secret)
        {
            HmacKey key = new HmacKey(secret.clone());
            try
            {
                JsonWebSignature jws = new JsonWebSignature();
                jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA512);
                jws.setHeader("typ", "JWT");
                jws.setKey(key);
                headerAndDot = jws.getHeaders().getEncodedHeader() + '.';
                hmac = MacUtil.getInitializedMac(jws.getAlgorithm().getJavaAlgorithm(), key);

                String sample = "{\"jti\":\"00000000-0000-4000-8000-000000000000\",\"iat\":0}";
                jws.setPayload(sample);
                String reference = jws.getCompactSerialization();
                String ours = sign(sample);
                if (!ours.equals(reference))
                    throw new IllegalStateException("HS512 token built without jose4j differs from jose4j's: " + ours + " vs " + reference);
            }
            catch (JoseException x)
            {
                throw new IllegalArgumentException("cannot sign HS512 tokens with this key: " + x.getMessage(), x);
            }
        }

        @Override
        public String sign(String claims)
        {
            String signingInput = headerAndDot + BASE64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            Mac mac;
            try
            {
                mac = (Mac)hmac.clone();
            }
            catch (CloneNotSupportedException x)
            {
                throw new IllegalStateException("this JVM's HmacSHA512 cannot be cloned", x);
            }
            return signingInput + '.' + BASE64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
