package io.jwtproxy;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards every request to the configured upstream with a freshly minted token header.
 *
 * <p>Built on {@link AsyncProxyServlet}, chosen by measurement (Jetty 12.1.14, 2 shared cores,
 * loopback, stock servlets in front of {@link EchoServlet}): it streams both bodies with
 * non-blocking servlet I/O and keeps {@code Content-Length} both ways. A 2 GB full-duplex echo took
 * 4.2-4.4 s through it with 64 KiB buffers, against 5.8-6.4 s through the blocking
 * {@code ProxyServlet}, which also holds a thread for the whole of each transfer.
 * {@code AsyncMiddleManServlet} was as fast but drops the upstream's {@code Content-Length} and
 * re-chunks every response. For 1 KiB POSTs the three were within the noise of each other.</p>
 *
 * <p>Jetty's pipeline is kept; its hooks decide the target (upstream + path + raw query), the
 * request headers (client copies of the token header and, unless trusted, of the forwarding
 * headers dropped; Via, Forwarded, X-Forwarded-* and the fresh token added), the response headers
 * (the token and fields named by the upstream's {@code Connection} dropped) and the failure
 * statuses. Before the pipeline, {@link #service} answers what must not be forwarded: CONNECT,
 * TRACE and OPTIONS with {@code Max-Forwards: 0}. See docs/hardening.md.</p>
 */
public class JwtProxyServlet extends AsyncProxyServlet
{
    private static final Logger ACCESS = LoggerFactory.getLogger("io.jwtproxy.access");
    private static final String EXCHANGE_ATTRIBUTE = Exchange.class.getName();

    /**
     * Init parameters of Jetty's proxy servlet that this product sets differently from Jetty;
     * web.xml may still override each of them.
     */
    static final Map<String, String> DEFAULT_INIT_PARAMETERS = Map.of(
        // Jetty's "timeout" is a total exchange timeout (60 s by default) that cuts any large
        // transfer however healthy; idleTimeout still ends a stalled upstream.
        "timeout", "0",
        // 64 KiB buffers: a 2 GB full-duplex echo took 4.2-4.4 s instead of 6.2-7.1 s with HttpClient's defaults.
        "requestBufferSize", "65536",
        "responseBufferSize", "65536");

    /** The standard methods the proxy forwards, for Allow when it answers OPTIONS or 405 itself; extension methods are forwarded too. */
    static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    private ProxyConfig config;
    private Upstream upstream;
    private String tokenHeader;
    private JwtMinter minter;
    private ProxyStats stats;
    /** Serves the public keys; null with HS512, whose secret is never published. */
    private KeyPublisher publisher;
    private InterimResponses interims;

    @Override
    public void init(ServletConfig servletConfig) throws ServletException
    {
        config = BootListener.config(servletConfig.getServletContext());
        // The product's settings decide Jetty's idle timeout and Via name, whatever an init-param says.
        super.init(new DefaultingServletConfig(servletConfig, Map.of(
            "idleTimeout", Long.toString(config.upstreamIdleTimeout().toMillis()),
            "viaHost", config.viaPseudonym())));
    }

    @Override
    public void init() throws ServletException
    {
        upstream = config.upstream();
        tokenHeader = config.jwtHeader();
        minter = newMinter(config);
        stats = BootListener.stats(getServletContext());
        KeyRing keys = BootListener.keys(getServletContext());
        publisher = keys == null ? null : new KeyPublisher(keys, config.tokens());
        interims = new InterimResponses(getServletContext().getServerInfo());
        super.init();
    }

    @Override
    protected HttpClient newHttpClient()
    {
        HttpClient client = super.newHttpClient();
        client.setConnectTimeout(config.upstreamConnectTimeout().toMillis());
        // A larger head could not be relayed (onServerResponseHeaders refuses it): no point in reading it.
        client.setMaxResponseHeadersSize(config.maxResponseHeaderBytes());
        return client;
    }

    @Override
    protected HttpClient createHttpClient() throws ServletException
    {
        HttpClient client = super.createHttpClient();
        // After Jetty's handler of 100 Continue: the other interim responses, relayed instead of taken for the final one.
        client.getProtocolHandlers().put(InterimResponses.handler(this::relayInterim));
        return client;
    }

    @Override
    public void destroy()
    {
        // Jetty's destroy() stops the HTTP client unconditionally: a servlet whose init() failed has none.
        if (getHttpClient() != null)
            super.destroy();
    }

    /** @return the minter of this servlet's tokens; an override point for other clocks or id sources */
    protected JwtMinter newMinter(ProxyConfig config)
    {
        return JwtMinter.forConfig(config, BootListener.keys(getServletContext()));
    }

    @Override
    protected void service(HttpServletRequest clientRequest, HttpServletResponse proxyResponse) throws ServletException, IOException
    {
        stats.requestReceived();
        String method = clientRequest.getMethod();
        Exchange exchange = new Exchange(method, clientRequest.getRequestURI());
        clientRequest.setAttribute(EXCHANGE_ATTRIBUTE, exchange);
        if (!method.equals(method.toUpperCase(Locale.ROOT)))
        {
            // RFC 9110 §9.1: methods are case-sensitive, and Jetty's HTTP client would send this one upper-cased.
            answer(proxyResponse, exchange, HttpStatus.BAD_REQUEST_400, "method with lower-case letters cannot be forwarded unchanged");
            return;
        }
        if (HttpMethod.CONNECT.is(method))
        {
            // A reverse proxy is no tunnel: forwarded, CONNECT would ask the upstream to open one.
            answer(proxyResponse, exchange, HttpStatus.NOT_IMPLEMENTED_501, "CONNECT is not supported");
            return;
        }
        if (HttpMethod.TRACE.is(method))
        {
            // Policy (RFC 9110 §9.3.8 allows it): TRACE would reflect the request, token included, back to the client.
            answer(proxyResponse, exchange, HttpStatus.METHOD_NOT_ALLOWED_405, "TRACE is refused");
            return;
        }
        if (publisher != null)
        {
            String path = clientRequest.getRequestURI().substring(clientRequest.getContextPath().length());
            if (publisher.serves(path))
            {
                // The proxy's own keys: answered here, never forwarded.
                finish(exchange, publisher.serve(clientRequest, proxyResponse, path));
                return;
            }
        }
        if (HttpMethod.OPTIONS.is(method) && clientRequest.getHeader("Max-Forwards") != null)
        {
            long maxForwards = maxForwards(clientRequest);
            if (maxForwards < 0)
            {
                answer(proxyResponse, exchange, HttpStatus.BAD_REQUEST_400, "invalid Max-Forwards");
                return;
            }
            if (maxForwards == 0)
            {
                // RFC 9110 §7.6.2: the last recipient allowed to forward answers itself.
                answer(proxyResponse, exchange, HttpStatus.OK_200, null);
                return;
            }
        }
        if (isHttp10(clientRequest))
        {
            // RFC 9112 §9.3: no persistent connection with an HTTP/1.0 client, even one that asks for keep-alive.
            proxyResponse.setHeader("Connection", "close");
        }
        try
        {
            super.service(clientRequest, proxyResponse);
        }
        catch (TokenMintingException x)
        {
            // Thrown from addProxyHeaders(), before anything was sent upstream: fail closed.
            _log.error("request not forwarded, token minting failed: {}", x.getCause().toString());
            exchange.problem = "token minting failed";
            sendProxyResponseError(clientRequest, proxyResponse, HttpStatus.INTERNAL_SERVER_ERROR_500);
        }
        catch (RuntimeException | ServletException | IOException x)
        {
            // Escaped before the exchange went asynchronous: the container answers, the exchange is over.
            if (!clientRequest.isAsyncStarted())
            {
                exchange.problem = "failed: " + describe(x);
                finish(exchange, HttpStatus.INTERNAL_SERVER_ERROR_500);
            }
            throw x;
        }
    }

    /** Answers without forwarding: an empty response, listing the standard methods where Allow belongs (405, OPTIONS). */
    private static void answer(HttpServletResponse proxyResponse, Exchange exchange, int status, String problem)
    {
        exchange.problem = problem;
        proxyResponse.setStatus(status);
        if (status == HttpStatus.METHOD_NOT_ALLOWED_405 || status == HttpStatus.OK_200)
            proxyResponse.setHeader("Allow", ALLOWED_METHODS);
        proxyResponse.setContentLength(0);
        finish(exchange, status);
    }

    /** @return the Max-Forwards value, or -1 when it is not a non-negative integer */
    private static long maxForwards(HttpServletRequest clientRequest)
    {
        String value = clientRequest.getHeader("Max-Forwards").trim();
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit))
            return -1;
        return Long.parseLong(value);
    }

    private static boolean isHttp10(HttpServletRequest clientRequest)
    {
        return "HTTP/1.0".equals(clientRequest.getProtocol());
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
        String path = clientRequest.getRequestURI().substring(clientRequest.getContextPath().length());
        String target = upstream.target(path, clientRequest.getQueryString());
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

    @Override
    protected void onProxyRewriteFailed(HttpServletRequest clientRequest, HttpServletResponse proxyResponse)
    {
        exchange(clientRequest).problem = "request target cannot be forwarded";
        sendProxyResponseError(clientRequest, proxyResponse, HttpStatus.BAD_REQUEST_400);
    }

    @Override
    protected void copyRequestHeaders(HttpServletRequest clientRequest, Request proxyRequest)
    {
        // Jetty drops the hop-by-hop fields and those named by the client's Connection header.
        super.copyRequestHeaders(clientRequest, proxyRequest);
        boolean http10 = isHttp10(clientRequest);
        proxyRequest.headers(headers ->
        {
            for (ListIterator<HttpField> fields = headers.listIterator(); fields.hasNext(); )
            {
                HttpField field = fields.next();
                String name = field.getName();
                // Any spelling of what the proxy sets or vouches for, underscores included, is the client's forgery.
                if (Headers.sameNameIgnoringUnderscore(name, tokenHeader)
                    || Headers.isForwardingLookAlike(name)
                    || (!config.trustForwarded() && Headers.isForwarding(name))
                    || (http10 && field.getHeader() == HttpHeader.EXPECT))
                    fields.remove();
            }
            if (HttpMethod.OPTIONS.is(clientRequest.getMethod()) && headers.contains(HttpHeader.MAX_FORWARDS))
                headers.put(HttpHeader.MAX_FORWARDS, Long.toString(maxForwards(clientRequest) - 1));
        });
    }

    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest)
    {
        // Via (Jetty's, with VIA_PSEUDONYM) and Forwarded (addForwardedHeader below).
        super.addProxyHeaders(clientRequest, proxyRequest);
        addXForwardedHeaders(clientRequest, proxyRequest);
        String token;
        try
        {
            String targetUri = null;
            if (config.tokens().bindRequest())
            {
                String uri = proxyRequest.getURI().toString();
                int query = uri.indexOf('?');
                targetUri = query < 0 ? uri : uri.substring(0, query);
            }
            token = minter.mint(clientRequest.getRemoteUser(), clientRequest.getMethod(), targetUri);
            stats.tokenMinted();
        }
        catch (RuntimeException x)
        {
            throw new TokenMintingException(x);
        }
        proxyRequest.headers(headers -> headers.put(tokenHeader, token));
    }

    /**
     * RFC 7239 §4: one element for this hop, appended to the client's (kept only when trusted).
     * Jetty's own writes {@code host=null} for a request without Host (HTTP/1.0).
     */
    @Override
    protected void addForwardedHeader(HttpServletRequest clientRequest, Request proxyRequest)
    {
        StringBuilder element = new StringBuilder()
            .append("by=").append(node(clientRequest.getLocalAddr()))
            .append(";for=").append(node(clientRequest.getRemoteAddr()));
        String host = clientRequest.getHeader("Host");
        if (host != null)
            element.append(";host=\"").append(host.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        element.append(";proto=").append(clientRequest.getScheme());
        proxyRequest.headers(headers ->
        {
            String earlier = headers.get(HttpHeader.FORWARDED);
            headers.put(HttpHeader.FORWARDED, earlier == null ? element.toString() : earlier + ", " + element);
        });
    }

    // RFC 7239 §6: a node is quoted, an IPv6 address in brackets.
    private static String node(String address)
    {
        return address.indexOf(':') >= 0 && !address.startsWith("[") ? "\"[" + address + "]\"" : "\"" + address + "\"";
    }

    /** The de-facto X-Forwarded-* headers beside Forwarded, for upstreams that read only those. */
    private void addXForwardedHeaders(HttpServletRequest clientRequest, Request proxyRequest)
    {
        String clientAddress = clientRequest.getRemoteAddr();
        String host = clientRequest.getHeader("Host");
        String scheme = clientRequest.getScheme();
        proxyRequest.headers(headers ->
        {
            String forwardedFor = headers.get(HttpHeader.X_FORWARDED_FOR);
            headers.put(HttpHeader.X_FORWARDED_FOR, forwardedFor == null ? clientAddress : forwardedFor + ", " + clientAddress);
            // A trusted earlier proxy saw the original protocol and host; otherwise they are this hop's.
            if (!headers.contains(HttpHeader.X_FORWARDED_PROTO))
                headers.put(HttpHeader.X_FORWARDED_PROTO, scheme);
            if (host != null && !headers.contains(HttpHeader.X_FORWARDED_HOST))
                headers.put(HttpHeader.X_FORWARDED_HOST, host);
        });
    }

    @Override
    protected void sendProxyRequest(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Request proxyRequest)
    {
        // Jetty's version dumps every outgoing header at DEBUG, the token included: a token must never reach a log.
        proxyRequest.send(newProxyResponseListener(clientRequest, proxyResponse));
    }

    /**
     * Copies the upstream's response head as it came: each end-to-end field with its value as
     * received, in the upstream's order and repetition. Jetty's version re-joins each value from a
     * quoted-string parse: it removed quotes and escapes, and one value it could not parse (JSON in
     * NEL, a lone {@code "}) lost that field and every field after it.
     */
    @Override
    protected void onServerResponseHeaders(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse)
    {
        int status = serverResponse.getStatus();
        List<HttpField> relayed = new ArrayList<>(serverResponse.getHeaders().size());
        for (HttpField field : serverResponse.getHeaders())
        {
            // RFC 9110 §8.6: a 204 has no Content-Length (and a body it sent anyway dies with the upstream connection).
            if (HOP_HEADERS.contains(field.getLowerCaseName()) || (status == HttpStatus.NO_CONTENT_204 && field.getHeader() == HttpHeader.CONTENT_LENGTH))
                continue;
            HttpField kept = filterServerResponseHeader(clientRequest, serverResponse, field);
            if (kept != null)
                relayed.add(kept);
        }
        int headBytes = headBytes(relayed);
        if (headBytes > config.maxResponseHeaderBytes())
        {
            serverResponse.abort(new UnrelayableResponseException("the response head would take " + headBytes + " bytes, more than "
                + Setting.MAX_RESPONSE_HEADER_BYTES + " (" + config.maxResponseHeaderBytes() + ")", null));
            return;
        }
        try
        {
            copy(relayed, proxyResponse);
            if (status == HttpStatus.NOT_MODIFIED_304 && !serverResponse.getHeaders().contains(HttpHeader.CONTENT_LENGTH))
            {
                // Committed now: Jetty's server gives a response completed without Content-Length one of 0, and a
                // 304's Content-Length would claim the 200 it stands for has an empty body (RFC 9110 §8.6).
                proxyResponse.flushBuffer();
            }
        }
        catch (IOException | RuntimeException x)
        {
            serverResponse.abort(new UnrelayableResponseException("the response head cannot be relayed: " + describe(x), x));
        }
    }

    @Override
    protected HttpField filterServerResponseHeader(HttpServletRequest clientRequest, Response serverResponse, HttpField field)
    {
        return relayable(serverResponse.getHeaders(), field) ? field : null;
    }

    /** @return whether an end-to-end field of the upstream's head {@code head} goes on to the client */
    private boolean relayable(HttpFields head, HttpField field)
    {
        // The token is for the upstream only, even if it echoes it back; the demo's echo upstream shows it on purpose.
        if (!config.demoUpstream() && Headers.sameNameIgnoringUnderscore(field.getName(), tokenHeader))
            return false;
        // RFC 9110 §7.6.1: nor does a field the upstream's Connection header names.
        return !head.contains(HttpHeader.CONNECTION) || !Headers.namedByConnection(head.getValuesList(HttpHeader.CONNECTION), field.getName());
    }

    /**
     * What the client's head takes for these fields: each as {@code name: value CRLF}, plus room for
     * the status line and what the container adds itself (Date, Content-Length or Transfer-Encoding,
     * Connection, Keep-Alive), so that the container never has to fail a head the proxy accepted.
     */
    static int headBytes(List<HttpField> fields)
    {
        int bytes = 256;
        for (HttpField field : fields)
            bytes += field.getName().length() + field.getValue().length() + 4;
        return bytes;
    }

    private static void copy(List<HttpField> fields, HttpServletResponse proxyResponse)
    {
        Set<String> names = new HashSet<>();
        for (HttpField field : fields)
        {
            // The first of a name replaces what the container set itself: Jetty's Date can be replaced, in
            // its place at the top, but not removed. The others are added, in the upstream's order.
            if (names.add(field.getLowerCaseName()))
                proxyResponse.setHeader(field.getName(), field.getValue());
            else
                proxyResponse.addHeader(field.getName(), field.getValue());
        }
    }

    /**
     * Relays an interim response (102, 103, ...) the upstream sent before its final one, where the
     * container can send it and the client can take it (RFC 9110 §15.2: never to HTTP/1.0). Its
     * fields are set for the interim response only and removed before the final one is copied.
     */
    private void relayInterim(Request proxyRequest, int status, HttpFields fields)
    {
        HttpServletRequest clientRequest = (HttpServletRequest)proxyRequest.getAttributes().get(CLIENT_REQUEST_ATTRIBUTE);
        HttpServletResponse proxyResponse = (HttpServletResponse)clientRequest.getAsyncContext().getResponse();
        if (isHttp10(clientRequest) || proxyResponse.isCommitted() || !interims.canSend(status, proxyResponse))
        {
            if (_log.isDebugEnabled())
                _log.debug("interim response {} of {} not relayed", status, clientRequest.getRequestURI());
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        try
        {
            for (HttpField field : fields)
            {
                if (!HOP_HEADERS.contains(field.getLowerCaseName()) && relayable(fields, field))
                {
                    proxyResponse.addHeader(field.getName(), field.getValue());
                    names.add(field.getName());
                }
            }
            interims.send(status, proxyResponse);
            exchange(clientRequest).interimRelayed = true;
        }
        catch (IOException | RuntimeException x)
        {
            // The client went away or the container refused it: the final response, or its failure, still ends the exchange.
            _log.debug("interim response {} not relayed", status, x);
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

    @Override
    protected ReadListener newReadListener(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Request proxyRequest, AsyncRequestContent content)
    {
        return new BodyReader(clientRequest, content);
    }

    /**
     * Forwards the client's body as it arrives, one read at a time, each read waiting until the
     * HTTP client has taken the last. Jetty's own reader allocates a full request buffer per
     * request (64 KiB here, for large bodies); this one is no larger than a known Content-Length,
     * so a small POST costs a small array.
     */
    private final class BodyReader extends IteratingCallback implements ReadListener
    {
        private final HttpServletRequest clientRequest;
        private final AsyncRequestContent content;
        private final Exchange exchange;
        private final byte[] buffer;

        private BodyReader(HttpServletRequest clientRequest, AsyncRequestContent content)
        {
            this.clientRequest = clientRequest;
            this.content = content;
            this.exchange = exchange(clientRequest);
            int bufferSize = getHttpClient().getRequestBufferSize();
            long length = clientRequest.getContentLengthLong();
            this.buffer = new byte[length >= 0 && length < bufferSize ? (int)Math.max(1, length) : bufferSize];
        }

        @Override
        public void onDataAvailable()
        {
            iterate();
        }

        @Override
        public void onAllDataRead()
        {
            content.close();
        }

        @Override
        public void onError(Throwable failure)
        {
            content.fail(failure);
        }

        @Override
        protected Action process() throws IOException
        {
            ServletInputStream input = clientRequest.getInputStream();
            while (input.isReady())
            {
                int read = input.read(buffer);
                if (read < 0)
                    return Action.SUCCEEDED;
                if (read > 0)
                {
                    exchange.bytesIn += read;
                    content.write(ByteBuffer.wrap(buffer, 0, read), this);
                    return Action.SCHEDULED;
                }
            }
            return Action.IDLE;
        }

        @Override
        protected void onFailure(Throwable failure)
        {
            onError(failure);
        }

        @Override
        public InvocationType getInvocationType()
        {
            return InvocationType.NON_BLOCKING;
        }
    }

    @Override
    protected Response.Listener newProxyResponseListener(HttpServletRequest clientRequest, HttpServletResponse proxyResponse)
    {
        return new ProxyResponseListener(clientRequest, proxyResponse)
        {
            // Jetty's listener copies each chunk of the upstream's answer into a new array; this one
            // reuses its array: the next chunk is only demanded once the last has been written.
            private byte[] copy;

            @Override
            public void onContent(Response serverResponse, Content.Chunk chunk, Runnable demander)
            {
                ByteBuffer content = chunk.getByteBuffer();
                int length = content.remaining();
                if (copy == null || copy.length < length)
                    copy = new byte[length];
                content.get(copy, 0, length);
                onResponseContent(clientRequest, proxyResponse, serverResponse, copy, 0, length,
                    Callback.from(demander, serverResponse::abort));
            }

            @Override
            public void onComplete(Result result)
            {
                // The upstream answered in full before it took the whole body (a 417 to Expect: 100-continue, a 413):
                // that answer is the client's as it was, where Jetty's listener would replace it with an error page.
                if (result.getResponseFailure() == null && result.getRequestFailure() != null && exchange(clientRequest).clientStatus == 0)
                    onProxyResponseSuccess(clientRequest, proxyResponse, result.getResponse());
                else
                    super.onComplete(result);
            }
        };
    }

    @Override
    protected void onResponseContent(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse, byte[] buffer, int offset, int length, Callback callback)
    {
        exchange(clientRequest).bytesOut += length;
        super.onResponseContent(clientRequest, proxyResponse, serverResponse, buffer, offset, length, callback);
    }

    @Override
    protected int clientRequestStatus(Throwable failure)
    {
        // Reading the client's body failed: a timeout or malformed body is the client's fault;
        // anything else broke on the upstream side while the body was being forwarded.
        if (failure instanceof TimeoutException)
            return HttpStatus.REQUEST_TIMEOUT_408;
        if (failure instanceof HttpException || failure.getCause() instanceof HttpException)
            return HttpStatus.BAD_REQUEST_400;
        return HttpStatus.BAD_GATEWAY_502;
    }

    @Override
    protected void onClientRequestFailure(HttpServletRequest clientRequest, Request proxyRequest, HttpServletResponse proxyResponse, Throwable failure)
    {
        Exchange exchange = exchange(clientRequest);
        exchange.problem = "client request failed: " + describe(failure);
        // The client's fault (a malformed or stalled body) must not show as the upstream's (502).
        exchange.clientStatus = clientRequestStatus(failure);
        super.onClientRequestFailure(clientRequest, proxyRequest, proxyResponse, failure);
    }

    @Override
    protected int proxyResponseStatus(Throwable failure)
    {
        // Jetty's server raises HttpException for the client's malformed body (a bad chunk, say);
        // the HTTP client reports the upstream's protocol errors as HttpResponseException instead.
        if (failure instanceof HttpException)
            return HttpStatus.BAD_REQUEST_400;
        return super.proxyResponseStatus(failure);
    }

    @Override
    protected void onProxyResponseSuccess(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse)
    {
        // Logged before super completes the exchange: the request and response are recycled after that.
        finish(exchange(clientRequest), serverResponse.getStatus());
        super.onProxyResponseSuccess(clientRequest, proxyResponse, serverResponse);
    }

    @Override
    protected void onProxyResponseFailure(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse, Throwable failure)
    {
        Exchange exchange = exchange(clientRequest);
        if (retriable(clientRequest, proxyResponse, serverResponse, failure, exchange))
        {
            retryOnNewConnection(clientRequest, proxyResponse, serverResponse.getRequest().getURI().toString(), failure);
            return;
        }
        int status;
        if (exchange.clientStatus == HttpStatus.BAD_REQUEST_400 || exchange.clientStatus == HttpStatus.REQUEST_TIMEOUT_408)
        {
            // Aborted because the client's body failed; nothing complete went upstream.
            status = exchange.clientStatus;
        }
        else
        {
            status = proxyResponseStatus(failure);
            if (exchange.problem == null || exchange.retried)
            {
                String problem = failure instanceof UnrelayableResponseException ? failure.getMessage()
                    : (failure instanceof HttpException ? "client request failed: " : "upstream failed: ") + describe(failure);
                exchange.problem = exchange.retried ? problem + ", " + exchange.problem : problem;
            }
        }
        // An upstream answer that did not arrive whole is not the upstream's answer: nothing of it reaches the
        // client but the status 502/504 says. Once committed, Jetty aborts the client connection instead
        // (no final chunk, short of any Content-Length).
        if (!proxyResponse.isCommitted())
            proxyResponse.reset();
        sendProxyResponseError(clientRequest, proxyResponse, status);
    }

    /**
     * RFC 9110 §9.2.2: a request whose method is idempotent may be repeated. One is, once and on a
     * new connection, when a reused connection failed under it before any byte of the answer came
     * back: the upstream had closed the connection while the proxy kept it pooled. A request whose
     * body was being read from the client is never repeated: that body is gone.
     */
    private boolean retriable(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse, Throwable failure,
                              Exchange exchange)
    {
        return !exchange.retried && !exchange.interimRelayed && IDEMPOTENT.contains(clientRequest.getMethod()) && !hasContent(clientRequest)
            && !proxyResponse.isCommitted() && serverResponse != null && serverResponse.getStatus() == 0
            && !(failure instanceof TimeoutException) && (failure instanceof IOException || failure.getCause() instanceof IOException)
            && serverResponse.getRequest().getConnection() instanceof org.eclipse.jetty.io.Connection connection && connection.getMessagesIn() > 0;
    }

    /** RFC 9110 §9.2.2, less TRACE, which the proxy answers itself. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    /** Sends the request again, with a fresh token, on a connection of its own that is closed afterwards. */
    private void retryOnNewConnection(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, String target, Throwable failure)
    {
        Exchange exchange = exchange(clientRequest);
        exchange.retried = true;
        exchange.problem = "retried on a new connection after " + describe(failure) + " on a reused one";
        Request proxyRequest = newProxyRequest(clientRequest, target);
        copyRequestHeaders(clientRequest, proxyRequest);
        try
        {
            addProxyHeaders(clientRequest, proxyRequest);
        }
        catch (TokenMintingException x)
        {
            _log.error("request not retried, token minting failed: {}", x.getCause().toString());
            exchange.problem = "token minting failed";
            sendProxyResponseError(clientRequest, proxyResponse, HttpStatus.INTERNAL_SERVER_ERROR_500);
            return;
        }
        proxyRequest.timeout(getTimeout(), TimeUnit.MILLISECONDS);
        getHttpClient().resolveDestination(proxyRequest).newConnection().whenComplete((connection, connectFailure) ->
        {
            if (connectFailure != null)
            {
                onProxyResponseFailure(clientRequest, proxyResponse, null, connectFailure);
                return;
            }
            // A connection outside the pool: the pool would hand out the next stale one.
            proxyRequest.onComplete(result -> connection.close());
            connection.send(proxyRequest, newProxyResponseListener(clientRequest, proxyResponse));
        });
    }

    @Override
    protected void sendProxyResponseError(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, int status)
    {
        // Every failure path of Jetty's pipeline ends here, before the exchange completes.
        Exchange exchange = exchange(clientRequest);
        if (proxyResponse.isCommitted())
            exchange.problem = "aborted mid-response, " + exchange.problem;
        finish(exchange, proxyResponse.isCommitted() ? proxyResponse.getStatus() : status);
        super.sendProxyResponseError(clientRequest, proxyResponse, status);
    }

    /** Ends an exchange exactly once, with its access line. */
    private static void finish(Exchange exchange, int status)
    {
        if (exchange.finished.getAndSet(true) || !ACCESS.isInfoEnabled())
            return;
        String millis = String.format("%.1f", (System.nanoTime() - exchange.startNanos) / 1e6);
        if (exchange.problem == null)
            ACCESS.info("{} {} {} in={} out={} {}ms", exchange.method, exchange.path, status, exchange.bytesIn, exchange.bytesOut, millis);
        else
            ACCESS.info("{} {} {} in={} out={} {}ms {}", exchange.method, exchange.path, status, exchange.bytesIn, exchange.bytesOut, millis, exchange.problem);
    }

    /** @return the failure's type and the first clause of its message, and its cause's, without Jetty's connection dumps */
    static String describe(Throwable failure)
    {
        String described = describeOne(failure);
        Throwable cause = failure.getCause();
        return cause == null || cause == failure ? described : described + " (" + describeOne(cause) + ")";
    }

    private static String describeOne(Throwable failure)
    {
        String message = failure.getMessage();
        int dump = message == null ? -1 : message.indexOf("oej");
        if (dump >= 0)
            message = message.substring(0, dump).replaceFirst("\\s*\\bon\\s*$", "").strip();
        if (message != null && message.length() > 120)
            message = message.substring(0, 120) + "…";
        String type = failure.getClass().getSimpleName();
        return message == null || message.isEmpty() ? type : type + ": " + message;
    }

    private static Exchange exchange(HttpServletRequest clientRequest)
    {
        return (Exchange)clientRequest.getAttribute(EXCHANGE_ATTRIBUTE);
    }

    /**
     * Per-request figures for the access line, captured up front because the servlet request is
     * recycled once the exchange completes. Each counter has a single writer: the read or the write side.
     */
    private static final class Exchange
    {
        private final long startNanos = System.nanoTime();
        private final String method;
        private final String path;
        private volatile long bytesIn;
        private volatile long bytesOut;
        private volatile String problem;
        private volatile int clientStatus;
        private volatile boolean interimRelayed;
        private volatile boolean retried;
        private final AtomicBoolean finished = new AtomicBoolean();

        private Exchange(String method, String path)
        {
            this.method = method;
            this.path = path;
        }
    }

    /** The upstream's answer cannot be relayed as it came: the client gets 502 instead. */
    private static final class UnrelayableResponseException extends RuntimeException
    {
        private UnrelayableResponseException(String message, Throwable cause)
        {
            super(message, cause);
        }
    }

    private static final class TokenMintingException extends RuntimeException
    {
        private TokenMintingException(Throwable cause)
        {
            super(cause);
        }
    }

    /**
     * Supplies {@link #DEFAULT_INIT_PARAMETERS}, values derived from the product's settings, and
     * outside Jetty a thread pool size: Jetty's proxy servlet otherwise fails with "No server
     * executor for proxy" on Tomcat.
     */
    private static final class DefaultingServletConfig implements ServletConfig
    {
        private final ServletConfig delegate;
        private final Map<String, String> defaults;
        private final Map<String, String> settings;

        private DefaultingServletConfig(ServletConfig delegate, Map<String, String> settings)
        {
            this.delegate = delegate;
            this.settings = settings;
            this.defaults = new HashMap<>(DEFAULT_INIT_PARAMETERS);
            ServletContext context = delegate.getServletContext();
            if (context.getAttribute("org.eclipse.jetty.server.Executor") == null)
                defaults.put("maxThreads", "256");
        }

        @Override
        public String getServletName()
        {
            return delegate.getServletName();
        }

        @Override
        public ServletContext getServletContext()
        {
            return delegate.getServletContext();
        }

        @Override
        public String getInitParameter(String name)
        {
            if (settings.containsKey(name))
                return settings.get(name);
            String value = delegate.getInitParameter(name);
            return value != null ? value : defaults.get(name);
        }

        @Override
        public Enumeration<String> getInitParameterNames()
        {
            Set<String> names = new LinkedHashSet<>(defaults.keySet());
            names.addAll(settings.keySet());
            names.addAll(Collections.list(delegate.getInitParameterNames()));
            return Collections.enumeration(names);
        }
    }
}
