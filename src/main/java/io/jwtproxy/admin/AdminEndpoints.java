package io.jwtproxy.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;

import io.jwtproxy.http.Answer;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.MediaTypes;
import io.jwtproxy.observe.ProxyStats;
import io.jwtproxy.observe.StatusPage;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.token.KeyRing;
import io.jwtproxy.token.SigningKey;

/**
 * What operators ask the proxy itself: {@code /status} (JSON, or a page with the last 15 minutes'
 * traffic for a browser), {@code /metrics} (Prometheus text, OpenMetrics or protobuf, as the
 * scraper asks), {@code /healthz} (200 while the process serves) and {@code /readyz} (200 only
 * while it should get traffic: 503 from the start of a drain). Served on the jar's admin listener,
 * or on the public one under {@code ADMIN_PATH}.
 */
public final class AdminEndpoints
{
    public static final List<String> PATHS = List.of("/status", "/metrics", "/healthz", "/readyz");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProxyRuntime runtime;
    private final PrometheusScrapeHandler metrics;
    private final boolean forwardAuth;

    public AdminEndpoints(ProxyRuntime runtime, boolean forwardAuth)
    {
        this.runtime = runtime;
        this.forwardAuth = forwardAuth;
        this.metrics = runtime.metrics() == null ? null : new PrometheusScrapeHandler(runtime.metrics().registry());
    }

    /**
     * @param path the request's path below the endpoints' prefix
     * @return the endpoint's answer, or null when {@code path} is no endpoint's
     */
    public Answer answer(String path, ClientRequest request)
    {
        if (!PATHS.contains(path))
            return null;
        HttpFields.Mutable fields = HttpFields.build().put(HttpHeader.CACHE_CONTROL, "no-store");
        if ("HTTP/1.0".equals(request.getProtocol()))
            fields.put(HttpHeader.CONNECTION, "close");
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod()))
            return Answer.empty(HttpStatus.METHOD_NOT_ALLOWED_405, fields.put(HttpHeader.ALLOW, "GET, HEAD"));
        return switch (path)
        {
            case "/status" -> status(request, fields);
            case "/metrics" -> metrics == null ? plain(fields, HttpStatus.NOT_FOUND_404, "METRICS is off\n") : scrape(path, request, fields);
            case "/healthz" -> plain(fields, HttpStatus.OK_200, "ok\n");
            default -> plain(fields, runtime.ready() ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503, runtime.ready() ? "ready\n" : "draining\n");
        };
    }

    private static Answer plain(HttpFields.Mutable fields, int status, String body)
    {
        return new Answer(status, fields.put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8"), body.getBytes(StandardCharsets.UTF_8));
    }

    private Answer status(ClientRequest request, HttpFields.Mutable fields)
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
        if (MediaTypes.prefersHtml(request.getHeader("Accept")))
        {
            String page = StatusPage.render(status, stats);
            return new Answer(HttpStatus.OK_200, fields.put(HttpHeader.CONTENT_TYPE, "text/html;charset=utf-8"), page.getBytes(StandardCharsets.UTF_8));
        }
        try
        {
            return new Answer(HttpStatus.OK_200, fields.put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8"), JSON.writeValueAsBytes(status));
        }
        catch (JsonProcessingException x)
        {
            throw new IllegalStateException("the status cannot be written as JSON", x);
        }
    }

    /** Prometheus's own handler, which negotiates the format (text, OpenMetrics, protobuf) and the names asked for. */
    private Answer scrape(String path, ClientRequest request, HttpFields.Mutable fields)
    {
        Scrape scrape = new Scrape(path, request, fields);
        try
        {
            metrics.handleRequest(scrape);
        }
        catch (IOException x)
        {
            throw new UncheckedIOException(x);
        }
        return new Answer(scrape.status, fields, scrape.body.toByteArray());
    }

    /** One scrape, answered into a buffer: the registry is small, and the answer is written as any other. */
    private static final class Scrape implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse
    {
        private final String path;
        private final ClientRequest request;
        private final HttpFields.Mutable fields;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status = HttpStatus.OK_200;

        private Scrape(String path, ClientRequest request, HttpFields.Mutable fields)
        {
            this.path = path;
            this.request = request;
            this.fields = fields;
        }

        @Override
        public PrometheusHttpRequest getRequest()
        {
            return this;
        }

        @Override
        public PrometheusHttpResponse getResponse()
        {
            return this;
        }

        @Override
        public void handleException(IOException x) throws IOException
        {
            throw x;
        }

        @Override
        public void handleException(RuntimeException x)
        {
            throw x;
        }

        @Override
        public void close()
        {
        }

        @Override
        public String getQueryString()
        {
            return request.getQueryString();
        }

        @Override
        public Enumeration<String> getHeaders(String name)
        {
            return request.getHeaders(name);
        }

        @Override
        public String getMethod()
        {
            return request.getMethod();
        }

        @Override
        public String getRequestPath()
        {
            return path;
        }

        @Override
        public void setHeader(String name, String value)
        {
            fields.put(name, value);
        }

        @Override
        public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength)
        {
            status = statusCode;
            return body;
        }
    }
}
