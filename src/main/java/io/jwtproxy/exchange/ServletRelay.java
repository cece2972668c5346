package io.jwtproxy.exchange;

import java.util.List;
import java.util.function.BiPredicate;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;

import io.jwtproxy.http.Headers;

/**
 * The upstream's answer as the servlet engine relays it, but for its body ({@link ResponseBody}): the
 * head field by field ({@link ResponseHead}), the interim responses ({@link InterimResponses}) and the
 * trailers ({@link ResponseTrailers}), each end-to-end field decided by one predicate.
 */
public final class ServletRelay
{
    private final InterimResponses interims;
    private final ResponseTrailers trailers;
    private final BiPredicate<HttpFields, HttpField> relayable;
    private final int maxHeadBytes;

    /**
     * @param relayable decides each end-to-end field (the head it came in, the field)
     * @param maxHeadBytes the largest head relayed; a larger one fails the exchange
     */
    public ServletRelay(Container container, BiPredicate<HttpFields, HttpField> relayable, int maxHeadBytes)
    {
        this.interims = new InterimResponses(container);
        this.trailers = new ResponseTrailers(container);
        this.relayable = relayable;
        this.maxHeadBytes = maxHeadBytes;
    }

    /** Each end-to-end field as the upstream sent it; a head too large to relay aborts the upstream's response. */
    public void head(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse)
    {
        Exchange.of(clientRequest).upstreamAnswered(serverResponse.getStatus());
        HttpFields head = serverResponse.getHeaders();
        List<HttpField> relayed = ResponseHead.relayed(head, serverResponse.getStatus(), field -> relayable.test(head, field));
        try
        {
            ResponseHead.copy(relayed, proxyResponse, maxHeadBytes,
                serverResponse.getStatus() == HttpStatus.NOT_MODIFIED_304 && !head.contains(HttpHeader.CONTENT_LENGTH));
        }
        catch (UnrelayableResponseException x)
        {
            serverResponse.abort(x);
        }
    }

    /** The upstream's trailers, once its body has ended. */
    public void trailers(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse)
    {
        trailers.relay(serverResponse, proxyResponse, HttpMethod.HEAD.is(clientRequest.getMethod()),
            field -> !Headers.isHopByHop(field.getName()) && relayable.test(serverResponse.getHeaders(), field));
    }

    /** An answer without a body byte: its trailers, if any came, or its end with the head. */
    public void endWithoutBody(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse)
    {
        trailers.end(clientRequest, serverResponse, proxyResponse, () -> trailers(clientRequest, proxyResponse, serverResponse));
    }

    /** An interim response (102, 103; 100 is Jetty's), relayed where the client can take it; a WebSocket handshake's is consumed. */
    public void interim(HttpServletRequest clientRequest, int status, HttpFields fields)
    {
        // A WebSocket handshake's, while service() waits for its 101: consumed.
        if (!clientRequest.isAsyncStarted())
            return;
        interims.relay(clientRequest, (HttpServletResponse)clientRequest.getAsyncContext().getResponse(), status, fields,
            field -> relayable.test(fields, field));
    }
}
