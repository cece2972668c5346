package io.jwtproxy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.jwtproxy.http.MediaTypes;
import io.jwtproxy.token.KeyRing;
import io.jwtproxy.token.SigningKey;

/**
 * What operators ask the proxy itself: {@code /status} (JSON, or a page with the last 15 minutes'
 * traffic for a browser), {@code /metrics} (Prometheus text, OpenMetrics or protobuf, as the
 * scraper asks), {@code /healthz} (200 while the process serves) and {@code /readyz} (200 only
 * while it should get traffic: 503 from the start of a drain). Served on the jar's admin listener,
 * or on the public one under {@code ADMIN_PATH}.
 */
final class AdminEndpoints
{
    static final List<String> PATHS = List.of("/status", "/metrics", "/healthz", "/readyz");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProxyRuntime runtime;
    private final PrometheusMetricsServlet metrics;
    private final boolean forwardAuth;

    AdminEndpoints(ProxyRuntime runtime, boolean forwardAuth)
    {
        this.runtime = runtime;
        this.forwardAuth = forwardAuth;
        this.metrics = runtime.metrics() == null ? null : new PrometheusMetricsServlet(runtime.metrics().registry());
    }

    /**
     * @param path the request's path below the endpoints' prefix
     * @return whether {@code path} is an endpoint's, now answered
     */
    boolean answered(String path, HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException
    {
        if (!PATHS.contains(path))
            return false;
        response.setHeader("Cache-Control", "no-store");
        if ("HTTP/1.0".equals(request.getProtocol()))
            response.setHeader("Connection", "close");
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod()))
        {
            response.setHeader("Allow", "GET, HEAD");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return true;
        }
        switch (path)
        {
            case "/status" -> status(request, response);
            case "/metrics" ->
            {
                if (metrics == null)
                    response.sendError(HttpServletResponse.SC_NOT_FOUND, "METRICS is off");
                else
                    metrics.service(request, response);
            }
            case "/healthz" -> plain(response, HttpServletResponse.SC_OK, "ok\n");
            default -> plain(response, runtime.ready() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                runtime.ready() ? "ready\n" : "draining\n");
        }
        return true;
    }

    private static void plain(HttpServletResponse response, int status, String body) throws IOException
    {
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }

    private void status(HttpServletRequest request, HttpServletResponse response) throws IOException
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
        if (forwardAuth)
            status.put("forwardAuthDecisions", Map.of("allowed", stats.forwardAuthAllowed(), "denied", stats.forwardAuthDenied()));
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
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        if (MediaTypes.prefersHtml(request.getHeader("Accept")))
        {
            response.setContentType("text/html");
            response.getWriter().write(StatusPage.render(status, stats.recent().points(), stats.recent().latest()));
        }
        else
        {
            response.setContentType("application/json");
            response.getWriter().write(JSON.writeValueAsString(status));
        }
    }
}
