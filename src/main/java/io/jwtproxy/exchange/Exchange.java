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

    private Exchange(String method, String path)
    {
        this.method = method;
        this.path = path;
    }

    /** @return a new exchange for the request, which carries it from now on */
    public static Exchange begin(HttpServletRequest clientRequest)
    {
        Exchange exchange = new Exchange(clientRequest.getMethod(), clientRequest.getRequestURI());
        clientRequest.setAttribute(ATTRIBUTE, exchange);
        return exchange;
    }

    /** @return the exchange {@link #begin} gave the request */
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
    void bodyEndedEmpty()
    {
        bodyless = true;
    }

    /** @return whether the client's body is known to have been empty: its end came before any byte */
    public boolean bodyless()
    {
        return bodyless;
    }

    void interimRelayed()
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
            AccessLog.write(method, path, status, bytesIn, bytesOut, System.nanoTime() - startNanos, outcome(midResponse));
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
