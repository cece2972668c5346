package io.jwtproxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import io.jwtproxy.http.RequestPath;
import io.jwtproxy.token.JwtAlgorithm;
import io.jwtproxy.token.JwtMinter;
import io.jwtproxy.pem.PemKeys;
import io.jwtproxy.token.SigningKey;

/**
 * How tokens are signed and what they claim, read by every deployment: the algorithm and its
 * key material (an HMAC secret, one key, or a directory of keys on a schedule), where the public
 * keys are published, and the claims beyond the seed's {@code jti}, {@code iat} and {@code payload}.
 *
 * @param algorithm the signing algorithm
 * @param secret the HMAC key bytes (HS512; never logged), or null
 * @param fixedKey the one key of JWT_KEY_FILE, already checked against the algorithm, or null
 * @param keysDirectory the JWT_KEYS_DIR directory, or null
 * @param keySource where the key material comes from ("from JWT_SECRET_FILE /etc/x", "generated for this
 *                  process"), for the start-up line; never the material itself
 * @param rotateEvery how long each key of the directory signs, or null
 * @param jwksMaxAge how long verifiers may cache the JWK Set
 * @param jwksPath where the JWK Set is served
 * @param openIdConfigurationPath where the discovery document is served
 * @param user {@code payload.user} when the container authenticated nobody
 * @param issuer the {@code iss} claim, or null
 * @param audience the {@code aud} claim, or null
 * @param ttl the distance of {@code exp} from {@code iat}, or null
 * @param notBeforeSkew how far {@code nbf} lies before {@code iat}, or null for no {@code nbf}
 * @param bindRequest whether {@code htm} and {@code htu} are added
 */
public record TokenConfig(JwtAlgorithm algorithm, byte[] secret, SigningKey fixedKey, Path keysDirectory, String keySource,
                          Duration rotateEvery, Duration jwksMaxAge, String jwksPath, String openIdConfigurationPath, String user,
                          String issuer, String audience, Duration ttl, Duration notBeforeSkew, boolean bindRequest)
{
    /** RFC 7518 §3.2: an HS512 key must be at least as long as the hash output. */
    public static final int MIN_SECRET_BYTES = 64;
    /** Ten years: a longer token lifetime is a mistake, not a choice. */

    /**
     * Reads and checks the token settings, adding what is wrong to {@code problems}.
     *
     * @param keyRequired whether missing key material is a problem; if not, {@link #hasKey()} tells
     */
    public static TokenConfig load(ConfigSource source, boolean keyRequired, Problems problems)
    {
        JwtAlgorithm algorithm = JwtAlgorithm.HS512;
        try
        {
            algorithm = JwtAlgorithm.parse(Values.string(source, Setting.JWT_ALG));
        }
        catch (IllegalArgumentException x)
        {
            problems.add(Setting.JWT_ALG, x.getMessage());
        }
        Duration jwksMaxAge = Values.duration(source, Setting.JWKS_MAX_AGE, problems);
        String rotate = Values.optional(source, Setting.JWT_ROTATE_EVERY);
        Duration rotateEvery = rotate == null ? null : Values.duration(source, Setting.JWT_ROTATE_EVERY, problems);
        Integer ttlSeconds = seconds(source, Setting.JWT_TTL_SECONDS, problems);
        Integer skewSeconds = seconds(source, Setting.JWT_NOT_BEFORE_SKEW_SECONDS, problems);
        boolean bindRequest = Values.bool(source, Setting.JWT_BIND_REQUEST, problems);
        String jwksPath = path(source, Setting.JWKS_PATH, problems);
        String openIdPath = path(source, Setting.OPENID_CONFIGURATION_PATH, problems);
        if (jwksPath != null && jwksPath.equals(openIdPath))
            problems.add(Setting.OPENID_CONFIGURATION_PATH, "is the same path as " + Setting.JWKS_PATH);

        Key key = algorithm.asymmetric() ? asymmetricKey(source, algorithm, ttlSeconds, rotateEvery, jwksMaxAge, problems)
            : secret(source, problems);
        if (key.missing() && keyRequired)
        {
            if (algorithm.asymmetric())
                problems.add(Setting.JWT_KEY_FILE, algorithm + " needs a private key: set it or " + Setting.JWT_KEYS_DIR);
            else
                problems.add(Setting.JWT_SECRET, "is required (at least " + MIN_SECRET_BYTES + " bytes), or " + Setting.JWT_SECRET_FILE);
        }
        return new TokenConfig(algorithm, key.secret(), key.fixedKey(), key.directory(), key.source(), rotateEvery, jwksMaxAge,
            jwksPath, openIdPath, Values.string(source, Setting.JWT_USER), Values.optional(source, Setting.JWT_ISSUER),
            Values.optional(source, Setting.JWT_AUDIENCE), ttlSeconds == null ? null : Duration.ofSeconds(ttlSeconds),
            skewSeconds == null ? null : Duration.ofSeconds(skewSeconds), bindRequest);
    }

    /** The key material one source gave; all null when it gave none, or when what it gave was wrong (a problem then says why). */
    private record Key(byte[] secret, SigningKey fixedKey, Path directory, String source, boolean missing)
    {
        static final Key NONE = new Key(null, null, null, null, true);
        static final Key INVALID = new Key(null, null, null, null, false);
    }

    private static Key secret(ConfigSource source, Problems problems)
    {
        String value = Values.string(source, Setting.JWT_SECRET);
        String file = Values.optional(source, Setting.JWT_SECRET_FILE);
        for (Setting keySetting : List.of(Setting.JWT_KEY_FILE, Setting.JWT_KEYS_DIR, Setting.JWT_ROTATE_EVERY))
        {
            if (Values.optional(source, keySetting) != null)
                problems.add(keySetting, "is for ES256, RS256 and EdDSA; HS512 signs with JWT_SECRET (set JWT_ALG)");
        }
        if (value != null && file != null)
        {
            problems.add(Setting.JWT_SECRET, "set either it or " + Setting.JWT_SECRET_FILE + ", not both");
            return Key.INVALID;
        }
        if (file != null)
        {
            try
            {
                value = stripLineBreak(Files.readString(Path.of(file), StandardCharsets.UTF_8));
            }
            catch (IOException | InvalidPathException x)
            {
                problems.add(Setting.JWT_SECRET_FILE, "cannot read \"" + file + "\" (" + x.getClass().getSimpleName() + ")");
                return Key.INVALID;
            }
        }
        if (value == null)
            return Key.NONE;
        byte[] secret = value.getBytes(StandardCharsets.UTF_8);
        if (secret.length < MIN_SECRET_BYTES)
        {
            String what = "is " + secret.length + " bytes; HS512 needs at least " + MIN_SECRET_BYTES + " (RFC 7518 §3.2)";
            if (file != null)
                problems.add(Setting.JWT_SECRET_FILE, "the secret " + what);
            else
                problems.add(Setting.JWT_SECRET, what);
            return Key.INVALID;
        }
        return new Key(secret, null, null, "from " + (file != null ? Setting.JWT_SECRET_FILE + " " + file : Setting.JWT_SECRET.name()), false);
    }

    private static Key asymmetricKey(ConfigSource source, JwtAlgorithm algorithm, Integer ttlSeconds, Duration rotateEvery,
                                     Duration jwksMaxAge, Problems problems)
    {
        for (Setting secretSetting : List.of(Setting.JWT_SECRET, Setting.JWT_SECRET_FILE))
        {
            if (Values.optional(source, secretSetting) != null)
                problems.add(secretSetting, "is for HS512; " + algorithm + " signs with JWT_KEY_FILE or JWT_KEYS_DIR");
        }
        String keyFile = Values.optional(source, Setting.JWT_KEY_FILE);
        String keysDir = Values.optional(source, Setting.JWT_KEYS_DIR);
        String rotate = Values.optional(source, Setting.JWT_ROTATE_EVERY);
        if (keyFile != null && keysDir != null)
        {
            problems.add(Setting.JWT_KEY_FILE, "set either it or " + Setting.JWT_KEYS_DIR + ", not both");
            return Key.INVALID;
        }
        if (keyFile != null)
        {
            if (rotate != null)
                problems.add(Setting.JWT_ROTATE_EVERY, "rotates the keys of " + Setting.JWT_KEYS_DIR + "; a " + Setting.JWT_KEY_FILE + " key never rotates");
            SigningKey key = fixedKey(algorithm, keyFile, problems);
            return key == null ? Key.INVALID : new Key(null, key, null, "from " + Setting.JWT_KEY_FILE + " " + keyFile, false);
        }
        if (keysDir == null)
        {
            if (rotate != null)
                problems.add(Setting.JWT_ROTATE_EVERY, "needs " + Setting.JWT_KEYS_DIR);
            return Key.NONE;
        }
        if (ttlSeconds == null)
            problems.add(Setting.JWT_KEYS_DIR, "needs " + Setting.JWT_TTL_SECONDS + ", so that a retired key can leave the JWK Set once its tokens have expired");
        if (rotateEvery != null && jwksMaxAge != null && rotateEvery.compareTo(jwksMaxAge) <= 0)
            problems.add(Setting.JWT_ROTATE_EVERY, rotate + " is not longer than " + Setting.JWKS_MAX_AGE + " (" + jwksMaxAge
                + "); a key must be published for a whole cache lifetime before it signs");
        Path directory = directory(keysDir, rotate, problems);
        if (directory == null)
            return Key.INVALID;
        String from = "from " + Setting.JWT_KEYS_DIR + " " + directory + (Files.isWritable(directory) ? "" : " (read-only: keys managed outside the proxy)");
        return new Key(null, null, directory, from, false);
    }

    /** @return whether there is key material to sign with; without it the embedded jar generates some (its demo) */
    public boolean hasKey()
    {
        return secret != null || fixedKey != null || keysDirectory != null;
    }

    /** @return a copy with a random secret or key of this algorithm, which no upstream knows: the embedded jar's demo */
    public TokenConfig withGeneratedKey()
    {
        byte[] generatedSecret = null;
        SigningKey generatedKey = null;
        if (algorithm.asymmetric())
        {
            generatedKey = SigningKey.of(algorithm, algorithm.generate().getPrivate(), Instant.EPOCH);
        }
        else
        {
            byte[] random = new byte[MIN_SECRET_BYTES];
            new SecureRandom().nextBytes(random);
            // Hex keeps the "UTF-8 bytes of the secret are the key" rule true for a generated secret too.
            generatedSecret = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
        }
        return new TokenConfig(algorithm, generatedSecret, generatedKey, null, "generated for this process", null, jwksMaxAge,
            jwksPath, openIdConfigurationPath, user, issuer, audience, ttl, notBeforeSkew, bindRequest);
    }

    /** @return what the tokens claim besides {@code jti}, {@code iat} and {@code payload.date} */
    public JwtMinter.Claims claims()
    {
        return new JwtMinter.Claims(user, issuer, audience, ttl, notBeforeSkew, bindRequest);
    }

    /** @return how long a retired key stays published: its tokens' lifetime plus the clock skew verifiers allow */
    public Duration keepAfterRetired()
    {
        return (ttl == null ? Duration.ZERO : ttl).plus(notBeforeSkew == null ? Duration.ZERO : notBeforeSkew);
    }

    private static SigningKey fixedKey(JwtAlgorithm algorithm, String file, Problems problems)
    {
        try
        {
            return SigningKey.of(algorithm, PemKeys.read(Path.of(file)), Instant.EPOCH);
        }
        catch (IOException | InvalidPathException x)
        {
            problems.add(Setting.JWT_KEY_FILE, "cannot read \"" + file + "\" (" + x.getClass().getSimpleName() + ")");
        }
        catch (IllegalArgumentException x)
        {
            problems.add(Setting.JWT_KEY_FILE, "\"" + file + "\": " + x.getMessage());
        }
        return null;
    }

    private static Path directory(String value, String rotate, Problems problems)
    {
        try
        {
            Path directory = Path.of(value);
            if (!Files.isDirectory(directory))
                problems.add(Setting.JWT_KEYS_DIR, "\"" + value + "\" is not a directory");
            else if (!Files.isWritable(directory) && rotate != null)
                problems.add(Setting.JWT_ROTATE_EVERY, "is set, but " + Setting.JWT_KEYS_DIR + " \"" + value + "\" is read-only: its keys are "
                    + "managed outside the proxy, which writes none; unset it, or make the directory writable");
            else
                return directory;
        }
        catch (InvalidPathException x)
        {
            problems.add(Setting.JWT_KEYS_DIR, "\"" + value + "\" is not a path");
        }
        return null;
    }

    private static String path(ConfigSource source, Setting setting, Problems problems)
    {
        String value = Values.string(source, setting).trim();
        // Requests are matched in normal form: a path with "." segments or "//" would never be served.
        if (!value.startsWith("/") || value.contains("?") || value.contains("#") || value.contains(" ") || value.equals("/status")
            || !RequestPath.isNormal(value))
        {
            problems.add(setting, "\"" + value + "\" is not a path of its own (it starts with / and has no query)");
            return null;
        }
        return value;
    }

    private static Integer seconds(ConfigSource source, Setting setting, Problems problems)
    {
        if (Values.optional(source, setting) == null)
            return null;
        int value = Values.integer(source, setting, problems);
        return value < 0 ? null : value;
    }

    // Files written by editors and `echo` end with a line break that is not part of the secret.
    private static String stripLineBreak(String content)
    {
        if (content.endsWith("\r\n"))
            return content.substring(0, content.length() - 2);
        if (content.endsWith("\n"))
            return content.substring(0, content.length() - 1);
        return content;
    }

    @Override
    public String toString()
    {
        String key = fixedKey != null ? "key " + fixedKey.kid() : keysDirectory != null ? "keys in " + keysDirectory
            : secret != null ? "secret <" + secret.length + " bytes>" : "no key";
        return algorithm + " " + key + (keySource == null ? "" : " (" + keySource + ")") + ", user " + user
            + (issuer == null ? "" : ", iss " + issuer) + (audience == null ? "" : ", aud " + audience)
            + (ttl == null ? "" : ", exp iat+" + ttl.toSeconds() + "s") + (notBeforeSkew == null ? "" : ", nbf iat-" + notBeforeSkew.toSeconds() + "s")
            + (bindRequest ? ", htm/htu" : "") + (rotateEvery == null ? "" : ", rotating every " + rotateEvery);
    }
}
