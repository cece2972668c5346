package io.jwtproxy.exchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;

/**
 * The upstream's trailer fields, relayed as trailers after the body (gRPC's {@code grpc-status}
 * and {@code grpc-message} among them): over HTTP/2, and over HTTP/1.1 in the last chunk. The
 * container is told of them before the body's first byte (or at the end of an empty body, see
 * {@link #end}), and asks for them when the body is done, by which time the HTTP client has them.
 *
 * <p>Only a body the upstream did not frame with {@code Content-Length} can have trailers, and
 * only then is the container told to expect some: it would re-frame a {@code Content-Length} body
 * as chunks. An HTTP/1.0 client gets none (the container refuses them); the Servlet API joins a
 * repeated trailer's values with commas.</p>
 */
public final class ResponseTrailers
{
    /** The fields of a gRPC status (the gRPC over HTTP/2 protocol's "Status", "Status-Message" and status details). */
    private static final List<String> GRPC_STATUS = List.of("grpc-status", "grpc-message", "grpc-status-details-bin");

    private final Container container;

    public ResponseTrailers(Container container)
    {
        this.container = container;
    }

    /**
     * @param relayable decides each trailer field, as for the head's fields
     * @param headRequest whether the client's request was a HEAD (no body, no trailers)
     */
    public void relay(Response serverResponse, HttpServletResponse proxyResponse, boolean headRequest, Predicate<HttpField> relayable)
    {
        if (mayHaveTrailers(serverResponse, headRequest))
            announce(proxyResponse, () -> fields(serverResponse.getTrailers(), relayable));
    }

    /**
     * Ends a response whose body was empty, before it commits: its trailers, if the upstream sent
     * some. Without any, Jetty sends the head alone, as one HTTP/2 HEADERS frame that ends the
     * stream: gRPC's "Trailers-Only" answer (an error status in the head, no body) as the upstream
     * sent it. Tomcat always follows a servlet's head with a DATA frame, and gRPC clients refuse
     * that answer ("unexpected EOS on empty DATA frame"); there the status in the head is repeated
     * as trailers, which gRPC clients read it from.
     *
     * @param relay announces the trailers, as {@link #relay} does
     */
    public void end(HttpServletRequest clientRequest, Response serverResponse, HttpServletResponse proxyResponse, Runnable relay)
    {
        if (!mayHaveTrailers(serverResponse, HttpMethod.HEAD.is(clientRequest.getMethod())))
            return;
        HttpFields trailers = serverResponse.getTrailers();
        HttpFields head = serverResponse.getHeaders();
        if (trailers != null && trailers.size() > 0)
            relay.run();
        else if (container != Container.JETTY && HttpVersion.HTTP_2.is(clientRequest.getProtocol()) && head.contains(GRPC_STATUS.get(0)))
            announce(proxyResponse, () -> fields(head, field -> GRPC_STATUS.contains(field.getLowerCaseName())));
    }

    private static void announce(HttpServletResponse proxyResponse, Supplier<Map<String, String>> fields)
    {
        try
        {
            proxyResponse.setTrailerFields(fields);
        }
        catch (IllegalStateException x)
        {
            // This response cannot carry trailers (an HTTP/1.0 client): the body goes without them.
        }
    }

    /**
     * @return whether the response has a body the upstream did not frame with {@code Content-Length}: not
     *         an answer to a HEAD, not a 204 or a 304; only such a body can have trailers
     */
    public static boolean mayHaveTrailers(Response serverResponse, boolean headRequest)
    {
        int status = serverResponse.getStatus();
        return !headRequest && !serverResponse.getHeaders().contains(HttpHeader.CONTENT_LENGTH) && status != HttpStatus.NO_CONTENT_204
            && status != HttpStatus.NOT_MODIFIED_304;
    }

    private static Map<String, String> fields(HttpFields trailers, Predicate<HttpField> relayable)
    {
        Map<String, String> fields = new LinkedHashMap<>();
        if (trailers == null)
            return fields;
        for (HttpField field : trailers)
        {
            if (relayable.test(field))
                fields.merge(field.getName(), field.getValue(), (first, next) -> first + ", " + next);
        }
        return fields;
    }
}
