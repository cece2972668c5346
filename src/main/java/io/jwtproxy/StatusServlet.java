package io.jwtproxy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.jwtproxy.http.MediaTypes;
import io.jwtproxy.token.KeyRing;
import io.jwtproxy.token.SigningKey;

/**
 * {@code GET /status}: when the proxy started, its uptime, how many requests it received and
 * forwarded and tokens it minted, and what signs them (algorithm, active key, next key and when it
 * takes over), as JSON, or as a small HTML page for clients that prefer {@code text/html}.
 */
public class StatusServlet extends HttpServlet
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProxyRuntime runtime;

    @Override
    public void init() throws ServletException
    {
        runtime = ProxyRuntime.of(getServletContext());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException
    {
        ProxyStats stats = runtime.stats();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("startedAt", stats.startedAt().truncatedTo(ChronoUnit.MILLIS).toString());
        status.put("uptimeSeconds", BigDecimal.valueOf(stats.uptime().toMillis(), 3));
        status.put("requestsReceived", stats.requestsReceived());
        status.put("requestsForwarded", stats.requestsForwarded());
        status.put("tokensMinted", stats.tokensMinted());
        status.put("webSocketsOpen", stats.webSocketsOpen());
        if (runtime.authentication().enabled())
            status.put("authentications", runtime.authentication().counts());
        status.put("signingAlgorithm", runtime.tokens().algorithm().joseName());
        KeyRing keys = runtime.keys();
        if (keys != null)
        {
            status.put("activeKid", keys.active().kid());
            SigningKey next = keys.next();
            if (next != null)
            {
                status.put("nextKid", next.kid());
                status.put("nextKidActiveFrom", next.activeFrom().toString());
            }
        }

        response.setHeader("Cache-Control", "no-store");
        if ("HTTP/1.0".equals(request.getProtocol()))
            response.setHeader("Connection", "close");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        if (MediaTypes.prefersHtml(request.getHeader("Accept")))
        {
            response.setContentType("text/html");
            response.getWriter().write(html(status));
        }
        else
        {
            response.setContentType("application/json");
            response.getWriter().write(JSON.writeValueAsString(status));
        }
    }

    private static String html(Map<String, Object> status)
    {
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>jwt-proxy status</title></head>\n")
            .append("<body><h1>jwt-proxy</h1>\n<table>\n");
        // Every value is a number, an ISO instant, an algorithm name or a base64url kid the proxy produced itself: nothing to escape.
        status.forEach((name, value) -> page.append("<tr><th>").append(name).append("</th><td>").append(value).append("</td></tr>\n"));
        return page.append("</table></body></html>\n").toString();
    }
}
