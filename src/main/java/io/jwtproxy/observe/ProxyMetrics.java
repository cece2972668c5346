package io.jwtproxy.observe;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import io.jwtproxy.auth.Authentication;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.ExchangeEvents;
import io.jwtproxy.token.KeyRing;
import io.jwtproxy.token.SigningKey;
import io.jwtproxy.trace.Tracing;

/**
 * The proxy's Prometheus metrics, in a registry of its own (a redeployed WAR registers afresh):
 * requests by method and status class, their duration, upstream failures by kind, body bytes,
 * requests in flight, tokens by algorithm and kid and the time minting takes, the key schedule,
 * WebSockets and authentications, what became of the spans, and the JVM's memory, GC and threads. No label carries a path,
 * a user or a token id: every label has a handful of values.
 */
public final class ProxyMetrics implements ExchangeEvents
{
    /** Methods with a label of their own; any other is counted as OTHER, so that made-up methods cannot grow the series. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram duration;
    private final Counter upstreamFailures;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Gauge inFlight;
    private final Counter tokens;
    private final Histogram minting;
    private final String algorithm;

    public ProxyMetrics(ProxyStats stats, KeyRing keys, String algorithm, Authentication authentication, Tracing tracing, Clock clock)
    {
        requests = Counter.builder().name("jwtproxy_requests_total").help("Requests the proxy finished, by method and status class")
            .labelNames("method", "status_class").withoutExemplars().register(registry);
        duration = Histogram.builder().name("jwtproxy_request_duration_seconds").help("How long requests took, from arrival to the last byte")
            .classicOnly().classicUpperBounds(SECONDS).withoutExemplars().register(registry);
        upstreamFailures = Counter.builder().name("jwtproxy_upstream_failures_total")
            .help("Exchanges the upstream failed, by kind: refused, timeout, reset, tls, other").labelNames("kind").withoutExemplars()
            .register(registry);
        bytesIn = Counter.builder().name("jwtproxy_request_body_bytes_total").help("Request body bytes taken from clients").withoutExemplars()
            .register(registry);
        bytesOut = Counter.builder().name("jwtproxy_response_body_bytes_total").help("Response body bytes sent to clients").withoutExemplars()
            .register(registry);
        inFlight = Gauge.builder().name("jwtproxy_requests_in_flight").help("Requests begun and not finished").withoutExemplars()
            .register(registry);
        tokens = Counter.builder().name("jwtproxy_tokens_minted_total").help("Tokens minted, by algorithm and signing key")
            .labelNames("algorithm", "kid").withoutExemplars().register(registry);
        minting = Histogram.builder().name("jwtproxy_token_minting_duration_seconds").help("How long minting a token took")
            .classicOnly().classicUpperBounds(0.000005, 0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01).withoutExemplars()
            .register(registry);
        GaugeWithCallback.builder().name("jwtproxy_websockets_open").help("WebSockets open now")
            .callback(callback -> callback.call(stats.webSocketsOpen())).register(registry);
        CounterWithCallback.builder().name("jwtproxy_forward_auth_decisions_total").help("Decisions of /forward-auth, by decision")
            .labelNames("decision").callback(callback ->
            {
                callback.call(stats.forwardAuthAllowed(), "allowed");
                callback.call(stats.forwardAuthDenied(), "denied");
            }).register(registry);
        CounterWithCallback.builder().name("jwtproxy_trace_spans_exported_total").help("Spans the OpenTelemetry collector took")
            .callback(callback -> callback.call(tracing.spansExported())).register(registry);
        CounterWithCallback.builder().name("jwtproxy_trace_spans_dropped_total")
            .help("Spans lost, by reason: queue_full (the export queue was full), export_failed (the collector was down, slow or refused them)")
            .labelNames("reason").callback(callback ->
            {
                callback.call(tracing.spansDroppedQueueFull(), "queue_full");
                callback.call(tracing.spansFailed(), "export_failed");
            }).register(registry);
        if (authentication.enabled())
            CounterWithCallback.builder().name("jwtproxy_authentications_total").help("Authentications, by method and outcome")
                .labelNames("method", "outcome").callback(callback -> authentication.counts()
                    .forEach((method, outcomes) -> outcomes.forEach((outcome, count) -> callback.call(count, method, outcome))))
                .register(registry);
        if (keys != null)
        {
            GaugeWithCallback.builder().name("jwtproxy_signing_key_retires_in_seconds")
                .help("Seconds until the active signing key retires (its successor signs); absent while no successor is scheduled")
                .callback(callback ->
                {
                    SigningKey next = keys.next();
                    if (next != null)
                        callback.call(Duration.between(clock.instant(), next.activeFrom()).toMillis() / 1000.0);
                }).register(registry);
            GaugeWithCallback.builder().name("jwtproxy_next_key_published_seconds")
                .help("Seconds since the next signing key was published in the JWK Set; absent while there is none")
                .callback(callback ->
                {
                    SigningKey next = keys.next();
                    if (next != null)
                        callback.call(Duration.between(keys.publishedAt(next), clock.instant()).toMillis() / 1000.0);
                }).register(registry);
        }
        this.algorithm = algorithm;
        JvmMetrics.builder().register(registry);
    }

    public PrometheusRegistry registry()
    {
        return registry;
    }

    @Override
    public void received(Exchange exchange)
    {
        inFlight.inc();
    }

    @Override
    public void finished(Exchange exchange, int status, long nanos, String outcome)
    {
        inFlight.dec();
        String method = METHODS.contains(exchange.method()) ? exchange.method() : "OTHER";
        requests.labelValues(method, status / 100 + "xx").inc();
        duration.observe(nanos / 1e9);
        bytesIn.inc(exchange.bytesIn());
        bytesOut.inc(exchange.bytesOut());
        if (exchange.failure() != null && exchange.failure().upstreamKind() != null)
            upstreamFailures.labelValues(exchange.failure().upstreamKind()).inc();
    }

    @Override
    public void minted(Exchange exchange, String kid, long nanos)
    {
        tokens.labelValues(algorithm, kid == null ? "" : kid).inc();
        minting.observe(nanos / 1e9);
    }
}
