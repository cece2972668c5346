package io.jwtproxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

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

    /** RFC 9113 §8.2.2's connection-specific fields, which make an HTTP/2 message malformed ({@code TE} but for {@code trailers} too). */
    private static final List<String> CONNECTION_SPECIFIC = List.of("connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade");

    /**
     * @param protocol the request's protocol, {@code HTTP/2.0} for HTTP/2
     * @param values a request field's values by name
     * @return the first connection-specific field of an HTTP/2 request, or null (and always for HTTP/1)
     */
    public static String connectionSpecificField(String protocol, Function<String, Enumeration<String>> values)
    {
        if (!protocol.startsWith("HTTP/2"))
            return null;
        for (String name : CONNECTION_SPECIFIC)
        {
            Enumeration<String> present = values.apply(name);
            if (present != null && present.hasMoreElements())
                return name;
        }
        Enumeration<String> te = values.apply("te");
        while (te != null && te.hasMoreElements())
        {
            if (!te.nextElement().trim().equalsIgnoreCase("trailers"))
                return "te other than trailers";
        }
        return null;
    }

    /**
     * A field value as its sender's UTF-8: containers hand field bytes over one char each (ISO-8859-1).
     *
     * @return the value decoded, or empty if its bytes are no UTF-8 or it holds a control character
     */
    public static Optional<String> utf8(String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            if (value.charAt(i) > 0xFF)
                // Not bytes: a container that decoded the field already.
                return controls(value) ? Optional.empty() : Optional.of(value);
        }
        try
        {
            String decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1))).toString();
            return controls(decoded) ? Optional.empty() : Optional.of(decoded);
        }
        catch (CharacterCodingException x)
        {
            return Optional.empty();
        }
    }

    private static boolean controls(String value)
    {
        return value.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029);
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
