package io.jwtproxy.exchange;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.http.HttpServletRequest;

import io.jwtproxy.http.Answer;

/**
 * One request's trip through the proxy: what its access line reports and how it ended. Captured
 * when the request arrives, because the servlet request is recycled once the exchange completes.
 * Each byte counter has a single writer: the read side or the write side.
 */
public final class Exchange
{
    private static final String ATTRIBUTE = Exchange.class.getName();

    private final long startNanos = System.nanoTime();
    private final String method;
    private final String path;
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile long bytesIn;
    private volatile long bytesOut;
    private volatile String note;
    private volatile boolean retried;
    private volatile boolean interimRelayed;
    private volatile boolean bodyless;

    private final String clientAddress;
    private final ExchangeEvents events;
    private final boolean decision;
    private volatile String jti;
    private volatile String subject;
    private volatile int upstreamStatus;
    private volatile Trace trace;

    private Exchange(String method, String path, String clientAddress, ExchangeEvents events, boolean decision)
    {
        this.method = method;
        this.path = path;
        this.clientAddress = clientAddress;
        this.events = events;
        this.decision = decision;
    }

    /** Has the servlet request carry its exchange, which {@link #of} finds. */
    public static void attach(HttpServletRequest clientRequest, Exchange exchange)
    {
        clientRequest.setAttribute(ATTRIBUTE, exchange);
    }

    /**
     * @param path what the access line says of the path: the normal form decided on, or the raw one refused
     * @param clientAddress the TCP peer's address
     * @return a new exchange, which its front end carries from now on
     */
    public static Exchange begin(String method, String path, String clientAddress, ExchangeEvents events)
    {
        return begin(new Exchange(method, path, clientAddress, events, false));
    }

    /**
     * @param path the path of the request a gateway asks about, in normal form
     * @param gatewayAddress the gateway's address
     * @return a new {@code /forward-auth} decision's exchange, which ends when the decision is written
     */
    public static Exchange beginDecision(String method, String path, String gatewayAddress, ExchangeEvents events)
    {
        return begin(new Exchange(method, path, gatewayAddress, events, true));
    }

    private static Exchange begin(Exchange exchange)
    {
        exchange.events.received(exchange);
        return exchange;
    }

    /** @return the exchange {@link #attach} gave the request */
    public static Exchange of(HttpServletRequest clientRequest)
    {
        return (Exchange)clientRequest.getAttribute(ATTRIBUTE);
    }

    /**
     * Records how the exchange failed. The first failure is the cause: an abort it led to (the
     * upstream request cut because the client's body was malformed) fails the exchange again.
     */
    public void fail(Failure failure)
    {
        if (this.failure.compareAndSet(null, failure))
            events.failed(this, failure);
    }

    /**
     * The one way an exchange is refused, wherever it is (a malformed path, a method, a caller, a WebSocket handshake, a
     * gateway's question): the refusal is recorded, and the answer goes to the client, after which the exchange finishes.
     *
     * @return {@code answer}
     */
    public Answer refuse(Failure refusal, Answer answer)
    {
        fail(refusal);
        return answer;
    }

    /** @return whether this is a {@code /forward-auth} decision rather than a request on its way upstream */
    public boolean decision()
    {
        return decision;
    }

    /**
     * Authentication decided on its caller, either way; {@link #authenticated} or a refusal follows.
     *
     * @param method the method that decided, or null when none did
     * @param outcome authenticated, passed, refused, limited or unavailable
     * @param nanos how long authentication took
     */
    public void authenticationDecided(String method, String outcome, long nanos)
    {
        events.authenticationDecided(this, method, outcome, nanos);
    }

    /** Its caller is authenticated: {@code subject}, or null for none (a public path, {@code AUTH=none}). */
    public void authenticated(String subject)
    {
        this.subject = subject;
        events.authenticated(this, subject);
    }

    /** Its request goes upstream now. */
    public void forwarded()
    {
        events.forwarded(this);
    }

    /** Its WebSocket opened. */
    public void webSocketOpened()
    {
        events.webSocketOpened(this);
    }

    /** Its WebSocket, once open, ended. */
    public void webSocketClosed()
    {
        events.webSocketClosed(this);
    }

    /** {@code /forward-auth} allowed or refused the request the gateway asked about. */
    public void forwardAuthDecided(boolean allowed)
    {
        events.forwardAuthDecided(this, allowed);
    }

    /** @return how the exchange failed, or null while it has not */
    public Failure failure()
    {
        return failure.get();
    }

    /** Notes, for the access line, that the request is being sent again. */
    void retried(String note)
    {
        retried = true;
        note(note);
    }

    public boolean wasRetried()
    {
        return retried;
    }

    /** Adds what the access line says besides a failure: a retry, how a WebSocket ended. */
    public void note(String text)
    {
        note = note == null ? text : note + ", " + text;
    }

    /** The client's request ended without a byte of body (an HTTP/2 request, which names no length, may). */
    public void bodyEndedEmpty()
    {
        bodyless = true;
    }

    /** @return whether the client's body is known to have been empty: its end came before any byte */
    public boolean bodyless()
    {
        return bodyless;
    }

    public void interimRelayed()
    {
        interimRelayed = true;
    }

    public boolean hasRelayedInterim()
    {
        return interimRelayed;
    }

    public void addBytesIn(int bytes)
    {
        bytesIn += bytes;
    }

    public void addBytesOut(int bytes)
    {
        bytesOut += bytes;
    }

    /** @return the bytes of the upstream's body written to the client so far */
    public long bytesOut()
    {
        return bytesOut;
    }

    /**
     * Ends the exchange, exactly once, with its access line.
     *
     * @param status the status the client got (the committed one if its response had begun)
     * @param midResponse whether the client's response had begun when it failed, so that it was cut
     */
    public void finish(int status, boolean midResponse)
    {
        if (!finished.getAndSet(true))
            events.finished(this, status, System.nanoTime() - startNanos, outcome(midResponse));
    }

    /**
     * Records the token sent upstream: its {@code jti}, for the access line (never the token).
     *
     * @param kid the key that signed it, or null for HS512
     * @param nanos how long minting took
     */
    public void minted(String jti, String kid, long nanos)
    {
        this.jti = jti;
        events.minted(this, kid, nanos);
    }

    public void upstreamAnswered(int status)
    {
        this.upstreamStatus = status;
        events.answered(this, status);
    }

    public String method()
    {
        return method;
    }

    /** @return the path without the query, as the client sent it */
    public String path()
    {
        return path;
    }

    public String clientAddress()
    {
        return clientAddress;
    }

    public long bytesIn()
    {
        return bytesIn;
    }

    /** @return the last token's {@code jti}, or null when none was minted */
    public String jti()
    {
        return jti;
    }

    /** @return the authenticated caller, or null */
    public String subject()
    {
        return subject;
    }

    /** @return the upstream's status, or 0 when it gave none */
    public int upstreamStatus()
    {
        return upstreamStatus;
    }

    /** Gives the exchange its trace, once, as it begins; the tracing subscriber keeps its spans there. */
    public void traced(Trace trace)
    {
        this.trace = trace;
    }

    /** @return the trace {@link #traced} gave it, or null when it is not traced */
    public Trace trace()
    {
        return trace;
    }

    /** @return the id of its trace (32 hex digits), or null when it is not traced */
    public String traceId()
    {
        Trace traced = trace;
        return traced == null ? null : traced.traceId();
    }

    /** An exchange's part in a distributed trace: what the access line names of it. */
    public interface Trace
    {
        /** @return the trace's id, 32 lower-case hex digits */
        String traceId();
    }

    private String outcome(boolean midResponse)
    {
        Failure ended = failure.get();
        String reason = ended == null ? null : midResponse ? "aborted mid-response, " + ended.reason() : ended.reason();
        if (note == null)
            return reason;
        return reason == null ? note : reason + ", " + note;
    }
}
