package io.jwtproxy.observe;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.config.AdminConfig;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.ExchangeEvents;

/**
 * One line per exchange, on the logger {@code io.jwtproxy.access}: method, path without the query,
 * status, request and response body bytes, duration, the token's {@code jti}, the caller's
 * {@code sub} and the trace's id when it is traced, and how it failed or was retried; as text, or as one JSON object that adds the time,
 * the client's address and the upstream's status. Never the token or a secret, and never a character
 * that breaks or hides in a line ({@link #escaped}).
 */
public final class AccessLog implements ExchangeEvents
{
    private static final Logger ACCESS = LoggerFactory.getLogger("io.jwtproxy.access");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A text line's fields are separated by spaces: one in a subject would shift them. */
    private static final Pattern SPACE = Pattern.compile("\\s");

    private final AdminConfig.AccessLogFormat format;

    public AccessLog(AdminConfig.AccessLogFormat format)
    {
        this.format = format;
    }

    @Override
    public void finished(Exchange exchange, int status, long nanos, String outcome)
    {
        if (!ACCESS.isInfoEnabled())
            return;
        if (format == AdminConfig.AccessLogFormat.JSON)
        {
            ACCESS.info(escaped(json(exchange, status, nanos, outcome)));
            return;
        }
        StringBuilder line = new StringBuilder(96).append(exchange.method()).append(' ').append(exchange.path()).append(' ').append(status)
            .append(" in=").append(exchange.bytesIn()).append(" out=").append(exchange.bytesOut()).append(' ')
            .append(String.format("%.1f", nanos / 1e6)).append("ms");
        if (exchange.jti() != null)
            line.append(" jti=").append(exchange.jti());
        if (exchange.subject() != null)
            line.append(" sub=").append(SPACE.matcher(exchange.subject()).replaceAll("_"));
        if (exchange.traceId() != null)
            line.append(" trace=").append(exchange.traceId());
        if (outcome != null)
            line.append(' ').append(outcome);
        ACCESS.info(escaped(line.toString()));
    }

    /**
     * A line with every character that could break it or hide in it written as a Unicode escape (a
     * backslash, {@code u} and four hex digits): controls
     * (JSON's own escaping stops at U+001F: DEL and C1 controls such as NEL are left), U+2028 and
     * U+2029, which many log viewers and JavaScript take for line breaks, and invisible format
     * characters such as a right-to-left override. In a JSON line each is inside a string, where the
     * escape is JSON's own. A client's name or path can then never forge a line or a field.
     */
    static String escaped(String line)
    {
        StringBuilder escaped = null;
        for (int i = 0; i < line.length(); i++)
        {
            char c = line.charAt(i);
            int type = Character.getType(c);
            boolean hidden = Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.FORMAT;
            if (!hidden)
            {
                if (escaped != null)
                    escaped.append(c);
                continue;
            }
            if (escaped == null)
                escaped = new StringBuilder(line.length() + 16).append(line, 0, i);
            escaped.append(String.format("\\u%04X", (int)c));
        }
        return escaped == null ? line : escaped.toString();
    }

    private static String json(Exchange exchange, int status, long nanos, String outcome)
    {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("client", exchange.clientAddress());
        line.put("method", exchange.method());
        line.put("path", exchange.path());
        line.put("status", status);
        line.put("bytesIn", exchange.bytesIn());
        line.put("bytesOut", exchange.bytesOut());
        line.put("durationMs", Math.round(nanos / 1e4) / 100.0);
        if (exchange.upstreamStatus() > 0)
            line.put("upstreamStatus", exchange.upstreamStatus());
        if (exchange.failure() != null)
            line.put("failure", exchange.failure().reason());
        if (outcome != null)
            line.put("outcome", outcome);
        line.put("jti", exchange.jti());
        line.put("sub", exchange.subject());
        if (exchange.traceId() != null)
            line.put("traceId", exchange.traceId());
        try
        {
            return JSON.writeValueAsString(line);
        }
        catch (JsonProcessingException x)
        {
            throw new IllegalStateException("a map of strings and numbers is always JSON", x);
        }
    }
}
