package io.jwtproxy.http;

import java.util.Enumeration;
import java.util.List;
import java.util.ListIterator;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * What a request tells the upstream about the hops before it: the client's copies of what the
 * proxy sets are removed, then this hop's {@code Forwarded} element (RFC 7239) and the de-facto
 * {@code X-Forwarded-*} fields are added.
 */
public final class ForwardingFields
{
    private ForwardingFields()
    {
    }

    /**
     * Removes from a request's fields every copy of the token header and every underscore spelling
     * of a forwarding field, in any case, and, unless they are trusted, the forwarding fields.
     *
     * @param tokenHeader the token header's name, lower case
     */
    public static void removeClientCopies(HttpFields.Mutable fields, String tokenHeader, boolean trustForwarded)
    {
        for (ListIterator<HttpField> iterator = fields.listIterator(); iterator.hasNext(); )
        {
            String name = iterator.next().getName();
            if (Headers.sameNameIgnoringUnderscore(name, tokenHeader) || Headers.isForwardingLookAlike(name)
                || (!trustForwarded && Headers.isForwarding(name)))
                iterator.remove();
        }
    }

    /**
     * Removes every copy of the named fields, in any case and with {@code _} for {@code -}
     * ({@code x_amzn_oidc_identity}), which CGI-style frameworks read as the real one.
     *
     * @param lowerCase the fields' names, lower case
     */
    public static void removeEverySpelling(HttpFields.Mutable fields, List<String> lowerCase)
    {
        if (lowerCase.isEmpty())
            return;
        for (ListIterator<HttpField> iterator = fields.listIterator(); iterator.hasNext(); )
        {
            String name = iterator.next().getName();
            if (lowerCase.stream().anyMatch(target -> Headers.sameNameIgnoringUnderscore(name, target)))
                iterator.remove();
        }
    }

    /**
     * The client's address for counting its attempts, from a peer trusted to set X-Forwarded-For (a
     * balancer or gateway): the last element, the one that peer wrote; the peer's own without one.
     *
     * @param peer the TCP peer's address
     * @param forwardedFor the X-Forwarded-For values, in order
     */
    public static String clientAddress(String peer, Enumeration<String> forwardedFor)
    {
        String last = null;
        while (forwardedFor != null && forwardedFor.hasMoreElements())
        {
            String value = forwardedFor.nextElement();
            String element = value.substring(value.lastIndexOf(',') + 1).trim();
            if (!element.isEmpty())
                last = element;
        }
        return last == null ? peer : last;
    }

    /**
     * RFC 7239 §4: this hop's element, appended to those already there (kept only when trusted).
     *
     * @param by the proxy's address
     * @param forAddress the client's address
     * @param host the Host the client sent, or null (HTTP/1.0)
     * @param proto the client's scheme
     */
    public static void appendForwarded(HttpFields.Mutable fields, String by, String forAddress, String host, String proto)
    {
        StringBuilder element = new StringBuilder().append("by=").append(node(by)).append(";for=").append(node(forAddress));
        if (host != null)
            element.append(";host=\"").append(host.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        element.append(";proto=").append(proto);
        String earlier = fields.get(HttpHeader.FORWARDED);
        fields.put(HttpHeader.FORWARDED, earlier == null ? element.toString() : earlier + ", " + element);
    }

    // RFC 7239 §6: a node is quoted, an IPv6 address in brackets.
    private static String node(String address)
    {
        return address.indexOf(':') >= 0 && !address.startsWith("[") ? "\"[" + address + "]\"" : "\"" + address + "\"";
    }

    /**
     * The de-facto fields beside Forwarded, for upstreams that read only those: the client's address
     * appended to X-Forwarded-For; X-Forwarded-Proto and -Host this hop's unless a trusted earlier
     * proxy, which saw the original ones, set them.
     */
    public static void addXForwarded(HttpFields.Mutable fields, String clientAddress, String host, String scheme)
    {
        String forwardedFor = fields.get(HttpHeader.X_FORWARDED_FOR);
        fields.put(HttpHeader.X_FORWARDED_FOR, forwardedFor == null ? clientAddress : forwardedFor + ", " + clientAddress);
        if (!fields.contains(HttpHeader.X_FORWARDED_PROTO))
            fields.put(HttpHeader.X_FORWARDED_PROTO, scheme);
        if (host != null && !fields.contains(HttpHeader.X_FORWARDED_HOST))
            fields.put(HttpHeader.X_FORWARDED_HOST, host);
    }
}
