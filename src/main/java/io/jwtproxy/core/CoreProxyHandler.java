package io.jwtproxy.core;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.pipeline.Forwarding;
import io.jwtproxy.pipeline.FrontDoor;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.runtime.UpstreamClient;
import io.jwtproxy.config.ProxyConfig;
import io.jwtproxy.config.UpstreamTransport;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;
import io.jwtproxy.exchange.ResponseHead;
import io.jwtproxy.exchange.Retries;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.Headers;
import io.jwtproxy.websocket.WebSocketProxy;

/**
 * The jar's core engine: the proxy on Jetty's core handler API and its HTTP client, without the
 * servlet layer (its request and response wrappers, async context, listener chain and hand-offs),
 * which cost as much CPU per request as everything the proxy does. Every decision is the one
 * {@code JwtProxyServlet} makes, from the same code ({@link FrontDoor}, {@link Forwarding},
 * {@link ResponseHead}, {@link Retries}, {@link Failure}, {@link WebSocketProxy}); this class only
 * moves the request and the response between Jetty's server and its client.
 *
 * <p>Non-blocking end to end: Jetty may run {@link #handle} on the selector thread that read the
 * request, and every callback here (a body chunk written, the upstream's answer) is non-blocking.
 * What may wait (bcrypt, fetching an issuer's keys) runs on a bounded pool of its own.</p>
 */
public final class CoreProxyHandler extends Handler.Abstract.NonBlocking
{
    private static final Logger LOG = LoggerFactory.getLogger(CoreProxyHandler.class);
    /** The proxy-to-server request's attribute holding its {@link Leg}, for the interim responses. */
    private static final String LEG_ATTRIBUTE = Leg.class.getName();

    private final ProxyRuntime runtime;
    private final ProxyConfig config;
    private final FrontDoor frontDoor;
    private final Forwarding forwarding;
    private final UpstreamClient upstream;
    private final WebSocketProxy webSockets;
    private final ExecutorService authentication;
    private HttpClient client;
    /** The upstream's destination (its connection pool), resolved by the first request: every request goes to the one upstream. */
    private volatile Destination destination;

    /** @param authentication where checks that may wait run (see {@link FrontDoor#authenticationMayWait}); bounded, it refuses work when full */
    public CoreProxyHandler(ProxyRuntime runtime, ExecutorService authentication)
    {
        this.runtime = runtime;
        this.config = runtime.proxy();
        this.frontDoor = new FrontDoor(runtime);
        this.forwarding = new Forwarding(runtime);
        this.upstream = new UpstreamClient(config.transport());
        this.authentication = authentication;
        this.webSockets = new WebSocketProxy(config, forwarding::relayable);
    }

    @Override
    protected void doStart() throws Exception
    {
        client = upstream.newHttpClient(config, getServer().getThreadPool(), this::onServerInterimResponse);
        upstream.watchClientCertificate(config.tlsWatchInterval());
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception
    {
        // Before the HTTP client stops under them, with the access line saying why.
        webSockets.stop();
        super.doStop();
        client.stop();
        upstream.close();
        authentication.shutdownNow();
    }

    Forwarding forwarding()
    {
        return forwarding;
    }

    int maxResponseHeaderBytes()
    {
        return config.maxResponseHeaderBytes();
    }

    /** @return the HTTP client to the upstream, once started */
    public HttpClient httpClient()
    {
        return client;
    }

    @Override
    public boolean handle(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback)
    {
        ClientRequest request = new CoreClientRequest(clientToProxyRequest);
        FrontDoor.Step step = frontDoor.enter(request, clientToProxyRequest.getHttpURI().getPath());
        if (step instanceof FrontDoor.Admitted admitted && frontDoor.authenticationMayWait(request))
        {
            // bcrypt (~100 ms) or an issuer's keys: off the selector's thread, whose other connections go on meanwhile.
            try
            {
                authentication.execute(() -> proceed(request, clientToProxyRequest, authenticate(request, admitted), proxyToClientResponse,
                    proxyToClientCallback));
            }
            catch (RejectedExecutionException x)
            {
                Failure busy = new Failure(HttpStatus.SERVICE_UNAVAILABLE_503, "authentication unavailable: too many checks waiting");
                admitted.exchange().fail(busy);
                Leg.answer(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, Answer.empty(busy.status()).with(HttpHeader.RETRY_AFTER, "1"),
                    admitted.exchange());
            }
            return true;
        }
        if (step instanceof FrontDoor.Admitted admitted)
            step = frontDoor.authenticate(request, admitted);
        proceed(request, clientToProxyRequest, step, proxyToClientResponse, proxyToClientCallback);
        return true;
    }

    /** Authentication off Jetty's threads: whatever it throws still answers the request (500), which nothing else would. */
    private FrontDoor.Step authenticate(ClientRequest request, FrontDoor.Admitted admitted)
    {
        try
        {
            return frontDoor.authenticate(request, admitted);
        }
        catch (RuntimeException x)
        {
            Failure failure = new Failure(HttpStatus.INTERNAL_SERVER_ERROR_500, "authentication failed: " + Failure.describe(x));
            admitted.exchange().fail(failure);
            return new FrontDoor.Answered(Answer.empty(failure.status()), admitted.exchange());
        }
    }

    private void proceed(ClientRequest request, Request clientToProxyRequest, FrontDoor.Step step, Response proxyToClientResponse,
                         Callback proxyToClientCallback)
    {
        if (step instanceof FrontDoor.Answered answered)
        {
            Leg.answer(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, answered.answer(), answered.exchange());
            return;
        }
        FrontDoor.Authenticated authenticated = (FrontDoor.Authenticated)step;
        Exchange exchange = authenticated.exchange();
        Leg leg = new Leg(request, clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, exchange, authenticated);
        try
        {
            if (Forwarding.isHttp10(request))
                // RFC 9112 §9.3: no persistent connection with an HTTP/1.0 client, even one that asks for keep-alive.
                proxyToClientResponse.getHeaders().put(HttpHeader.CONNECTION, "close");
            String target = forwarding.target(authenticated.path(), request.getQueryString());
            if (target == null)
            {
                leg.failBeforeResponse(Failure.UNFORWARDABLE_TARGET);
                return;
            }
            if (authenticated.webSocket())
                forwardWebSocket(leg, target);
            else
                forward(leg, target);
        }
        catch (Forwarding.MintingFailed x)
        {
            // Before anything was sent upstream: fail closed.
            LOG.error("request not forwarded, token minting failed: {}", x.getCause().toString());
            leg.failBeforeResponse(Failure.MINTING_FAILED);
        }
        catch (RuntimeException x)
        {
            leg.failBeforeResponse(new Failure(HttpStatus.INTERNAL_SERVER_ERROR_500, "failed: " + Failure.describe(x)));
        }
    }

    /** The request to the upstream: its target, the fields {@link Forwarding} decides, and a fresh token. */
    org.eclipse.jetty.client.Request newProxyToServerRequest(Leg leg, String target)
    {
        org.eclipse.jetty.client.Request proxyToServerRequest = client.newRequest(target).method(leg.clientToProxyRequest().getMethod())
            .attribute(LEG_ATTRIBUTE, leg);
        // The client's User-Agent or none, never the HTTP client's own.
        proxyToServerRequest.headers(headers ->
        {
            forwarding.copyFields(leg.request(), headers.clear());
            forwarding.addProxyFields(leg.request(), headers);
        });
        String method = leg.clientToProxyRequest().getMethod();
        String uri = proxyToServerRequest.getURI().toString();
        String token = forwarding.mint(leg.authenticated().caller(), method, uri, leg.exchange());
        return proxyToServerRequest.headers(headers -> forwarding.traceContext(leg.exchange(), method, uri, headers.put(config.tokenHeader(), token)));
    }

    /**
     * Sends as {@code Request.send} does, without resolving the destination again for every request (HttpClient finds it in a
     * map keyed by a new Origin, under contention at 256 connections): the proxy has one upstream, and HttpClient keeps its
     * destinations while it runs.
     */
    private void send(org.eclipse.jetty.client.Request proxyToServerRequest, org.eclipse.jetty.client.Response.CompleteListener listener)
    {
        destination(proxyToServerRequest).send(proxyToServerRequest, listener);
    }

    Destination destination(org.eclipse.jetty.client.Request proxyToServerRequest)
    {
        Destination resolved = destination;
        if (resolved == null)
            destination = resolved = client.resolveDestination(proxyToServerRequest);
        return resolved;
    }

    private void forward(Leg leg, String target)
    {
        org.eclipse.jetty.client.Request proxyToServerRequest = newProxyToServerRequest(leg, target);
        ServerToProxy listener = new ServerToProxy(this, leg, target);
        leg.exchange().forwarded();
        if (!leg.hasBody())
        {
            send(proxyToServerRequest, listener);
            return;
        }
        ClientBody body = new ClientBody(leg.clientToProxyRequest(), leg.exchange());
        proxyToServerRequest.body(body);
        if (leg.clientToProxyRequest().getLength() < 0 && leg.http2() && config.transport().protocol() == UpstreamTransport.Protocol.HTTP_1_1)
        {
            // HTTP/1.1 frames the body when the head goes: sent with its first piece, or as bodiless once it turns out to have none
            // (an HTTP/2 GET), rather than as an empty chunked body.
            body.whenKnown(() ->
            {
                if (leg.exchange().bodyless())
                    proxyToServerRequest.body(null);
                send(proxyToServerRequest, listener);
            });
            return;
        }
        send(proxyToServerRequest, listener);
    }

    private void forwardWebSocket(Leg leg, String target)
    {
        org.eclipse.jetty.client.Request proxyToServerRequest = newProxyToServerRequest(leg, target);
        // Not a Leg for interim responses: a handshake's are consumed.
        proxyToServerRequest.attribute(LEG_ATTRIBUTE, null);
        webSockets.forward(leg.exchange(), leg.clientToProxyRequest(), leg.request().getHeader("Sec-WebSocket-Key"), proxyToServerRequest, client,
            new WebSocketProxy.Reply()
            {
                @Override
                public void switchingProtocols(List<HttpField> fields)
                {
                    // The tunnel ends the exchange when the WebSocket closes.
                    leg.proxyToClientResponse().setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
                    fields.forEach(leg.proxyToClientResponse().getHeaders()::put);
                    leg.proxyToClientCallback().succeeded();
                }

                @Override
                public void answer(int status, List<HttpField> fields, byte[] body)
                {
                    HttpFields.Mutable head = HttpFields.build();
                    fields.forEach(head::add);
                    head.remove(HttpHeader.CONTENT_LENGTH);
                    Leg.answer(leg.clientToProxyRequest(), leg.proxyToClientResponse(), leg.proxyToClientCallback(),
                        new Answer(status, head, body), leg.exchange());
                }

                @Override
                public void fail(Failure failure)
                {
                    leg.failBeforeResponse(failure);
                }
            });
    }

    /** The upstream's interim responses (102, 103; 100 is Jetty's): sent on where the client can take them (RFC 9110 §15.2). */
    private void onServerInterimResponse(org.eclipse.jetty.client.Request proxyToServerRequest, int status, HttpFields fields)
    {
        // Jetty sends 102 and 103, as the servlet engine in Jetty does; any other is consumed, and the final response follows.
        if (!(proxyToServerRequest.getAttributes().get(LEG_ATTRIBUTE) instanceof Leg leg) || Forwarding.isHttp10(leg.request())
            || leg.proxyToClientResponse().isCommitted() || (status != HttpStatus.PROCESSING_102 && status != HttpStatus.EARLY_HINTS_103))
            return;
        HttpFields.Mutable relayed = HttpFields.build();
        for (HttpField field : fields)
        {
            if (!Headers.isHopByHop(field.getName()) && forwarding.relayable(fields, field))
                relayed.add(field);
        }
        leg.exchange().interimRelayed();
        leg.proxyToClientResponse().writeInterim(status, relayed).whenComplete((ignored, failure) ->
        {
            if (failure != null)
                LOG.debug("interim response {} not relayed", status, failure);
        });
    }
}
