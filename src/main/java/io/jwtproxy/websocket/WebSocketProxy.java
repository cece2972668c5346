package io.jwtproxy.websocket;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.client.HttpUpgrader;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

import io.jwtproxy.config.ProxyConfig;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;
import io.jwtproxy.exchange.ResponseHead;
import io.jwtproxy.exchange.UnrelayableResponseException;

/**
 * Forwards a WebSocket handshake and, when the upstream switches protocols, joins the two
 * connections with a {@link WebSocketTunnel}. Any answer but a 101 reaches the client as a normal
 * response.
 *
 * <p>The handshake is carried out while the servlet's {@code service} runs, bounded by the upstream
 * timeouts, because the Servlet API switches a connection when {@code service} returns. How the
 * client's connection switches depends on the container: Tomcat (and any container but Jetty)
 * through {@link HttpServletRequest#upgrade} ({@link ServletSide}), Jetty through its own
 * connection upgrade ({@link JettySide}, which says why).</p>
 */
public final class WebSocketProxy
{
    /** The largest body of an upstream's refusal (a 403 page) relayed to the client. */
    private static final int MAX_REFUSAL_BYTES = 1 << 20;

    private final ProxyConfig config;
    private final BiPredicate<HttpFields, HttpField> relayable;
    /** Every tunnel from its handshake until it ended (or the handshake did not switch). */
    private final Set<WebSocketTunnel> tunnels = ConcurrentHashMap.newKeySet();
    private final WebSocketTunnel.Listener listener = tunnels::remove;

    /**
     * @param relayable decides each end-to-end field of the upstream's answer (its head, the field)
     */
    public WebSocketProxy(ProxyConfig config, BiPredicate<HttpFields, HttpField> relayable)
    {
        this.config = config;
        this.relayable = relayable;
    }

    /**
     * The servlet's one way to forward a handshake: sends it upstream and answers the client with what came back, while
     * {@code service} waits.
     *
     * @param newProxyRequest builds the handshake as the pipeline does (target, end-to-end fields, token, forwarding fields);
     *        null when its target cannot be forwarded
     */
    public void forward(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Supplier<Request> newProxyRequest, HttpClient client)
        throws IOException
    {
        Exchange exchange = Exchange.of(clientRequest);
        Request proxyRequest = newProxyRequest.get();
        if (proxyRequest == null)
        {
            fail(proxyResponse, exchange, Failure.UNFORWARDABLE_TARGET);
            return;
        }
        exchange.forwarded();
        WebSocketTunnel tunnel = newTunnel(exchange, client);
        Handshake handshake = send(tunnel, proxyRequest, client);
        Object outcome;
        try
        {
            long waitMillis = config.upstreamConnectTimeout().plus(config.upstreamIdleTimeout()).toMillis() + 1_000;
            outcome = handshake.outcome.get(waitMillis, TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException | InterruptedException | ExecutionException x)
        {
            if (x instanceof InterruptedException)
                Thread.currentThread().interrupt();
            // Given up on: an upgrade after this closes its connection (Handshake.upgrade).
            if (handshake.outcome.complete(x))
                proxyRequest.abort(x);
            outcome = handshake.outcome.join();
        }

        if (!(outcome instanceof Upgraded))
            tunnels.remove(tunnel);
        if (outcome instanceof Upgraded switched)
            upgrade(clientRequest, proxyResponse, switched.response, tunnel, exchange);
        else if (outcome instanceof Answered answer)
            relay(clientRequest, proxyResponse, answer, exchange);
        else
            fail(proxyResponse, exchange, Failure.ofUpstream((Throwable)outcome));
    }

    /** How the jar's core engine answers the client of a handshake, once the upstream has. */
    public interface Reply
    {
        /** The upstream switched: a 101 with these fields; the client's connection is already set to switch after it. */
        void switchingProtocols(List<HttpField> fields);

        /** The upstream answered without switching: its answer, relayed. */
        void answer(int status, List<HttpField> fields, byte[] body);

        /** No answer to relay: the exchange failed, and the client gets the failure's status. */
        void fail(Failure failure);
    }

    /**
     * Sends the handshake upstream and, without waiting, has {@code reply} answer the client when the upstream has.
     *
     * @param coreRequest the handshake's Jetty core {@code Request}, whose connection switches after the 101
     * @param clientKey the client's Sec-WebSocket-Key
     */
    public void forward(Exchange exchange, Object coreRequest, String clientKey, Request proxyRequest, HttpClient client, Reply reply)
    {
        exchange.forwarded();
        WebSocketTunnel tunnel = newTunnel(exchange, client);
        Handshake handshake = send(tunnel, proxyRequest, client);
        handshake.outcome.whenComplete((outcome, failure) ->
        {
            if (!(outcome instanceof Upgraded))
                tunnels.remove(tunnel);
            if (outcome instanceof Upgraded switched)
            {
                List<HttpField> fields;
                try
                {
                    fields = switchingFields(switched.response, clientKey);
                    // Last: nothing may fail once Jetty is told to switch.
                    JettySide.upgradeCore(coreRequest, tunnel);
                }
                catch (ReflectiveOperationException | RuntimeException x)
                {
                    tunnel.abandon(x);
                    reply.fail(new Failure(HttpStatus.BAD_GATEWAY_502, "the client's connection could not switch: " + Failure.describe(x)));
                    return;
                }
                reply.switchingProtocols(fields);
            }
            else if (outcome instanceof Answered answer)
            {
                List<HttpField> fields;
                try
                {
                    fields = answerFields(answer.response);
                }
                catch (RuntimeException x)
                {
                    reply.fail(Failure.ofUpstream(x));
                    return;
                }
                exchange.addBytesOut(answer.body.length);
                reply.answer(answer.response.getStatus(), fields, answer.body);
            }
            else
            {
                reply.fail(Failure.ofUpstream(outcome instanceof Throwable x ? x : failure));
            }
        });
    }

    private WebSocketTunnel newTunnel(Exchange exchange, HttpClient client)
    {
        WebSocketTunnel tunnel = new WebSocketTunnel(exchange, config.webSocketIdleTimeout(), client.getByteBufferPool(), listener);
        tunnels.add(tunnel);
        return tunnel;
    }

    private Handshake send(WebSocketTunnel tunnel, Request proxyRequest, HttpClient client)
    {
        // The pipeline dropped them as hop-by-hop; a handshake is the one request that carries them on.
        proxyRequest.headers(headers -> headers.put(HttpHeader.CONNECTION, "Upgrade").put(HttpHeader.UPGRADE, "websocket"));
        Handshake handshake = new Handshake(tunnel, client.getExecutor(), config.upstreamIdleTimeout());
        proxyRequest.attribute(HttpUpgrader.Factory.class.getName(), (HttpUpgrader.Factory)handshake::over);
        proxyRequest.idleTimeout(config.upstreamIdleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        proxyRequest.send(handshake);
        return handshake;
    }

    /**
     * @return the 101's fields: the upstream's Sec-WebSocket-Accept, -Protocol and -Extensions, cookies and the like; then the
     *         upgrade itself
     * @throws UnrelayableResponseException if they would not fit
     */
    private List<HttpField> switchingFields(Response serverResponse, String clientKey)
    {
        HttpFields head = serverResponse.getHeaders();
        List<HttpField> fields = new ArrayList<>(ResponseHead.relayed(head, HttpStatus.SWITCHING_PROTOCOLS_101, field -> relayable.test(head, field)));
        fields.add(new HttpField(HttpHeader.UPGRADE, "websocket"));
        fields.add(new HttpField(HttpHeader.CONNECTION, "Upgrade"));
        // Over HTTP/2 (RFC 8441 §5) the upstream neither takes a key nor answers with an accept: the client's is computed here.
        if (serverResponse.getVersion() == HttpVersion.HTTP_2)
            fields.add(new HttpField(HttpHeader.SEC_WEBSOCKET_ACCEPT, WebSocketHandshake.accept(clientKey)));
        ResponseHead.checkSize(fields, config.maxResponseHeaderBytes());
        return fields;
    }

    /** @return the fields of an answer that is no switch (a 403), relayed as for any response; see {@link #switchingFields} */
    private List<HttpField> answerFields(Response serverResponse)
    {
        HttpFields head = serverResponse.getHeaders();
        List<HttpField> fields = ResponseHead.relayed(head, serverResponse.getStatus(), field -> relayable.test(head, field));
        ResponseHead.checkSize(fields, config.maxResponseHeaderBytes());
        return fields;
    }

    /** Closes every WebSocket: the proxy is stopping, and its HTTP client with it. */
    public void stop()
    {
        tunnels.forEach(WebSocketTunnel::serverStopping);
    }

    private void upgrade(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse, WebSocketTunnel tunnel,
                         Exchange exchange) throws IOException
    {
        try
        {
            proxyResponse.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
            ResponseHead.copy(switchingFields(serverResponse, clientRequest.getHeader("Sec-WebSocket-Key")), proxyResponse,
                config.maxResponseHeaderBytes(), false);
            // Last: nothing may fail once Jetty is told to switch.
            if (!JettySide.upgrade(clientRequest, tunnel))
                ServletSide.upgrade(clientRequest, tunnel);
        }
        catch (IOException | ServletException | ReflectiveOperationException | RuntimeException x)
        {
            // The client's connection cannot switch: the upstream's side of the WebSocket is closed again.
            JettySide.cancel(clientRequest);
            tunnel.abandon(x);
            proxyResponse.reset();
            fail(proxyResponse, exchange, new Failure(HttpStatus.BAD_GATEWAY_502, "the container did not upgrade the client's connection: "
                + Failure.describe(x)));
        }
    }

    private void relay(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Answered answer, Exchange exchange)
        throws IOException
    {
        Response response = answer.response;
        proxyResponse.setStatus(response.getStatus());
        try
        {
            ResponseHead.copy(answerFields(response), proxyResponse, config.maxResponseHeaderBytes(), false);
        }
        catch (RuntimeException x)
        {
            proxyResponse.reset();
            fail(proxyResponse, exchange, Failure.ofUpstream(x));
            return;
        }
        if (answer.body.length > 0)
        {
            exchange.addBytesOut(answer.body.length);
            proxyResponse.getOutputStream().write(answer.body);
        }
        exchange.finish(response.getStatus(), false);
    }

    private static void fail(HttpServletResponse proxyResponse, Exchange exchange, Failure failure) throws IOException
    {
        exchange.fail(failure);
        exchange.finish(failure.status(), false);
        proxyResponse.setHeader("Connection", "close");
        proxyResponse.sendError(failure.status());
    }

    /** The upstream switched protocols: its answer; the tunnel has its connection. */
    private record Upgraded(Response response)
    {
    }

    /** The upstream answered without switching: the answer to relay. */
    private record Answered(Response response, byte[] body)
    {
    }

    /**
     * The handshake's upgrader (the HTTP client calls it on a 101) and its listener for any other
     * answer. Its outcome is an {@link Upgraded}, an {@link Answered} or the failure.
     */
    private static final class Handshake extends BufferingResponseListener implements HttpUpgrader
    {
        private final CompletableFuture<Object> outcome = new CompletableFuture<>();
        private volatile boolean http2;
        private final WebSocketTunnel tunnel;
        private final Executor executor;
        private final Duration beforeStart;

        private Handshake(WebSocketTunnel tunnel, Executor executor, Duration beforeStart)
        {
            super(MAX_REFUSAL_BYTES);
            this.tunnel = tunnel;
            this.executor = executor;
            this.beforeStart = beforeStart;
        }

        /** The HTTP client's choice of protocol for the handshake: {@code Upgrade} over HTTP/1.1, extended CONNECT over HTTP/2. */
        private HttpUpgrader over(HttpVersion version)
        {
            http2 = version == HttpVersion.HTTP_2;
            return this;
        }

        @Override
        public void prepare(Request request)
        {
            if (!http2)
                return;
            // RFC 8441 §4-5: CONNECT with :protocol websocket, and none of HTTP/1.1's upgrade fields or key.
            request.method(HttpMethod.CONNECT).attribute(HttpUpgrader.PROTOCOL_ATTRIBUTE, "websocket")
                .headers(headers -> headers.remove(HttpHeader.CONNECTION).remove(HttpHeader.UPGRADE).remove(HttpHeader.SEC_WEBSOCKET_KEY));
        }

        @Override
        public void upgrade(Response response, EndPoint endPoint, Callback callback)
        {
            // Over HTTP/2 the HTTP client calls this for a 2xx to the CONNECT: the stream is the WebSocket's.
            if (!http2 && !response.getHeaders().contains(HttpHeader.UPGRADE, "websocket"))
            {
                callback.failed(new HttpResponseException("101 to a protocol other than websocket: " + response.getHeaders().get(HttpHeader.UPGRADE),
                    response));
                return;
            }
            // Taken over here, on the HTTP client's thread, as Jetty's own WebSocket client does.
            UpstreamSide upstream = UpstreamSide.takeOver(endPoint, executor, tunnel, beforeStart);
            tunnel.upstream(upstream);
            callback.succeeded();
            if (!outcome.complete(new Upgraded(response)))
                upstream.close(null);
        }

        @Override
        public void onComplete(Result result)
        {
            if (result.isFailed())
                outcome.complete(result.getFailure());
            else
                outcome.complete(new Answered(result.getResponse(), getContent()));
        }
    }
}
