package io.jwtproxy.exchange;

/** The upstream's answer cannot be relayed as it came (a head too large, a field the container refused): the client gets 502. */
public final class UnrelayableResponseException extends RuntimeException
{
    public UnrelayableResponseException(String message, Throwable cause)
    {
        super(message, cause);
    }
}
