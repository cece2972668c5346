package io.jwtproxy.pipeline;

import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

import io.jwtproxy.auth.Identity;
import io.jwtproxy.config.ProxyConfig;
import io.jwtproxy.config.UpstreamTransport;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.ForwardingFields;
import io.jwtproxy.http.Headers;
import io.jwtproxy.runtime.ProxyRuntime;

/**
 * What goes upstream, decided the same for both front ends (the servlet and the core handler): the
 * target, the end-to-end fields, this hop's forwarding fields and a fresh token; and which of the
 * upstream's fields come back.
 */
public final class Forwarding
{
    private final ProxyRuntime runtime;
    private final ProxyConfig config;

    public Forwarding(ProxyRuntime runtime)
    {
        this.runtime = runtime;
        this.config = runtime.proxy();
    }

    /**
     * @param path the request's path in normal form, the one decided on
     * @param query the query as sent, or null
     * @return the upstream's URI for it, or null when it cannot be made one
     */
    public String target(String path, String query)
    {
        String target = config.upstream().target(path, query);
        try
        {
            // The client's parser is laxer than java.net.URI, which the HTTP client uses.
            URI.create(target);
            return target;
        }
        catch (IllegalArgumentException x)
        {
            return null;
        }
    }

    /**
     * The client's end-to-end fields: without Host (the upstream's is the HTTP client's), the
     * hop-by-hop fields (RFC 9110 §7.6.1) and those the client's Connection names, HTTP2-Settings,
     * and the client's copies of the token and of the forwarding fields it may not write.
     */
    public void copyFields(ClientRequest clientRequest, HttpFields.Mutable proxyToServer)
    {
        HttpFields clientFields = clientRequest.getFields();
        Set<String> named = connectionNamed(clientFields);
        for (HttpField field : clientFields)
        {
            String name = field.getLowerCaseName();
            if (field.getHeader() == HttpHeader.HOST || Headers.isHopByHop(name) || (named != null && named.contains(name)))
                continue;
            proxyToServer.add(field);
        }
        // Save TE: trailers, the one TE that HTTP/2 carries and gRPC requires: the proxy relays trailers.
        if (Headers.acceptsTrailers(clientFields.getValuesList(HttpHeader.TE)))
        {
            proxyToServer.put(HttpHeader.TE, "trailers");
            if (config.transport().protocol() == UpstreamTransport.Protocol.HTTP_1_1)
                proxyToServer.put(HttpHeader.CONNECTION, "TE");
        }
        ForwardingFields.removeClientCopies(proxyToServer, config.tokenHeader(), config.trustForwarded());
        if (isHttp10(clientRequest))
            // RFC 9110 §10.1.1: an HTTP/1.0 client's 100-continue expectation is ignored.
            proxyToServer.remove(HttpHeader.EXPECT);
        if (HttpMethod.OPTIONS.is(clientRequest.getMethod()) && proxyToServer.contains(HttpHeader.MAX_FORWARDS))
            proxyToServer.put(HttpHeader.MAX_FORWARDS, Long.toString(Headers.maxForwards(proxyToServer.get(HttpHeader.MAX_FORWARDS)) - 1));
    }

    // RFC 9110 §7.6.1: the fields the client's Connection names are this hop's.
    private static Set<String> connectionNamed(HttpFields clientFields)
    {
        Set<String> named = null;
        for (String value : clientFields.getValuesList(HttpHeader.CONNECTION))
        {
            for (String name : value.split(","))
            {
                if (named == null)
                    named = new HashSet<>();
                named.add(name.trim().toLowerCase(Locale.ENGLISH));
            }
        }
        return named;
    }

    /**
     * This hop's fields: Via (RFC 9110 §7.6.3, with VIA_PSEUDONYM), Forwarded (RFC 7239) and
     * X-Forwarded-*; without any credential or identity field of the client's: the upstream trusts the
     * proxy's token alone.
     */
    public void addProxyFields(ClientRequest clientRequest, HttpFields.Mutable proxyToServer)
    {
        String protocol = clientRequest.getProtocol();
        String via = (protocol.startsWith("HTTP/") ? protocol.substring(5) : protocol) + " " + config.viaPseudonym();
        String earlier = String.join(", ", proxyToServer.getValuesList(HttpHeader.VIA).stream().filter(value -> !value.isBlank()).toList());
        proxyToServer.put(HttpHeader.VIA, earlier.isEmpty() ? via : earlier + ", " + via);
        String host = clientRequest.getHeader("Host");
        ForwardingFields.appendForwarded(proxyToServer, clientRequest.getLocalAddr(), clientRequest.getRemoteAddr(), host, clientRequest.getScheme());
        ForwardingFields.addXForwarded(proxyToServer, clientRequest.getRemoteAddr(), host, clientRequest.getScheme());
        ForwardingFields.removeEverySpelling(proxyToServer, runtime.authentication().credentialFields());
    }

    /**
     * Mints the token for one request to the upstream and records it on the exchange.
     *
     * @param caller the authenticated caller, or null
     * @param uri the upstream's URI the request goes to
     * @throws MintingFailed when no token could be made: the request must not go unsigned
     */
    public String mint(Identity caller, String method, String uri, Exchange exchange)
    {
        try
        {
            return runtime.mint(caller, method, uri, exchange).token();
        }
        catch (RuntimeException x)
        {
            throw new MintingFailed(x);
        }
    }

    /**
     * With tracing on, the request to the upstream is the upstream span's, whose trace context it carries instead of the
     * client's; with it off, the client's fields went as they came.
     *
     * @param target the upstream's URI the request goes to
     */
    public void traceContext(Exchange exchange, String method, String target, HttpFields.Mutable proxyToServer)
    {
        runtime.tracing().upstream(exchange, method, target, proxyToServer);
    }

    /** @return whether an end-to-end field of the upstream's {@code head} (or of its trailers) goes on to the client */
    public boolean relayable(HttpFields head, HttpField field)
    {
        // The token is for the upstream only, even if it echoes it back (the demo's echo upstream shows it, on purpose).
        if (!config.relayEchoedToken() && Headers.sameNameIgnoringUnderscore(field.getName(), config.tokenHeader()))
            return false;
        // RFC 9110 §7.6.1: nor does a field the upstream's Connection header names.
        return !head.contains(HttpHeader.CONNECTION) || !Headers.namedByConnection(head.getValuesList(HttpHeader.CONNECTION), field.getName());
    }

    /** @return whether the client speaks HTTP/1.0: no persistent connection, no 100 Continue, no interim response */
    public static boolean isHttp10(ClientRequest clientRequest)
    {
        return "HTTP/1.0".equals(clientRequest.getProtocol());
    }

    /** A token could not be minted: thrown before anything went upstream. */
    public static final class MintingFailed extends RuntimeException
    {
        private MintingFailed(Throwable cause)
        {
            super(cause);
        }
    }
}
