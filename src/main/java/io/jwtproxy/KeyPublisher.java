package io.jwtproxy;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.jwtproxy.config.TokenConfig;
import io.jwtproxy.token.KeyRing;
import io.jwtproxy.token.SigningKey;

/**
 * Serves the public keys verifiers need, on the proxy itself: the RFC 7517 JWK Set at JWKS_PATH
 * (cacheable for JWKS_MAX_AGE, with an ETag) and, when the tokens carry an issuer, the discovery
 * document at OPENID_CONFIGURATION_PATH whose {@code issuer} is exactly the tokens' {@code iss}.
 */
final class KeyPublisher
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
    boolean serves(String path)
    {
        return path.equals(tokens.jwksPath()) || path.equals(tokens.openIdConfigurationPath());
    }

    /** Answers a request for one of {@link #serves(String) its paths}. @return the status sent */
    int serve(HttpServletRequest request, HttpServletResponse response, String path) throws IOException
    {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD"))
        {
            response.setHeader("Allow", "GET, HEAD");
            response.setContentLength(0);
            response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return HttpServletResponse.SC_METHOD_NOT_ALLOWED;
        }
        Map<String, Object> document;
        if (path.equals(tokens.jwksPath()))
        {
            List<Map<String, Object>> published = keys.published().stream().map(SigningKey::publicJwk).toList();
            document = Map.of("keys", published);
        }
        else if (tokens.issuer() == null)
        {
            return send(request, response, HttpServletResponse.SC_NOT_FOUND, Map.of("error", "no issuer: JWT_ISSUER is not set"), false);
        }
        else
        {
            document = new LinkedHashMap<>();
            document.put("issuer", tokens.issuer());
            document.put("jwks_uri", absolute(request, tokens.jwksPath()));
            document.put("id_token_signing_alg_values_supported", List.of(keys.algorithm().joseName()));
        }
        return send(request, response, HttpServletResponse.SC_OK, document, true);
    }

    private int send(HttpServletRequest request, HttpServletResponse response, int status, Object document, boolean cacheable) throws IOException
    {
        byte[] body = JSON.writeValueAsBytes(document);
        response.setContentType("application/json");
        if (cacheable)
        {
            String etag = etag(body);
            response.setHeader("Cache-Control", "public, max-age=" + tokens.jwksMaxAge().toSeconds());
            response.setHeader("ETag", etag);
            if (matches(request.getHeader("If-None-Match"), etag))
            {
                response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                return HttpServletResponse.SC_NOT_MODIFIED;
            }
        }
        else
        {
            response.setHeader("Cache-Control", "no-store");
        }
        response.setStatus(status);
        response.setContentLength(body.length);
        if (!request.getMethod().equals("HEAD"))
            response.getOutputStream().write(body);
        return status;
    }

    private static String absolute(HttpServletRequest request, String path)
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
