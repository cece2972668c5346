package io.jwtproxy.exchange;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.http.HttpServletRequest;

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
    private final Observer observer;
    private volatile String jti;
    private volatile String subject;
    private volatile int upstreamStatus;

    /** Sees each exchange begin and end: the access log, the metrics. */
    public interface Observer
    {
        void begun(Exchange exchange);

        /**
         * @param status the status the client got
         * @param nanos how long the exchange took
         * @param outcome how it failed or was retried, or null
         */
        void finished(Exchange exchange, int status, long nanos, String outcome);
    }

    private Exchange(String method, String path, String clientAddress, Observer observer)
    {
        this.method = method;
        this.path = path;
        this.clientAddress = clientAddress;
        this.observer = observer;
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
    public static Exchange begin(String method, String path, String clientAddress, Observer observer)
    {
        Exchange exchange = new Exchange(method, path, clientAddress, observer);
        observer.begun(exchange);
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
        this.failure.compareAndSet(null, failure);
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
            observer.finished(this, status, System.nanoTime() - startNanos, outcome(midResponse));
    }

    /** Records the token sent upstream: its {@code jti} and {@code sub}, for the access line (never the token). */
    public void minted(String jti, String subject)
    {
        this.jti = jti;
        this.subject = subject;
    }

    public void upstreamAnswered(int status)
    {
        this.upstreamStatus = status;
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

    private String outcome(boolean midResponse)
    {
        Failure ended = failure.get();
        String reason = ended == null ? null : midResponse ? "aborted mid-response, " + ended.reason() : ended.reason();
        if (note == null)
            return reason;
        return reason == null ? note : reason + ", " + note;
    }
}
