package io.jwtproxy.exchange;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.io.Connection;

/**
 * When a failed exchange is tried again. RFC 9110 §9.2.2 lets a proxy repeat a request whose method
 * is idempotent; this one does, once and on a new connection, when a reused connection failed under
 * it before any byte of the answer came back: the upstream had closed the connection while the
 * proxy kept it pooled. A request with a body is never repeated: the body has gone.
 */
public final class Retries
{
    /** RFC 9110 §9.2.2, less TRACE, which the proxy answers itself. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    private Retries()
    {
    }

    /**
     * @param committed whether the client's response has begun
     * @param hasBody whether the client's request has a body (Jetty's {@code hasContent})
     * @param serverResponse the failed exchange's response, or null
     * @return whether to send the request again; if so, the exchange's access line will say it was
     */
    public static boolean retry(Exchange exchange, boolean hasBody, boolean committed, Response serverResponse, Throwable failure)
    {
        boolean retry = !exchange.wasRetried() && exchange.failure() == null && !exchange.hasRelayedInterim()
            && IDEMPOTENT.contains(exchange.method()) && !hasBody && !committed
            && serverResponse != null && serverResponse.getStatus() == 0
            && !(failure instanceof TimeoutException) && (failure instanceof IOException || failure.getCause() instanceof IOException)
            && serverResponse.getRequest().getConnection() instanceof Connection connection && connection.getMessagesIn() > 0;
        if (retry)
            exchange.retried("retried on a new connection after " + Failure.describe(failure) + " on a reused one");
        return retry;
    }

    /**
     * Sends a retried request on a connection of its own that is closed afterwards: the pool would hand out the next stale one.
     *
     * @param connectFailed told instead of {@code listener} when no connection could be made
     */
    public static void sendOnNewConnection(Destination destination, Request proxyRequest, Response.CompleteListener listener,
                                           Consumer<Throwable> connectFailed)
    {
        destination.newConnection().whenComplete((connection, connectFailure) ->
        {
            if (connectFailure != null)
            {
                connectFailed.accept(connectFailure);
                return;
            }
            proxyRequest.onComplete(result -> connection.close());
            connection.send(proxyRequest, listener);
        });
    }
}
