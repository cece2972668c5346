package io.jwtproxy.websocket;

import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.client.HttpUpgrader;
import org.eclipse.jetty.client.ProtocolHandler;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpConversation;
import org.eclipse.jetty.client.transport.HttpRequest;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP client's handler of every {@code 101 Switching Protocols}. An upgrade the proxy asked
 * for (a WebSocket handshake, which carries an {@link HttpUpgrader}) goes to that upgrader with the
 * upstream connection; any other fails the exchange, so the client gets 502 and never a 101 the
 * proxy cannot carry (an upstream's {@code h2c}, say), and the connection is closed.
 *
 * <p>Jetty's own {@code UpgradeProtocolHandler}, which the proxy servlet removes, knows only
 * {@code websocket} and {@code h2c}: a 101 to any other protocol reached the proxy's response
 * listener as a final response, and the client got it.</p>
 */
public final class SwitchingProtocols implements ProtocolHandler
{
    @Override
    public String getName()
    {
        return "jwt-proxy-switching-protocols";
    }

    @Override
    public boolean accept(Request request, Response response)
    {
        return response.getStatus() == HttpStatus.SWITCHING_PROTOCOLS_101;
    }

    @Override
    public Response.Listener getResponseListener()
    {
        return new Response.Listener()
        {
            @Override
            public void onComplete(Result result)
            {
                Response response = result.getResponse();
                HttpRequest request = (HttpRequest)response.getRequest();
                HttpConversation conversation = request.getConversation();
                EndPoint endPoint = (EndPoint)conversation.getAttribute(EndPoint.class.getName());
                HttpUpgrader upgrader = (HttpUpgrader)conversation.getAttribute(HttpUpgrader.class.getName());
                if (result.isSucceeded() && upgrader != null && endPoint != null)
                {
                    upgrader.upgrade(response, endPoint, Callback.from(Callback.NOOP::succeeded, x -> fail(request, response, endPoint, x)));
                    return;
                }
                Throwable failure = result.isFailed() ? result.getFailure()
                    : new HttpResponseException("101 to a request that did not ask to switch protocols", response);
                fail(request, response, endPoint, failure);
            }
        };
    }

    private static void fail(HttpRequest request, Response response, EndPoint endPoint, Throwable failure)
    {
        // The connection now speaks another protocol, or nothing: it cannot serve another request.
        if (endPoint != null)
            endPoint.close(failure);
        HttpConversation conversation = request.getConversation();
        conversation.updateResponseListeners(null);
        conversation.getResponseListeners().emitFailureComplete(new Result(request, null, response, failure));
    }
}
