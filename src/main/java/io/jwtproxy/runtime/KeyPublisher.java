package io.jwtproxy.runtime;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;

import io.jwtproxy.config.TokenConfig;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.token.KeyRing;
import io.jwtproxy.token.SigningKey;

/**
 * Serves the public keys verifiers need, on the proxy itself: the RFC 7517 JWK Set at JWKS_PATH
 * (cacheable for JWKS_MAX_AGE, with an ETag) and, when the tokens carry an issuer, the discovery
 * document at OPENID_CONFIGURATION_PATH whose {@code issuer} is exactly the tokens' {@code iss}.
 */
public final class KeyPublisher
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyRing keys;
    private final TokenConfig tokens;

    KeyPublisher(KeyRing keys, TokenConfig tokens)
    {
        this.keys = keys;
        this.tokens = tokens;
    }

    /** @return whether the path (inside the context) is one this publisher answers */
    public boolean serves(String path)
    {
        return path.equals(tokens.jwksPath()) || path.equals(tokens.openIdConfigurationPath());
    }

    /** @return the answer to a request for one of {@link #serves(String) its paths} */
    public Answer answer(ClientRequest request, String path)
    {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD"))
            return Answer.empty(HttpStatus.METHOD_NOT_ALLOWED_405, HttpFields.build().put(HttpHeader.ALLOW, "GET, HEAD"));
        Map<String, Object> document;
        if (path.equals(tokens.jwksPath()))
        {
            List<Map<String, Object>> published = keys.published().stream().map(SigningKey::publicJwk).toList();
            document = Map.of("keys", published);
        }
        else if (tokens.issuer() == null)
        {
            return answer(request, HttpStatus.NOT_FOUND_404, Map.of("error", "no issuer: JWT_ISSUER is not set"), false);
        }
        else
        {
            document = new LinkedHashMap<>();
            document.put("issuer", tokens.issuer());
            document.put("jwks_uri", absolute(request, tokens.jwksPath()));
            document.put("id_token_signing_alg_values_supported", List.of(keys.algorithm().joseName()));
        }
        return answer(request, HttpStatus.OK_200, document, true);
    }

    private Answer answer(ClientRequest request, int status, Object document, boolean cacheable)
    {
        byte[] body;
        try
        {
            body = JSON.writeValueAsBytes(document);
        }
        catch (JsonProcessingException x)
        {
            throw new IllegalStateException("a key document cannot be written as JSON", x);
        }
        HttpFields.Mutable fields = HttpFields.build().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (!cacheable)
            return new Answer(status, fields.put(HttpHeader.CACHE_CONTROL, "no-store"), body);
        String etag = etag(body);
        fields.put(HttpHeader.CACHE_CONTROL, "public, max-age=" + tokens.jwksMaxAge().toSeconds()).put(HttpHeader.ETAG, etag);
        if (matches(request.getHeader("If-None-Match"), etag))
            return Answer.empty(HttpStatus.NOT_MODIFIED_304, fields);
        return new Answer(status, fields, body);
    }

    private static String absolute(ClientRequest request, String path)
    {
        StringBuilder url = new StringBuilder(request.getScheme()).append("://").append(request.getServerName());
        int port = request.getServerPort();
        boolean defaultPort = (request.getScheme().equals("http") && port == 80) || (request.getScheme().equals("https") && port == 443);
        if (!defaultPort && port > 0)
            url.append(':').append(port);
        return url.append(request.getContextPath()).append(path).toString();
    }

    private static String etag(byte[] body)
    {
        try
        {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16)) + '"';
        }
        catch (NoSuchAlgorithmException x)
        {
            throw new IllegalStateException(x);
        }
    }

    // RFC 9110 §13.1.2: a list of entity tags, or *; weak comparison.
    private static boolean matches(String ifNoneMatch, String etag)
    {
        if (ifNoneMatch == null)
            return false;
        for (String candidate : ifNoneMatch.split(","))
        {
            String tag = candidate.trim();
            if (tag.startsWith("W/"))
                tag = tag.substring(2);
            if (tag.equals("*") || tag.equals(etag))
                return true;
        }
        return false;
    }
}
