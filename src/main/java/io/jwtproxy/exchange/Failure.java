package io.jwtproxy.exchange;

import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpStatus;

/**
 * How an exchange went wrong: the status the client gets and what its access line says. Every
 * failure of the proxy's pipeline is sorted here, as Go's {@code ReverseProxy.ErrorHandler} does
 * in one place; Jetty's hooks only ask.
 *
 * @param status the status the client gets, unless its response had begun
 * @param reason what the access line says, without the token or any secret
 * @param upstreamKind for a failure of the upstream: refused, timeout, reset, tls or other; else null
 */
public record Failure(int status, String reason, String upstreamKind)
{
    public Failure(int status, String reason)
    {
        this(status, reason, null);
    }

    /** The request's target cannot be made into the upstream's URI. */
    public static final Failure UNFORWARDABLE_TARGET = new Failure(HttpStatus.BAD_REQUEST_400, "request target cannot be forwarded");

    /** No token could be minted: the request is not forwarded unsigned. */
    public static final Failure MINTING_FAILED = new Failure(HttpStatus.INTERNAL_SERVER_ERROR_500, "token minting failed");

    /**
     * Forwarding the client's body failed. Its timeout (408) or malformed body (400) is the
     * client's fault and must not show as the upstream's; anything else broke upstream (502).
     */
    public static Failure ofClientRequest(Throwable failure)
    {
        if (failure instanceof TimeoutException)
            return new Failure(HttpStatus.REQUEST_TIMEOUT_408, "client request timed out: " + describe(failure));
        if (failure instanceof HttpException || failure.getCause() instanceof HttpException)
            return new Failure(HttpStatus.BAD_REQUEST_400, "client request malformed: " + describe(failure));
        return new Failure(HttpStatus.BAD_GATEWAY_502, "upstream failed while taking the request body: " + describe(failure), kind(failure));
    }

    /**
     * The exchange with the upstream failed: silent past its idle timeout (504); refused, reset,
     * garbage or an answer that cannot be relayed (502). Jetty's server raises {@link HttpException}
     * for the client's malformed body (a bad chunk): that is the client's (400).
     */
    public static Failure ofUpstream(Throwable failure)
    {
        if (failure instanceof TimeoutException)
            return new Failure(HttpStatus.GATEWAY_TIMEOUT_504, "upstream timed out: " + describe(failure), "timeout");
        if (failure instanceof UnrelayableResponseException)
            return new Failure(HttpStatus.BAD_GATEWAY_502, failure.getMessage(), "other");
        if (failure instanceof HttpException)
            return new Failure(HttpStatus.BAD_REQUEST_400, "client request malformed: " + describe(failure));
        return new Failure(HttpStatus.BAD_GATEWAY_502, "upstream failed: " + describe(failure), kind(failure));
    }

    /** @return the metrics' name for how the upstream failed: refused, timeout, reset, tls or other */
    private static String kind(Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause())
        {
            if (cause instanceof javax.net.ssl.SSLException)
                return "tls";
            if (cause instanceof java.net.ConnectException || cause instanceof java.net.UnknownHostException)
                return "refused";
            if (cause instanceof TimeoutException || cause instanceof java.net.SocketTimeoutException)
                return "timeout";
            if (cause instanceof java.io.EOFException || cause instanceof java.nio.channels.ClosedChannelException
                || String.valueOf(cause.getMessage()).contains("reset"))
                return "reset";
        }
        return "other";
    }

    /** @return whether the client is to blame (4xx), so that no retry or later failure may replace it */
    public boolean clients()
    {
        return HttpStatus.isClientError(status);
    }

    /** @return the failure's type and the first clause of its message, and its cause's, without Jetty's connection dumps */
    public static String describe(Throwable failure)
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
}
