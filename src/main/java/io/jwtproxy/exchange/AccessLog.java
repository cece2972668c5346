package io.jwtproxy.exchange;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per exchange, on the logger {@code io.jwtproxy.access}: method, path without the query,
 * status, request and response body bytes, duration, and how it failed or was retried. Never the
 * token or a secret.
 */
final class AccessLog
{
    private static final Logger ACCESS = LoggerFactory.getLogger("io.jwtproxy.access");

    private AccessLog()
    {
    }

    static void write(String method, String path, int status, long bytesIn, long bytesOut, long nanos, String outcome)
    {
        if (!ACCESS.isInfoEnabled())
            return;
        String millis = String.format("%.1f", nanos / 1e6);
        if (outcome == null)
            ACCESS.info("{} {} {} in={} out={} {}ms", method, path, status, bytesIn, bytesOut, millis);
        else
            ACCESS.info("{} {} {} in={} out={} {}ms {}", method, path, status, bytesIn, bytesOut, millis, outcome);
    }
}
