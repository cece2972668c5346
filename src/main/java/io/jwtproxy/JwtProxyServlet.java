package io.jwtproxy;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;

import io.jwtproxy.auth.Identity;
import io.jwtproxy.config.ProxyConfig;
import io.jwtproxy.config.UpstreamTransport;
import io.jwtproxy.exchange.BodyReader;
import io.jwtproxy.exchange.Container;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;
import io.jwtproxy.exchange.InterimResponses;
import io.jwtproxy.exchange.ResponseBody;
import io.jwtproxy.exchange.ResponseHead;
import io.jwtproxy.exchange.ServletRelay;
import io.jwtproxy.exchange.Retries;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.RequestPath;
import io.jwtproxy.pipeline.Forwarding;
import io.jwtproxy.pipeline.FrontDoor;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.runtime.UpstreamClient;
import io.jwtproxy.websocket.WebSocketProxy;

/**
 * Forwards every request to the configured upstream with a freshly minted token header.
 *
 * <p>Built on {@link AsyncProxyServlet}, chosen by measurement (Jetty 12.1.14, 2 shared cores): it
 * streams both bodies with non-blocking I/O and keeps {@code Content-Length} both ways. A 2 GB
 * full-duplex echo took 4.2-4.4 s through it with 64 KiB buffers, 5.8-6.4 s through the blocking
 * {@code ProxyServlet}; {@code AsyncMiddleManServlet} was as fast but re-chunks every response.</p>
 *
 * <p>Jetty's pipeline is kept, and each hook hands its work to a named part: {@link FrontDoor} (the
 * path, local answers, authentication), {@link Forwarding} (target, fields, the token), {@link ResponseHead},
 * {@link ResponseBody}, {@link InterimResponses}, {@link Failure}, {@link Retries}, {@link Exchange} (its events).</p>
 */
public class JwtProxyServlet extends AsyncProxyServlet
{
    /** The request attribute holding its caller's {@link Identity}, null when there is none. */
    private static final String CALLER_ATTRIBUTE = Identity.class.getName();
    /** The request attribute holding its path in normal form, below the context: what was decided on and is forwarded. */
    private static final String PATH_ATTRIBUTE = RequestPath.class.getName();

    private ProxyConfig config;
    private FrontDoor frontDoor;
    private Forwarding forwarding;
    private ServletRelay relay;
    private WebSocketProxy webSockets;
    private UpstreamClient upstream;

    @Override
    public void init(ServletConfig servletConfig) throws ServletException
    {
        ProxyRuntime runtime = BootListener.runtimeOf(servletConfig.getServletContext());
        config = runtime.proxy();
        frontDoor = new FrontDoor(runtime);
        forwarding = new Forwarding(runtime);
        Container container = Container.of(servletConfig.getServletContext().getServerInfo());
        relay = new ServletRelay(container, forwarding::relayable, config.maxResponseHeaderBytes());
        webSockets = new WebSocketProxy(config, forwarding::relayable);
        upstream = new UpstreamClient(config.transport());
        super.init(new ProxyServletParameters(servletConfig, config));
        upstream.watchClientCertificate(config.tlsWatchInterval());
    }

    @Override
    protected ClientConnector newClientConnector()
    {
        return upstream.newClientConnector();
    }

    @Override
    protected HttpClient newHttpClient(ClientConnector clientConnector)
    {
        return new HttpClient(upstream.newTransport(clientConnector));
    }

    @Override
    protected HttpClient newHttpClient()
    {
        HttpClient client = super.newHttpClient();
        UpstreamClient.limit(client, config);
        return client;
    }

    @Override
    protected HttpClient createHttpClient() throws ServletException
    {
        HttpClient client = super.createHttpClient();
        UpstreamClient.handleInterims(client,
            (proxyRequest, status, fields) -> relay.interim((HttpServletRequest)proxyRequest.getAttributes().get(CLIENT_REQUEST_ATTRIBUTE), status, fields));
        return client;
    }

    @Override
    public void destroy()
    {
        // Jetty's destroy() stops the HTTP client unconditionally: a servlet whose init() failed has none.
        if (getHttpClient() == null)
            return;
        // Before the HTTP client stops under them, with the access line saying why.
        webSockets.stop();
        upstream.close();
        super.destroy();
    }

    @Override
    protected void service(HttpServletRequest clientRequest, HttpServletResponse proxyResponse) throws ServletException, IOException
    {
        ClientRequest request = new ServletClientRequest(clientRequest);
        FrontDoor.Authenticated authenticated = ServletClientRequest.admit(frontDoor, request, clientRequest, proxyResponse);
        if (authenticated == null)
            return;
        Exchange exchange = authenticated.exchange();
        clientRequest.setAttribute(PATH_ATTRIBUTE, authenticated.path());
        clientRequest.setAttribute(CALLER_ATTRIBUTE, authenticated.caller());
        if (isHttp10(clientRequest))
        {
            // RFC 9112 §9.3: no persistent connection with an HTTP/1.0 client, even one that asks for keep-alive.
            proxyResponse.setHeader("Connection", "close");
        }
        try
        {
            if (authenticated.webSocket())
                // The same steps as any request (target, fields, a fresh token), then WebSocketProxy carries it out while service waits.
                webSockets.forward(clientRequest, proxyResponse, () ->
                {
                    String target = rewriteTarget(clientRequest);
                    return target == null ? null : newForwardedRequest(clientRequest, target);
                }, getHttpClient());
            else
                super.service(clientRequest, proxyResponse);
        }
        catch (Forwarding.MintingFailed x)
        {
            // Thrown from addProxyHeaders(), before anything was sent upstream: fail closed.
            mintingFailed(clientRequest, proxyResponse, x, "request not forwarded");
        }
        catch (RuntimeException | ServletException | IOException x)
        {
            // Escaped before the exchange went asynchronous: the container answers, the exchange is over.
            if (!clientRequest.isAsyncStarted())
            {
                exchange.fail(new Failure(HttpStatus.INTERNAL_SERVER_ERROR_500, "failed: " + Failure.describe(x)));
                exchange.finish(HttpStatus.INTERNAL_SERVER_ERROR_500, false);
            }
            throw x;
        }
    }

    /** The request to the upstream with Jetty's pipeline's fields and a fresh token; throws Forwarding.MintingFailed. */
    private Request newForwardedRequest(HttpServletRequest clientRequest, String target)
    {
        Request proxyRequest = newProxyRequest(clientRequest, target);
        copyRequestHeaders(clientRequest, proxyRequest);
        addProxyHeaders(clientRequest, proxyRequest);
        return proxyRequest;
    }

    /** Fails closed: without a token, nothing goes upstream. */
    private void mintingFailed(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Forwarding.MintingFailed x, String what)
    {
        _log.error("{}, token minting failed: {}", what, x.getCause().toString());
        Exchange.of(clientRequest).fail(Failure.MINTING_FAILED);
        sendProxyResponseError(clientRequest, proxyResponse, Failure.MINTING_FAILED.status());
    }

    private static boolean isHttp10(HttpServletRequest clientRequest)
    {
        return Forwarding.isHttp10(new ServletClientRequest(clientRequest));
    }

    @Override
    protected boolean expects100Continue(HttpServletRequest clientRequest)
    {
        // RFC 9110 §10.1.1: an HTTP/1.0 client's 100-continue expectation is ignored.
        return !isHttp10(clientRequest) && super.expects100Continue(clientRequest);
    }

    @Override
    protected String rewriteTarget(HttpServletRequest clientRequest)
    {
        return forwarding.target((String)clientRequest.getAttribute(PATH_ATTRIBUTE), clientRequest.getQueryString());
    }

    @Override
    protected void onProxyRewriteFailed(HttpServletRequest clientRequest, HttpServletResponse proxyResponse)
    {
        Exchange.of(clientRequest).fail(Failure.UNFORWARDABLE_TARGET);
        sendProxyResponseError(clientRequest, proxyResponse, Failure.UNFORWARDABLE_TARGET.status());
    }

    @Override
    protected void copyRequestHeaders(HttpServletRequest clientRequest, Request proxyRequest)
    {
        proxyRequest.headers(headers -> forwarding.copyFields(new ServletClientRequest(clientRequest), headers.clear()));
    }

    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest)
    {
        proxyRequest.headers(headers -> forwarding.addProxyFields(new ServletClientRequest(clientRequest), headers));
        Identity caller = (Identity)clientRequest.getAttribute(CALLER_ATTRIBUTE);
        Exchange exchange = Exchange.of(clientRequest);
        String target = proxyRequest.getURI().toString();
        String token = forwarding.mint(caller, clientRequest.getMethod(), target, exchange);
        proxyRequest.headers(headers -> forwarding.traceContext(exchange, clientRequest.getMethod(), target, headers.put(config.tokenHeader(), token)));
    }

    /** HTTP/2 frames a body itself: a request without Content-Length may still have one, which Jetty's version would drop. */
    @Override
    protected boolean hasContent(HttpServletRequest clientRequest)
    {
        return super.hasContent(clientRequest) || bodyOfUnknownLength(clientRequest);
    }

    private static boolean bodyOfUnknownLength(HttpServletRequest clientRequest)
    {
        return clientRequest.getContentLengthLong() < 0 && clientRequest.getProtocol().startsWith("HTTP/2");
    }

    @Override
    protected void sendProxyRequest(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Request proxyRequest)
    {
        Exchange.of(clientRequest).forwarded();
        // Jetty's version dumps every outgoing header at DEBUG, the token included: a token must never reach a log.
        Response.Listener listener = newProxyResponseListener(clientRequest, proxyResponse);
        Request.Content body = proxyRequest.getBody();
        if (body != null && bodyOfUnknownLength(clientRequest) && config.transport().protocol() == UpstreamTransport.Protocol.HTTP_1_1)
        {
            // HTTP/1.1 frames the body when the head goes: sent with its first piece, or as bodiless once it turns out to have none
            // (an HTTP/2 GET), rather than as an empty chunked body.
            body.demand(() ->
            {
                if (Exchange.of(clientRequest).bodyless())
                    proxyRequest.body(null);
                proxyRequest.send(listener);
            });
            return;
        }
        proxyRequest.send(listener);
    }

    @Override
    protected ReadListener newReadListener(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Request proxyRequest, AsyncRequestContent content)
    {
        return new BodyReader(clientRequest, content, getHttpClient().getRequestBufferSize());
    }

    /** Each end-to-end field as the upstream sent it; see {@link ResponseHead}. */
    @Override
    protected void onServerResponseHeaders(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse)
    {
        relay.head(clientRequest, proxyResponse, serverResponse);
    }

    @Override
    protected HttpField filterServerResponseHeader(HttpServletRequest clientRequest, Response serverResponse, HttpField field)
    {
        return forwarding.relayable(serverResponse.getHeaders(), field) ? field : null;
    }

    @Override
    protected Response.Listener newProxyResponseListener(HttpServletRequest clientRequest, HttpServletResponse proxyResponse)
    {
        return new ProxyResponseListener(clientRequest, proxyResponse)
        {
            @Override
            public void onContentSource(Response serverResponse, Content.Source source)
            {
                // Written as it comes and flushed when nothing more is at hand; see ResponseBody.
                new ResponseBody(proxyResponse, Exchange.of(clientRequest), () -> relay.trailers(clientRequest, proxyResponse, serverResponse))
                    .relay(serverResponse, source);
            }

            @Override
            public void onComplete(Result result)
            {
                // The upstream answered in full before it took the whole body (a 417 to Expect: 100-continue, a 413):
                // that answer is the client's as it was, where Jetty's listener would replace it with an error page.
                if (result.getResponseFailure() == null && result.getRequestFailure() != null && Exchange.of(clientRequest).failure() == null)
                    onProxyResponseSuccess(clientRequest, proxyResponse, result.getResponse());
                else
                    super.onComplete(result);
            }
        };
    }

    @Override
    protected int clientRequestStatus(Throwable failure)
    {
        return Failure.ofClientRequest(failure).status();
    }

    @Override
    protected void onClientRequestFailure(HttpServletRequest clientRequest, Request proxyRequest, HttpServletResponse proxyResponse, Throwable failure)
    {
        // Recorded first: the upstream failure the abort below causes must not replace the client's fault.
        Exchange.of(clientRequest).fail(Failure.ofClientRequest(failure));
        super.onClientRequestFailure(clientRequest, proxyRequest, proxyResponse, failure);
    }

    @Override
    protected int proxyResponseStatus(Throwable failure)
    {
        return Failure.ofUpstream(failure).status();
    }

    @Override
    protected void onProxyResponseSuccess(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse)
    {
        // The upstream's answer is complete once its body's end has been read, by which time ResponseBody has
        // counted every byte it writes; none (an empty body): its trailers, if any came, or its end with the head.
        if (Exchange.of(clientRequest).bytesOut() == 0 && !proxyResponse.isCommitted())
            relay.endWithoutBody(clientRequest, proxyResponse, serverResponse);
        // Logged before super completes the exchange: the request and response are recycled after that.
        Exchange.of(clientRequest).finish(serverResponse.getStatus(), false);
        super.onProxyResponseSuccess(clientRequest, proxyResponse, serverResponse);
    }

    @Override
    protected void onProxyResponseFailure(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse, Throwable failure)
    {
        if (Retries.retry(Exchange.of(clientRequest), hasContent(clientRequest), proxyResponse.isCommitted(), serverResponse, failure))
        {
            retryOnNewConnection(clientRequest, proxyResponse, serverResponse.getRequest().getURI().toString());
            return;
        }
        Exchange exchange = Exchange.of(clientRequest);
        exchange.fail(Failure.ofUpstream(failure));
        // An answer that did not arrive whole is not the upstream's answer: nothing of it reaches the client
        // but the status. Once committed, Jetty aborts the client connection instead (no final chunk, short of
        // any Content-Length), so that a truncated body never looks complete.
        if (!proxyResponse.isCommitted())
            proxyResponse.reset();
        sendProxyResponseError(clientRequest, proxyResponse, exchange.failure().status());
    }

    /** Sends the request again, with a fresh token, on a connection of its own that is closed afterwards. */
    private void retryOnNewConnection(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, String target)
    {
        Request proxyRequest;
        try
        {
            proxyRequest = newForwardedRequest(clientRequest, target);
        }
        catch (Forwarding.MintingFailed x)
        {
            mintingFailed(clientRequest, proxyResponse, x, "request not retried");
            return;
        }
        proxyRequest.timeout(getTimeout(), TimeUnit.MILLISECONDS);
        Retries.sendOnNewConnection(getHttpClient().resolveDestination(proxyRequest), proxyRequest, newProxyResponseListener(clientRequest, proxyResponse),
            connectFailure -> onProxyResponseFailure(clientRequest, proxyResponse, null, connectFailure));
    }

    @Override
    protected void sendProxyResponseError(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, int status)
    {
        // Every failure path of Jetty's pipeline ends here, before the exchange completes.
        boolean committed = proxyResponse.isCommitted();
        Exchange.of(clientRequest).finish(committed ? proxyResponse.getStatus() : status, committed);
        super.sendProxyResponseError(clientRequest, proxyResponse, status);
    }
}
