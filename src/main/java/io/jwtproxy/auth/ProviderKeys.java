package io.jwtproxy.auth;

import java.io.IOException;
import java.net.URI;
import java.security.Key;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jose4j.http.Get;
import org.jose4j.http.SimpleResponse;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.VerificationJwkSelector;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * An OpenID Connect provider's signing keys: its JWK Set, found through discovery
 * ({@code <issuer>/.well-known/openid-configuration}) or given, cached as its {@code Cache-Control}
 * allows, and fetched again when a token names a key the cached set lacks (the provider rotated),
 * at most once a second. When the provider cannot be reached, resolving throws
 * {@link ProviderUnavailableException}, which the caller tells from a token that is bad.
 */
final class ProviderKeys implements VerificationKeyResolver
{
    private static final int TIMEOUT_MILLIS = 3_000;
    private static final long REFETCH_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Without Cache-Control or Expires, a key set is kept this long. */
    private static final long DEFAULT_CACHE_SECONDS = 300;
    /** A key set the provider cannot give again is used this long past its cache life. */
    private static final long RETAIN_ON_ERROR_SECONDS = 3_600;

    /** The provider cannot be reached: its keys or its discovery document did not come. */
    static final class ProviderUnavailableException extends UnresolvableKeyException
    {
        ProviderUnavailableException(String message, Throwable cause)
        {
            super(message, cause);
        }
    }

    /** The token's algorithm is not one of AUTH_ALGORITHMS: refused before any key is looked for. */
    static final class AlgorithmRefusedException extends UnresolvableKeyException
    {
        AlgorithmRefusedException(String algorithm)
        {
            super("the algorithm " + algorithm + " is not accepted");
        }
    }

    private final String issuer;
    private final URI jwksUrl;
    private final List<String> algorithms;
    private final Get http = new Get();
    private volatile HttpsJwks keys;
    private volatile long lastFetchNanos = System.nanoTime() - REFETCH_NANOS;

    /**
     * @param jwksUrl the key set's URL, or null to discover it
     * @param algorithms the algorithms a token may name
     */
    ProviderKeys(String issuer, URI jwksUrl, List<String> algorithms)
    {
        this.issuer = issuer;
        this.jwksUrl = jwksUrl;
        this.algorithms = List.copyOf(algorithms);
        http.setConnectTimeout(TIMEOUT_MILLIS);
        http.setReadTimeout(TIMEOUT_MILLIS);
        // No retries: a request waits for the provider at most one timeout.
        http.setRetries(0);
        if (jwksUrl != null)
            keys = newKeySet(jwksUrl.toString());
    }

    @Override
    public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext) throws UnresolvableKeyException
    {
        // Before any key is chosen: HS256 "signed" with the provider's public key, or none, never gets that far.
        if (!algorithms.contains(jws.getAlgorithmHeaderValue()))
            throw new AlgorithmRefusedException(jws.getAlgorithmHeaderValue());
        HttpsJwks set = keySet();
        try
        {
            JsonWebKey key = new VerificationJwkSelector().select(jws, set.getJsonWebKeys());
            if (key == null && refetchAllowed())
            {
                // A key the cached set lacks: the provider may have rotated.
                set.refresh();
                key = new VerificationJwkSelector().select(jws, set.getJsonWebKeys());
            }
            if (key == null)
                throw new UnresolvableKeyException("no key of the provider's set verifies it (kid " + jws.getKeyIdHeaderValue() + ")");
            return key.getKey();
        }
        catch (UnresolvableKeyException x)
        {
            throw x;
        }
        catch (IOException x)
        {
            throw new ProviderUnavailableException("the provider's key set cannot be fetched: " + x, x);
        }
        catch (JoseException x)
        {
            throw new ProviderUnavailableException("the provider's key set cannot be read: " + x.getMessage(), x);
        }
    }

    private HttpsJwks keySet() throws ProviderUnavailableException
    {
        HttpsJwks set = keys;
        if (set != null)
            return set;
        synchronized (this)
        {
            if (keys != null)
                return keys;
            if (!refetchAllowed())
                throw new ProviderUnavailableException("the provider's discovery document did not come a moment ago", null);
            String discovery = issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration";
            try
            {
                SimpleResponse response = http.get(discovery);
                if (response.getStatusCode() != 200)
                    throw new IOException(discovery + " answered " + response.getStatusCode());
                Map<String, Object> document = JsonUtil.parseJson(response.getBody());
                // OpenID Connect Discovery 1.0 §4.3: the document's issuer is the issuer it was fetched for.
                if (!issuer.equals(document.get("issuer")))
                    throw new IOException(discovery + " is for the issuer " + document.get("issuer") + ", not " + issuer);
                if (!(document.get("jwks_uri") instanceof String uri))
                    throw new IOException(discovery + " names no jwks_uri");
                keys = newKeySet(uri);
                return keys;
            }
            catch (IOException | JoseException x)
            {
                throw new ProviderUnavailableException("the provider's discovery document cannot be fetched: " + x.getMessage(), x);
            }
        }
    }

    private HttpsJwks newKeySet(String url)
    {
        HttpsJwks set = new HttpsJwks(url);
        set.setSimpleHttpGet(http);
        set.setDefaultCacheDuration(DEFAULT_CACHE_SECONDS);
        set.setRetainCacheOnErrorDuration(RETAIN_ON_ERROR_SECONDS);
        return set;
    }

    /** @return whether a fetch may go to the provider now; if so, the next must wait a second */
    private synchronized boolean refetchAllowed()
    {
        long now = System.nanoTime();
        if (now - lastFetchNanos < REFETCH_NANOS)
            return false;
        lastFetchNanos = now;
        return true;
    }
}
