package io.jwtproxy.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The one form of a request path that every decision is made on and that the upstream receives:
 * RFC 3986 §6.2.2 normalisation of a raw (percent-encoded) absolute path. Percent-encoded
 * unreserved characters are decoded ({@code %7E} is {@code ~}), other escapes upper-cased, and
 * {@code .} and {@code ..} segments removed (§5.2.4). What a server or framework behind the proxy
 * could read another way is refused instead of guessed at: a path that climbs above the root, an
 * empty segment ({@code //}), an encoded {@code /}, {@code \} or NUL, a dot segment written with
 * escapes ({@code %2e%2e}) or with a parameter ({@code ..;}), an overlong UTF-8 escape
 * ({@code %c0%ae}), a backslash, a space or a control.
 * Jetty refuses most of these itself; Tomcat does not, so the proxy's own rule holds everywhere.
 */
public final class RequestPath
{
    private RequestPath()
    {
    }

    /** The path cannot be decided on without guessing how the upstream would read it: the request is a 400. */
    public static final class Refused extends IllegalArgumentException
    {
        private Refused(String reason)
        {
            super(reason, null);
        }
    }

    /**
     * @param raw an absolute path as the request carries it (no query)
     * @return its normal form: the path to decide on and to forward
     * @throws Refused saying why it has none
     */
    public static String normalise(String raw)
    {
        if (raw.isEmpty() || raw.charAt(0) != '/')
            throw new Refused("the path does not start with /");
        if (plain(raw))
            return raw;
        String[] segments = raw.substring(1).split("/", -1);
        List<String> kept = new ArrayList<>(segments.length);
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++)
        {
            boolean last = i == segments.length - 1;
            String segment = segment(segments[i]);
            trailingSlash = last;
            switch (segment)
            {
                case "" ->
                {
                    if (!last)
                        throw new Refused("the path has an empty segment (//)");
                }
                case "." ->
                {
                    // Removed; a last one leaves its directory's slash (RFC 3986 §5.2.4: "/a/." is "/a/").
                }
                case ".." ->
                {
                    if (kept.isEmpty())
                        throw new Refused("the path climbs above the root");
                    kept.remove(kept.size() - 1);
                }
                default ->
                {
                    kept.add(segment);
                    trailingSlash = false;
                }
            }
        }
        StringBuilder path = new StringBuilder(raw.length());
        for (String segment : kept)
            path.append('/').append(segment);
        if (trailingSlash || kept.isEmpty())
            path.append('/');
        return path.toString();
    }

    /** @return whether {@code path} is a path in normal form, as a setting naming a path must be to ever match one */
    public static boolean isNormal(String path)
    {
        try
        {
            return normalise(path).equals(path);
        }
        catch (Refused x)
        {
            return false;
        }
    }

    /**
     * @param rawUri the request's path as it came ({@code getRequestURI()}), the context's path included
     * @param contextPath the context's own path ({@code ServletContext.getContextPath()}): "" at the root
     * @return the path in normal form below the context, "/" for the context itself
     * @throws Refused if it has no normal form, or its normal form is outside the context
     */
    public static String inContext(String rawUri, String contextPath)
    {
        String path = normalise(rawUri);
        if (contextPath.isEmpty())
            return path;
        if (!under(path, contextPath))
            throw new Refused("the path leaves the context " + contextPath);
        return path.length() == contextPath.length() ? "/" : path.substring(contextPath.length());
    }

    /**
     * @param path an absolute path in normal form
     * @param prefix a path prefix in normal form
     * @return whether {@code path} is {@code prefix} or below it: a prefix ending in {@code /} is a
     *         directory, one without names a path and what is below it ({@code /api} holds {@code /api}
     *         and {@code /api/x}, not {@code /apiary})
     */
    public static boolean under(String path, String prefix)
    {
        if (!path.startsWith(prefix))
            return false;
        return prefix.endsWith("/") || path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
    }

    /** @return whether the path is in normal form on its face: no escape, no segment empty or starting with a dot, nothing to refuse */
    private static boolean plain(String raw)
    {
        char previous = 0;
        for (int i = 0; i < raw.length(); i++)
        {
            char c = raw.charAt(i);
            if (c <= 0x20 || c == 0x7F || c == '%' || c == '\\' || (previous == '/' && (c == '/' || c == '.')))
                return false;
            previous = c;
        }
        return true;
    }

    /** One segment with its unreserved escapes decoded and the rest upper-cased; refused if ambiguous. */
    private static String segment(String raw)
    {
        StringBuilder segment = null;
        boolean encodedDot = false;
        int previousByte = -1;
        int previousEscapeEnd = -1;
        for (int i = 0; i < raw.length(); i++)
        {
            char c = raw.charAt(i);
            if (c <= 0x20 || c == 0x7F || c == '\\')
                throw new Refused("the path has a space, a control or a backslash");
            if (c != '%')
            {
                if (segment != null)
                    segment.append(c);
                continue;
            }
            if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0)
                throw new Refused("the path has a % that starts no escape");
            if (segment == null)
                segment = new StringBuilder(raw.length()).append(raw, 0, i);
            int decoded = Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16);
            if (decoded == '/' || decoded == '\\' || decoded == 0)
                throw new Refused("the path has an encoded /, \\ or NUL");
            if (previousEscapeEnd == i && overlong(previousByte, decoded))
                // %C0%AE is "." to a decoder that takes overlong UTF-8 (CVE-2008-2938's shape): no decoder may see it.
                throw new Refused("the path has an overlong UTF-8 sequence");
            previousByte = decoded;
            previousEscapeEnd = i + 3;
            if (unreserved(decoded))
            {
                segment.append((char)decoded);
                encodedDot |= decoded == '.';
            }
            else
            {
                segment.append('%').append(Character.toUpperCase(raw.charAt(i + 1))).append(Character.toUpperCase(raw.charAt(i + 2)));
            }
            i += 2;
        }
        String result = segment == null ? raw : segment.toString();
        int parameters = result.indexOf(';');
        String name = parameters < 0 ? result : result.substring(0, parameters);
        if ((name.equals(".") || name.equals("..")) && (encodedDot || parameters >= 0))
            throw new Refused("the path has a dot segment written with escapes or parameters");
        return result;
    }

    /** @return whether {@code lead} then {@code next} start an overlong UTF-8 sequence (RFC 3629 §3 forbids them) */
    private static boolean overlong(int lead, int next)
    {
        return ((lead == 0xC0 || lead == 0xC1) && next >= 0x80 && next <= 0xBF) || (lead == 0xE0 && next >= 0x80 && next <= 0x9F)
            || (lead == 0xF0 && next >= 0x80 && next <= 0x8F);
    }

    // RFC 3986 §2.3.
    private static boolean unreserved(int c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
