package io.jwtproxy.http;

import java.util.Locale;
import java.util.Set;

/** The header rules of RFC 9110 the proxy applies, shared by the proxy and the echo upstream. */
public final class Headers
{
    /**
     * Fields that describe one connection, never forwarded (lower case): RFC 9110 §7.6.1's, and
     * HTTP2-Settings, which only an h2c upgrade sends (RFC 7540 §3.2.1), the shape of h2c smuggling.
     */
    public static final Set<String> HOP_BY_HOP = Set.of(
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade", "http2-settings");

    private Headers()
    {
    }

    /**
     * @param connectionValues the values of the message's Connection fields
     * @param name a field name
     * @return true if one of the Connection options names {@code name}, so it must not be forwarded
     */
    public static boolean namedByConnection(Iterable<String> connectionValues, String name)
    {
        for (String value : connectionValues)
        {
            for (String option : value.split(","))
            {
                if (option.trim().equalsIgnoreCase(name))
                    return true;
            }
        }
        return false;
    }

    /**
     * @param teValues the values of a request's TE fields
     * @return whether they say the client takes trailer fields ({@code TE: trailers}, RFC 9110 §10.1.4),
     *         the one TE that HTTP/2 carries (RFC 9113 §8.2.2) and gRPC requires
     */
    public static boolean acceptsTrailers(Iterable<String> teValues)
    {
        for (String value : teValues)
        {
            for (String coding : value.split(","))
            {
                int parameters = coding.indexOf(';');
                if ((parameters < 0 ? coding : coding.substring(0, parameters)).trim().equalsIgnoreCase("trailers"))
                    return true;
            }
        }
        return false;
    }

    public static boolean isHopByHop(String name)
    {
        return HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * What a client tells about the hops before it: {@code Forwarded}, {@code X-Real-IP} and every
     * {@code X-Forwarded-*} field (For, Proto, Host, Port, Prefix, Ssl, ...), which frameworks read
     * to rebuild the client's address and URL. Replaced unless TRUST_FORWARDED.
     *
     * @param name a field name as received
     */
    public static boolean isForwarding(String name)
    {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("forwarded") || lower.equals("x-real-ip") || lower.startsWith("x-forwarded-");
    }

    /**
     * A look-alike of a forwarding field spelled with underscores ({@code X_Forwarded_For}): CGI,
     * WSGI and PHP turn {@code -} into {@code _}, so the application reads it as the real one. Such
     * a spelling never comes from a proxy, trusted or not, and is always dropped.
     */
    public static boolean isForwardingLookAlike(String name)
    {
        return name.indexOf('_') >= 0 && isForwarding(name.replace('_', '-'));
    }

    /** @return whether {@code value} is an RFC 9110 §5.6.2 token: the grammar of a field name and of a method */
    public static boolean isToken(String value)
    {
        if (value.isEmpty())
            return false;
        for (int i = 0; i < value.length(); i++)
        {
            char c = value.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar)
                return false;
        }
        return true;
    }

    /**
     * RFC 9110 §7.6.2.
     *
     * @param value a Max-Forwards field's value
     * @return the number of hops left, or -1 when it is not a non-negative integer
     */
    public static long maxForwards(String value)
    {
        String trimmed = value.trim();
        if (trimmed.isEmpty() || trimmed.length() > 18 || !trimmed.chars().allMatch(Character::isDigit))
            return -1;
        return Long.parseLong(trimmed);
    }

    /**
     * Compares field names the way some servers and CGI-style frameworks do, treating {@code _}
     * as {@code -}: a client must not be able to slip in a look-alike of the token header.
     *
     * @param name a received field name
     * @param lowerCaseTarget the protected name, lower case
     */
    public static boolean sameNameIgnoringUnderscore(String name, String lowerCaseTarget)
    {
        if (name.length() != lowerCaseTarget.length())
            return false;
        for (int i = 0; i < name.length(); i++)
        {
            char c = Character.toLowerCase(name.charAt(i));
            char t = lowerCaseTarget.charAt(i);
            if (c == '_')
                c = '-';
            if (t == '_')
                t = '-';
            if (c != t)
                return false;
        }
        return true;
    }
}
