package io.jwtproxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How tokens are signed and what they claim beyond the seed's {@code jti}, {@code iat} and
 * {@code payload}: part of {@link ProxyConfig}, validated with it.
 *
 * @param algorithm the signing algorithm
 * @param fixedKey the key of JWT_KEY_FILE, already checked against the algorithm; or null
 * @param keysDirectory the JWT_KEYS_DIR directory, or null
 * @param demoKey true when an asymmetric algorithm has no key configured and the embedded jar generates one
 * @param rotateEvery how long each key of the directory signs, or null
 * @param jwksMaxAge how long verifiers may cache the JWK Set
 * @param jwksPath where the JWK Set is served
 * @param openIdConfigurationPath where the discovery document is served
 * @param issuer the {@code iss} claim, or null
 * @param audience the {@code aud} claim, or null
 * @param ttl the distance of {@code exp} from {@code iat}, or null
 * @param notBeforeSkew how far {@code nbf} lies before {@code iat}, or null for no {@code nbf}
 * @param bindRequest whether {@code htm} and {@code htu} are added
 */
public record TokenConfig(JwtAlgorithm algorithm, SigningKey fixedKey, Path keysDirectory, boolean demoKey, Duration rotateEvery,
                          Duration jwksMaxAge, String jwksPath, String openIdConfigurationPath, String issuer, String audience,
                          Duration ttl, Duration notBeforeSkew, boolean bindRequest)
{
    /** Ten years: a longer token lifetime is a mistake, not a choice. */
    private static final int MAX_TTL_SECONDS = 315_360_000;

    static TokenConfig load(ConfigSource source, ProxyConfig.Mode mode, List<String> problems)
    {
        JwtAlgorithm algorithm = JwtAlgorithm.HS512;
        try
        {
            algorithm = JwtAlgorithm.parse(ProxyConfig.value(source, Setting.JWT_ALG));
        }
        catch (IllegalArgumentException x)
        {
            problems.add(Setting.JWT_ALG + ": " + x.getMessage());
        }

        String keyFile = blankToNull(ProxyConfig.value(source, Setting.JWT_KEY_FILE));
        String keysDir = blankToNull(ProxyConfig.value(source, Setting.JWT_KEYS_DIR));
        String rotate = blankToNull(ProxyConfig.value(source, Setting.JWT_ROTATE_EVERY));
        Duration jwksMaxAge = ProxyConfig.duration(source, Setting.JWKS_MAX_AGE, problems);
        Duration rotateEvery = rotate == null ? null : ProxyConfig.duration(source, Setting.JWT_ROTATE_EVERY, problems);
        Integer ttlSeconds = optionalInteger(source, Setting.JWT_TTL_SECONDS, 1, MAX_TTL_SECONDS, problems);
        Integer skewSeconds = optionalInteger(source, Setting.JWT_NOT_BEFORE_SKEW_SECONDS, 0, 3600, problems);
        boolean bindRequest = ProxyConfig.bool(source, Setting.JWT_BIND_REQUEST, problems);
        String issuer = blankToNull(ProxyConfig.value(source, Setting.JWT_ISSUER));
        String audience = blankToNull(ProxyConfig.value(source, Setting.JWT_AUDIENCE));
        String jwksPath = path(source, Setting.JWKS_PATH, problems);
        String openIdPath = path(source, Setting.OPENID_CONFIGURATION_PATH, problems);
        if (jwksPath != null && jwksPath.equals(openIdPath))
            problems.add(Setting.OPENID_CONFIGURATION_PATH + ": is the same path as " + Setting.JWKS_PATH);

        SigningKey fixedKey = null;
        Path keysDirectory = null;
        boolean demoKey = false;
        if (!algorithm.asymmetric())
        {
            for (Setting keySetting : List.of(Setting.JWT_KEY_FILE, Setting.JWT_KEYS_DIR, Setting.JWT_ROTATE_EVERY))
            {
                if (blankToNull(ProxyConfig.value(source, keySetting)) != null)
                    problems.add(keySetting + ": is for ES256, RS256 and EdDSA; HS512 signs with JWT_SECRET (set JWT_ALG)");
            }
        }
        else if (keyFile != null && keysDir != null)
        {
            problems.add(Setting.JWT_KEY_FILE + ": set either it or " + Setting.JWT_KEYS_DIR + ", not both");
        }
        else if (keyFile != null)
        {
            fixedKey = fixedKey(algorithm, keyFile, problems);
            if (rotate != null)
                problems.add(Setting.JWT_ROTATE_EVERY + ": rotates the keys of " + Setting.JWT_KEYS_DIR + "; a " + Setting.JWT_KEY_FILE + " key never rotates");
        }
        else if (keysDir != null)
        {
            keysDirectory = directory(keysDir, problems);
            if (ttlSeconds == null)
                problems.add(Setting.JWT_KEYS_DIR + ": needs " + Setting.JWT_TTL_SECONDS + ", so that a retired key can leave the JWK Set once its tokens have expired");
            if (rotateEvery != null && jwksMaxAge != null && rotateEvery.compareTo(jwksMaxAge) <= 0)
                problems.add(Setting.JWT_ROTATE_EVERY + ": " + rotate + " is not longer than " + Setting.JWKS_MAX_AGE + " (" + jwksMaxAge
                    + "); a key must be published for a whole cache lifetime before it signs");
        }
        else if (mode == ProxyConfig.Mode.WEBAPP)
        {
            problems.add(Setting.JWT_KEY_FILE + ": " + algorithm + " needs a private key: set it or " + Setting.JWT_KEYS_DIR);
        }
        else
        {
            demoKey = true;
            if (rotate != null)
                problems.add(Setting.JWT_ROTATE_EVERY + ": needs " + Setting.JWT_KEYS_DIR);
        }

        return new TokenConfig(algorithm, fixedKey, keysDirectory, demoKey, rotateEvery, jwksMaxAge, jwksPath, openIdPath, issuer,
            audience, ttlSeconds == null ? null : Duration.ofSeconds(ttlSeconds), skewSeconds == null ? null : Duration.ofSeconds(skewSeconds),
            bindRequest);
    }

    /** @return how long a retired key stays published: its tokens' lifetime plus the clock skew verifiers allow */
    public Duration keepAfterRetired()
    {
        return (ttl == null ? Duration.ZERO : ttl).plus(notBeforeSkew == null ? Duration.ZERO : notBeforeSkew);
    }

    private static SigningKey fixedKey(JwtAlgorithm algorithm, String file, List<String> problems)
    {
        try
        {
            return SigningKey.of(algorithm, PemKeys.read(Path.of(file)), Instant.EPOCH);
        }
        catch (IOException | InvalidPathException x)
        {
            problems.add(Setting.JWT_KEY_FILE + ": cannot read \"" + file + "\" (" + x.getClass().getSimpleName() + ")");
        }
        catch (IllegalArgumentException x)
        {
            problems.add(Setting.JWT_KEY_FILE + ": \"" + file + "\": " + x.getMessage());
        }
        return null;
    }

    private static Path directory(String value, List<String> problems)
    {
        try
        {
            Path directory = Path.of(value);
            if (!Files.isDirectory(directory))
                problems.add(Setting.JWT_KEYS_DIR + ": \"" + value + "\" is not a directory");
            else if (!Files.isWritable(directory))
                problems.add(Setting.JWT_KEYS_DIR + ": \"" + value + "\" is not writable; the proxy writes the keys it generates there");
            else
                return directory;
        }
        catch (InvalidPathException x)
        {
            problems.add(Setting.JWT_KEYS_DIR + ": \"" + value + "\" is not a path");
        }
        return null;
    }

    private static String path(ConfigSource source, Setting setting, List<String> problems)
    {
        String value = ProxyConfig.value(source, setting).trim();
        if (!value.startsWith("/") || value.contains("?") || value.contains("#") || value.contains(" ") || value.equals("/status"))
        {
            problems.add(setting + ": \"" + value + "\" is not a path of its own (it starts with / and has no query)");
            return null;
        }
        return value;
    }

    private static Integer optionalInteger(ConfigSource source, Setting setting, int min, int max, List<String> problems)
    {
        if (blankToNull(ProxyConfig.value(source, setting)) == null)
            return null;
        int value = ProxyConfig.integer(source, setting, min, max, "is not a whole number of seconds from " + min + " to " + max, problems);
        return value < 0 ? null : value;
    }

    private static String blankToNull(String value)
    {
        return value == null || value.isBlank() ? null : value.trim();
    }

    @Override
    public String toString()
    {
        return algorithm + (fixedKey != null ? " key " + fixedKey.kid() : keysDirectory != null ? " keys in " + keysDirectory : demoKey ? " random key" : "")
            + (issuer == null ? "" : ", iss " + issuer) + (audience == null ? "" : ", aud " + audience)
            + (ttl == null ? "" : ", exp iat+" + ttl.toSeconds() + "s") + (notBeforeSkew == null ? "" : ", nbf iat-" + notBeforeSkew.toSeconds() + "s")
            + (bindRequest ? ", htm/htu" : "") + (rotateEvery == null ? "" : ", rotating every " + rotateEvery);
    }
}
