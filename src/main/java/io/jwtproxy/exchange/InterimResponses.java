package io.jwtproxy.exchange;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.ProtocolHandler;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpConversation;
import org.eclipse.jetty.client.transport.HttpExchange;
import org.eclipse.jetty.client.transport.HttpRequest;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.http.Headers;

/**
 * The upstream's interim responses (RFC 9110 §15.2: 1xx other than {@code 100 Continue}, which
 * Jetty's proxy answers itself, and {@code 101}, which belongs to an upgrade): taken out of the
 * HTTP client's exchange, and sent on to the client where its servlet container can send them.
 *
 * <p>Jetty's HTTP client treats a 1xx as a response of its own. Jetty's proxy servlet removes the
 * client's 102 and 103 handlers, so its response listener took a 103 for the final answer, and the
 * exchange hung with the client connection half-closed. {@link #handler} claims every interim
 * status, passes it to a {@link Relay}, and resets the exchange, so that the final response reaches
 * the proxy's listener as usual.</p>
 *
 * <p>Which statuses reach the client depends on the container, since Servlet 6.0 has no API for
 * them: Jetty sends 102 and 103 through {@code sendError}, Tomcat (10.1 and 11) sends 103 through
 * its {@code sendEarlyHints()}. Any other interim response is consumed: the client still gets the
 * final one.</p>
 */
public final class InterimResponses
{
    private static final Logger LOG = LoggerFactory.getLogger(InterimResponses.class);

    /** Receives each interim response the upstream sent, before the final one. */
    @FunctionalInterface
    public interface Relay
    {
        void onInterim(Request proxyRequest, int status, HttpFields fields);
    }

    private final boolean jetty;

    public InterimResponses(Container container)
    {
        this.jetty = container == Container.JETTY;
    }

    /**
     * Relays an interim response where the container can send it and the client can take it (RFC
     * 9110 §15.2: never to HTTP/1.0). Its fields are set for the interim response only and removed
     * before the final one is copied. A failure to send it is logged: the final response, or its
     * failure, still ends the exchange.
     *
     * @param relayable decides each end-to-end field, as for the final response
     */
    public void relay(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, int status, HttpFields fields,
                      Predicate<HttpField> relayable)
    {
        if ("HTTP/1.0".equals(clientRequest.getProtocol()) || proxyResponse.isCommitted() || !canSend(status, proxyResponse))
        {
            LOG.debug("interim response {} of {} not relayed", status, clientRequest.getRequestURI());
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        try
        {
            for (HttpField field : fields)
            {
                if (!Headers.isHopByHop(field.getName()) && relayable.test(field))
                {
                    proxyResponse.addHeader(field.getName(), field.getValue());
                    names.add(field.getName());
                }
            }
            send(status, proxyResponse);
            Exchange.of(clientRequest).interimRelayed();
        }
        catch (IOException | RuntimeException x)
        {
            LOG.debug("interim response {} not relayed", status, x);
        }
        finally
        {
            for (String name : names)
                proxyResponse.setHeader(name, null);
            // Tomcat 10.1 ignores a null value (Servlet 6.0 leaves it undefined); nothing else is set yet but Jetty's Date.
            if (names.stream().anyMatch(proxyResponse::containsHeader))
                proxyResponse.reset();
        }
    }

    /** @return whether this container can send {@code status} as an interim response */
    private boolean canSend(int status, HttpServletResponse proxyResponse)
    {
        if (status == HttpStatus.EARLY_HINTS_103 && earlyHints(proxyResponse) != null)
            return true;
        return jetty && (status == HttpStatus.PROCESSING_102 || status == HttpStatus.EARLY_HINTS_103);
    }

    /** Sends an interim response carrying the fields set on {@code proxyResponse}; blocks until it is written. */
    private void send(int status, HttpServletResponse proxyResponse) throws IOException
    {
        Method earlyHints = status == HttpStatus.EARLY_HINTS_103 ? earlyHints(proxyResponse) : null;
        if (earlyHints == null)
        {
            // Jetty's ee10 response writes 102 and 103 as interim responses with the current fields.
            proxyResponse.sendError(status);
            return;
        }
        try
        {
            earlyHints.invoke(proxyResponse);
        }
        catch (IllegalAccessException x)
        {
            throw new IOException("cannot send 103 Early Hints: " + x, x);
        }
        catch (InvocationTargetException x)
        {
            throw x.getCause() instanceof IOException io ? io : new IOException("cannot send 103 Early Hints", x.getCause());
        }
    }

    // Servlet 6.1's HttpServletResponse.sendEarlyHints(), which Tomcat 10.1 and 11 already have.
    private static Method earlyHints(HttpServletResponse proxyResponse)
    {
        try
        {
            return proxyResponse.getClass().getMethod("sendEarlyHints");
        }
        catch (NoSuchMethodException x)
        {
            return null;
        }
    }

    /** @return the HTTP client's handler of interim responses, which hands each to {@code relay} */
    public static ProtocolHandler handler(Relay relay)
    {
        return new ProtocolHandler()
        {
            @Override
            public String getName()
            {
                return "jwt-proxy-interim";
            }

            @Override
            public boolean accept(Request request, Response response)
            {
                int status = response.getStatus();
                return HttpStatus.isInterim(status) && status != HttpStatus.CONTINUE_100 && status != HttpStatus.SWITCHING_PROTOCOLS_101;
            }

            @Override
            public Response.Listener getResponseListener()
            {
                return new InterimListener(relay);
            }
        };
    }

    /** As Jetty's own early-hints handler: once the interim response is complete, the exchange waits for the final one. */
    private static final class InterimListener implements Response.Listener
    {
        private final Relay relay;

        private InterimListener(Relay relay)
        {
            this.relay = relay;
        }

        @Override
        public void onSuccess(Response response)
        {
            HttpRequest request = (HttpRequest)response.getRequest();
            HttpConversation conversation = request.getConversation();
            // The final response goes to the listeners the request was sent with.
            conversation.updateResponseListeners(null);
            HttpExchange exchange = conversation.getExchanges().peekLast();
            int status = response.getStatus();
            HttpFields fields = HttpFields.build(response.getHeaders()).asImmutable();
            exchange.resetResponse();
            relay.onInterim(request, status, fields);
        }

        @Override
        public void onFailure(Response response, Throwable failure)
        {
            HttpConversation conversation = ((HttpRequest)response.getRequest()).getConversation();
            conversation.updateResponseListeners(null);
            HttpExchange exchange = conversation.getExchanges().peekLast();
            if (exchange != null)
                exchange.getResponseListeners().emitFailureComplete(new Result(exchange.getRequest(), exchange.getRequestFailure(), response, failure));
        }
    }
}
