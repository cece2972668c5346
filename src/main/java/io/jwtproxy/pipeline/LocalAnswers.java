package io.jwtproxy.pipeline;

import java.util.Locale;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;

import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.Headers;
import io.jwtproxy.runtime.KeyPublisher;

/**
 * What the proxy answers itself, before Jetty's pipeline, and never forwards: CONNECT and TRACE, a
 * method it could not forward unchanged, OPTIONS with {@code Max-Forwards: 0} or an invalid one,
 * an HTTP/2 request with a connection-specific field, and its own public keys. See docs/hardening.md.
 */
public final class LocalAnswers
{
    /** The standard methods the proxy forwards, for Allow where it answers OPTIONS or 405 itself; extension methods are forwarded too. */
    public static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    private final KeyPublisher publisher;

    /** @param publisher the publisher of the public keys, or null for HS512 (the paths are then the upstream's) */
    LocalAnswers(KeyPublisher publisher)
    {
        this.publisher = publisher;
    }

    /**
     * @param path the request's path in normal form
     * @return the answer, with the exchange's failure recorded if it is a refusal, or null when the request goes on
     */
    Answer answer(ClientRequest clientRequest, String path, Exchange exchange)
    {
        String method = clientRequest.getMethod();
        if (!method.equals(method.toUpperCase(Locale.ROOT)))
            // RFC 9110 §9.1: methods are case-sensitive, and Jetty's HTTP client would send this one upper-cased.
            return refuse(exchange, HttpStatus.BAD_REQUEST_400, "method with lower-case letters cannot be forwarded unchanged");
        if (HttpMethod.CONNECT.is(method))
            // A reverse proxy is no tunnel: forwarded, CONNECT would ask the upstream to open one.
            return refuse(exchange, HttpStatus.NOT_IMPLEMENTED_501, "CONNECT is not supported");
        if (HttpMethod.TRACE.is(method))
            // Policy (RFC 9110 §9.3.8 allows it): TRACE would reflect the request, token included, back to the client.
            return refuse(exchange, HttpStatus.METHOD_NOT_ALLOWED_405, "TRACE is refused");
        String connectionSpecific = Headers.connectionSpecificField(clientRequest.getProtocol(), clientRequest::getHeaders);
        if (connectionSpecific != null)
            // RFC 9113 §8.2.2: malformed; Jetty would strip the field and forward the rest.
            return refuse(exchange, HttpStatus.BAD_REQUEST_400, "an HTTP/2 request with " + connectionSpecific);
        if (publisher != null && publisher.serves(path))
            return publisher.answer(clientRequest, path);
        String maxForwards = clientRequest.getHeader("Max-Forwards");
        if (HttpMethod.OPTIONS.is(method) && maxForwards != null)
        {
            long hops = Headers.maxForwards(maxForwards);
            if (hops < 0)
                return refuse(exchange, HttpStatus.BAD_REQUEST_400, "invalid Max-Forwards");
            if (hops == 0)
                // RFC 9110 §7.6.2: the last recipient allowed to forward answers itself.
                return plain(HttpStatus.OK_200);
        }
        return null;
    }

    private static Answer refuse(Exchange exchange, int status, String reason)
    {
        return exchange.refuse(new Failure(status, reason), plain(status));
    }

    // An empty response; Allow where it belongs (RFC 9110 §10.2.1: a 405 must carry it; an OPTIONS answer lists the methods).
    private static Answer plain(int status)
    {
        if (status == HttpStatus.METHOD_NOT_ALLOWED_405 || status == HttpStatus.OK_200)
            return Answer.empty(status, HttpFields.build().put(HttpHeader.ALLOW, ALLOW));
        return Answer.empty(status);
    }
}
