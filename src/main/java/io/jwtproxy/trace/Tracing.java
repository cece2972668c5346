package io.jwtproxy.trace;

import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

import io.jwtproxy.config.ConfigException;
import io.jwtproxy.config.TraceConfig;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.ExchangeEvents;
import io.jwtproxy.http.ClientRequest;

/**
 * The proxy's traces: an OpenTelemetry SDK built by its autoconfiguration from the {@code OTEL_*} settings, a SERVER span
 * per exchange (child of the client's trace context, by the configured propagators), a CLIENT span per request to the
 * upstream, whose context goes upstream instead of the client's; {@link ExchangeSpans} completes and ends them from the
 * exchange's events. Spans go out in the background through the SDK's bounded batch queue: a collector that is down or
 * slow loses spans, never holds a request. {@link #OFF} records nothing and leaves every field as the client sent it.
 */
public final class Tracing implements AutoCloseable
{
    /** No tracing: no SDK, no span, and the client's trace context is forwarded as any other end-to-end field. */
    public static final Tracing OFF = new Tracing();

    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> FULL = AttributeKey.stringKey("url.full");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");

    /** The HTTP methods the semantic conventions name; any other is {@code _OTHER}, so a made-up method cannot name spans. */
    private static final List<String> KNOWN_METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    private static final TextMapGetter<HttpFields> FROM_FIELDS = new TextMapGetter<>()
    {
        @Override
        public Iterable<String> keys(HttpFields fields)
        {
            return fields.getFieldNamesCollection();
        }

        @Override
        public String get(HttpFields fields, String key)
        {
            if (fields == null)
                return null;
            // Several tracestate lines are one list (W3C Trace Context §3.3.1); several traceparent lines make an invalid one, as they should.
            List<String> values = fields.getValuesList(key);
            return values.isEmpty() ? null : String.join(",", values);
        }
    };
    private static final TextMapSetter<HttpFields.Mutable> INTO_FIELDS = (fields, key, value) -> fields.put(key, value);

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final Collection<String> propagated;
    private final SpanCounts counts;
    private final boolean recordQuery;
    private final ExchangeSpans events;
    private final String description;

    private Tracing()
    {
        this.sdk = null;
        this.tracer = null;
        this.propagator = null;
        this.propagated = List.of();
        this.counts = new SpanCounts();
        this.recordQuery = false;
        this.events = null;
        this.description = "off";
    }

    private Tracing(AutoConfiguredOpenTelemetrySdk configured, ConfigProperties properties, SpanCounts counts, boolean recordQuery)
    {
        this.sdk = configured.getOpenTelemetrySdk();
        this.tracer = sdk.getTracer("io.jwtproxy");
        this.propagator = sdk.getPropagators().getTextMapPropagator();
        this.propagated = List.copyOf(propagator.fields());
        this.counts = counts;
        this.recordQuery = recordQuery;
        this.events = new ExchangeSpans(tracer);
        this.description = describe(properties);
    }

    /**
     * @return the tracing {@code config} asks for: {@link #OFF} without an OTLP endpoint
     * @throws ConfigException when the SDK refuses a setting, naming it as the SDK does
     */
    public static Tracing start(TraceConfig config)
    {
        if (!config.enabled())
            return OFF;
        SpanCounts counts = new SpanCounts();
        AtomicReference<ConfigProperties> effective = new AtomicReference<>();
        try
        {
            AutoConfiguredOpenTelemetrySdk configured = AutoConfiguredOpenTelemetrySdk.builder()
                // Below the JVM's properties and the environment, which the SDK reads itself: the order of every setting.
                .addPropertiesSupplier(config::properties)
                .addPropertiesCustomizer(Tracing::proxyDefaults)
                .addPropertiesCustomizer(properties ->
                {
                    effective.set(properties);
                    return Map.of();
                })
                .addSpanExporterCustomizer((exporter, properties) -> counts.counting(exporter))
                .addMeterProviderCustomizer((meters, properties) -> meters.registerMetricReader(counts))
                // The runtime's close() shuts it down: a shutdown hook would keep a redeployed WAR's classes.
                .disableShutdownHook()
                .build();
            return new Tracing(configured, effective.get(), counts, config.recordQuery());
        }
        catch (ConfigurationException x)
        {
            throw new ConfigException(List.of("OTEL_*: " + x.getMessage().replace('\n', ' ')));
        }
    }

    /**
     * The proxy's own: no metrics or logs are exported over OTLP (metrics are Prometheus'), OTLP over HTTP unless another protocol is
     * named, and the service is jwt-proxy unless named.
     */
    private static Map<String, String> proxyDefaults(ConfigProperties properties)
    {
        Map<String, String> defaults = new HashMap<>(Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none"));
        // The Java SDK's exporter would speak gRPC unless told; OTLP's own default, and the proxy's, is HTTP with protobuf.
        if (properties.getString("otel.exporter.otlp.protocol") == null && properties.getString("otel.exporter.otlp.traces.protocol") == null)
            defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        if (properties.getString("otel.service.name") == null && !properties.getMap("otel.resource.attributes").containsKey("service.name"))
            defaults.put("otel.service.name", "jwt-proxy");
        return defaults;
    }

    private static String describe(ConfigProperties properties)
    {
        String protocol = properties.getString("otel.exporter.otlp.traces.protocol", properties.getString("otel.exporter.otlp.protocol", "http/protobuf"));
        String endpoint = properties.getString("otel.exporter.otlp.traces.endpoint", properties.getString("otel.exporter.otlp.endpoint"));
        URI uri = URI.create(endpoint);
        // Never a credential: neither the endpoint's user information nor its query, nor OTEL_EXPORTER_OTLP_HEADERS.
        String shown = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getPath() == null ? "" : uri.getPath());
        String service = properties.getString("otel.service.name", properties.getMap("otel.resource.attributes").get("service.name"));
        return "OTLP " + protocol + " to " + shown + " as " + service + ", sampler " + properties.getString("otel.traces.sampler", "parentbased_always_on");
    }

    public boolean enabled()
    {
        return sdk != null;
    }

    /** @return the subscriber that completes and ends each exchange's spans, or null when tracing is off */
    public ExchangeEvents events()
    {
        return events;
    }

    /** @return where spans go, for the start-up line (no credential), or {@code off} */
    public String description()
    {
        return description;
    }

    /**
     * Begins the exchange's SERVER span, a child of the trace context the client sent, and gives it to the exchange.
     *
     * @param path the path the exchange is about (as its access line says it)
     * @param route the route for a span of the proxy's own endpoint ({@code /forward-auth}), or null
     */
    public void begin(Exchange exchange, ClientRequest clientRequest, String path, String route)
    {
        if (sdk == null)
            return;
        Context parent = propagator.extract(Context.root(), clientRequest.getFields(), FROM_FIELDS);
        String method = clientRequest.getMethod();
        SpanBuilder span = spanOf(method, route, SpanKind.SERVER).setParent(parent)
            .setAttribute(PATH, path)
            .setAttribute(SCHEME, clientRequest.getScheme())
            .setAttribute(SERVER_ADDRESS, clientRequest.getServerName())
            .setAttribute(SERVER_PORT, (long)clientRequest.getServerPort())
            .setAttribute(CLIENT_ADDRESS, exchange.clientAddress())
            .setAttribute(PROTOCOL_VERSION, protocolVersion(clientRequest.getProtocol()));
        if (route != null)
            span.setAttribute(ROUTE, route);
        String userAgent = clientRequest.getHeader("User-Agent");
        if (userAgent != null)
            span.setAttribute(USER_AGENT, userAgent);
        if (recordQuery && clientRequest.getQueryString() != null)
            span.setAttribute(QUERY, clientRequest.getQueryString());
        String contentType = clientRequest.getHeader("Content-Type");
        if (contentType != null && contentType.startsWith("application/grpc"))
        {
            // A gRPC call's path is /package.Service/Method.
            span.setAttribute(RPC_SYSTEM, "grpc");
            int slash = path.lastIndexOf('/');
            if (slash > 0)
                span.setAttribute(RPC_SERVICE, path.substring(path.lastIndexOf('/', slash - 1) + 1, slash)).setAttribute(RPC_METHOD, path.substring(slash + 1));
        }
        exchange.traced(new ExchangeSpans.Spans(parent, span.startSpan()));
    }

    /**
     * Begins the CLIENT span of a request to the upstream, a child of the exchange's SERVER span, and puts its context in the
     * request's fields instead of the client's (its {@code tracestate} kept). A retry gets a span of its own.
     *
     * @param target the upstream's URI the request goes to
     */
    public void upstream(Exchange exchange, String method, String target, HttpFields.Mutable proxyToServer)
    {
        if (!(exchange.trace() instanceof ExchangeSpans.Spans spans))
            return;
        URI uri = URI.create(target);
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        String full = recordQuery || uri.getRawQuery() == null ? target : target.substring(0, target.indexOf('?'));
        SpanBuilder span = spanOf(method, null, SpanKind.CLIENT).setParent(spans.context())
            .setAttribute(SERVER_ADDRESS, uri.getHost())
            .setAttribute(SERVER_PORT, (long)port)
            .setAttribute(FULL, full);
        Span client = spans.upstream(span, exchange.jti());
        for (String field : propagated)
            proxyToServer.remove(field);
        propagator.inject(spans.context().with(client), proxyToServer, INTO_FIELDS);
    }

    /** @return a span named by the semantic conventions, {@code method} (or {@code HTTP} for another) and the route, with its method attributes */
    private SpanBuilder spanOf(String method, String route, SpanKind kind)
    {
        boolean known = KNOWN_METHODS.contains(method);
        SpanBuilder span = tracer.spanBuilder((known ? method : "HTTP") + (route == null ? "" : " " + route)).setSpanKind(kind)
            .setAttribute(METHOD, known ? method : "_OTHER");
        return known ? span : span.setAttribute(METHOD_ORIGINAL, method);
    }

    /** Hands over the fields that carry the exchange's SERVER span context: a {@code /forward-auth} answer gives it back to the gateway. */
    public void contextFields(Exchange exchange, BiConsumer<String, String> field)
    {
        if (!(exchange.trace() instanceof ExchangeSpans.Spans spans))
            return;
        HttpFields.Mutable fields = HttpFields.build();
        propagator.inject(spans.context(), fields, INTO_FIELDS);
        for (HttpField each : fields)
            field.accept(each.getName(), each.getValue());
    }

    /** @return spans the collector took */
    public long spansExported()
    {
        return counts.exported();
    }

    /** @return spans lost because the collector failed them (down, slow, refusing) */
    public long spansFailed()
    {
        return counts.failed();
    }

    /** @return spans dropped before export, the bounded queue being full */
    public long spansDroppedQueueFull()
    {
        return counts.queueFull();
    }

    static String protocolVersion(String protocol)
    {
        String version = protocol.startsWith("HTTP/") ? protocol.substring(5) : protocol;
        return version.endsWith(".0") && !version.startsWith("1") ? version.substring(0, version.length() - 2) : version;
    }

    /** Exports what is queued (within a few seconds) and stops the SDK. */
    @Override
    public void close()
    {
        if (sdk != null)
            sdk.shutdown().join(5, TimeUnit.SECONDS);
    }
}
