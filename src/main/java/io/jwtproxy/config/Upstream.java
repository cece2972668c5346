package io.jwtproxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The one server every request goes to: scheme, host, port and an optional base path that is
 * prefixed to every forwarded path.
 */
public final class Upstream
{
    // scheme://authority/base-path with no trailing slash: forwarded paths are appended as they are.
    private final String prefix;

    private Upstream(URI uri)
    {
        String path = uri.getRawPath();
        if (path.endsWith("/"))
            path = path.substring(0, path.length() - 1);
        this.prefix = uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority() + path;
    }

    /**
     * @param value the raw setting
     * @return the upstream
     * @throws IllegalArgumentException with a message that completes "UPSTREAM_URL: "
     */
    public static Upstream parse(String value)
    {
        URI uri;
        try
        {
            uri = new URI(value.trim());
        }
        catch (URISyntaxException x)
        {
            throw new IllegalArgumentException(quote(value) + " is not an absolute http(s) URL");
        }
        String scheme = uri.getScheme();
        if (scheme == null || uri.isOpaque() || uri.getHost() == null
            || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)))
            throw new IllegalArgumentException(quote(value) + " is not an absolute http(s) URL");
        if (uri.getRawUserInfo() != null)
            throw new IllegalArgumentException("must not carry credentials (user info)");
        if (uri.getRawQuery() != null || uri.getRawFragment() != null)
            throw new IllegalArgumentException(quote(value) + " must not have a query or fragment");
        if (uri.getPort() > 65535)
            throw new IllegalArgumentException(quote(value) + " has a port outside 1-65535");
        return new Upstream(uri);
    }

    /** @return whether the upstream is reached over TLS ({@code https}) */
    public boolean secure()
    {
        return prefix.startsWith("https:");
    }

    /**
     * @param path the raw (still percent-encoded) request path, relative to the proxy's context
     * @param query the raw query, or null
     * @return the absolute URL the request is forwarded to
     */
    public String target(String path, String query)
    {
        StringBuilder target = new StringBuilder(prefix.length() + path.length() + 1 + (query == null ? 0 : query.length() + 1));
        target.append(prefix);
        if (path.isEmpty() || path.charAt(0) != '/')
            target.append('/');
        target.append(path);
        if (query != null)
            target.append('?').append(query);
        return target.toString();
    }

    @Override
    public String toString()
    {
        return prefix;
    }

    private static String quote(String value)
    {
        return '"' + value + '"';
    }
}
