package io.jwtproxy.trace;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.ExchangeEvents;
import io.jwtproxy.exchange.Failure;

/**
 * Completes and ends each exchange's spans from its events: the authentication method and outcome, the token's {@code jti}
 * and signing key (each step a span of its own when it took measurable time: an issuer's keys fetched, a bcrypt hash
 * checked, an RSA signature), the upstream's status, a failure's type, the status the client got. Nothing secret: no token, credential or
 * subject. A WebSocket's spans end when it opens: the session that follows is not the request.
 */
final class ExchangeSpans implements ExchangeEvents
{
    static final AttributeKey<String> AUTH_METHOD = AttributeKey.stringKey("jwtproxy.auth.method");
    static final AttributeKey<String> AUTH_OUTCOME = AttributeKey.stringKey("jwtproxy.auth.outcome");
    static final AttributeKey<String> JTI = AttributeKey.stringKey("jwtproxy.token.jti");
    static final AttributeKey<String> KID = AttributeKey.stringKey("jwtproxy.token.kid");
    static final AttributeKey<String> DECISION = AttributeKey.stringKey("jwtproxy.forward_auth.decision");
    static final AttributeKey<String> ORIGINAL_METHOD = AttributeKey.stringKey("jwtproxy.forward_auth.method");
    static final AttributeKey<String> ORIGINAL_PATH = AttributeKey.stringKey("jwtproxy.forward_auth.path");
    /** Authentication or minting that took this long gets a span of its own; quicker, it is the SERVER span's attributes only. */
    private static final long MEASURABLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Tracer tracer;

    ExchangeSpans(Tracer tracer)
    {
        this.tracer = tracer;
    }

    @Override
    public void authenticationDecided(Exchange exchange, String method, String outcome, long nanos)
    {
        if (!(exchange.trace() instanceof Spans spans))
            return;
        if (method != null)
            spans.server.setAttribute(AUTH_METHOD, method);
        spans.server.setAttribute(AUTH_OUTCOME, outcome);
        SpanBuilder span = measurable(spans, "authenticate", nanos);
        if (span == null)
            return;
        span.setAttribute(AUTH_OUTCOME, outcome);
        if (method != null)
            span.setAttribute(AUTH_METHOD, method);
        ended(span, nanos);
    }

    @Override
    public void minted(Exchange exchange, String kid, long nanos)
    {
        if (!(exchange.trace() instanceof Spans spans))
            return;
        spans.kid = kid;
        spans.server.setAttribute(JTI, exchange.jti());
        if (kid != null)
            spans.server.setAttribute(KID, kid);
        // HS512 takes microseconds; an RSA signature can take milliseconds.
        SpanBuilder span = measurable(spans, "mint token", nanos);
        if (span == null)
            return;
        span.setAttribute(JTI, exchange.jti());
        if (kid != null)
            span.setAttribute(KID, kid);
        ended(span, nanos);
    }

    /** @return a child of the SERVER span for a step that took {@code nanos}, or null when that is too short to show or nothing records */
    private SpanBuilder measurable(Spans spans, String name, long nanos)
    {
        if (nanos < MEASURABLE_NANOS || !spans.server.isRecording())
            return null;
        return tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setParent(spans.context);
    }

    /** Records the step as having ended now, after {@code nanos}. */
    private static void ended(SpanBuilder span, long nanos)
    {
        long end = epochNanos();
        span.setStartTimestamp(end - nanos, TimeUnit.NANOSECONDS).startSpan().end(end, TimeUnit.NANOSECONDS);
    }

    @Override
    public void answered(Exchange exchange, int status)
    {
        if (exchange.trace() instanceof Spans spans && spans.client != null)
        {
            spans.client.setAttribute(Tracing.STATUS, (long)status);
            if (status >= 500)
                spans.client.setAttribute(Tracing.ERROR_TYPE, Integer.toString(status)).setStatus(StatusCode.ERROR);
        }
    }

    @Override
    public void failed(Exchange exchange, Failure failure)
    {
        // The upstream's failure is the upstream span's; the client's own (a refusal, a cut) is the SERVER span's, at its end.
        if (exchange.trace() instanceof Spans spans && spans.client != null && failure.upstreamKind() != null)
            spans.client.setAttribute(Tracing.ERROR_TYPE, failure.upstreamKind()).setStatus(StatusCode.ERROR, failure.reason());
    }

    @Override
    public void webSocketOpened(Exchange exchange)
    {
        if (!(exchange.trace() instanceof Spans spans))
            return;
        // The upstream's 101 is not an answered event: the tunnel took it over.
        Span upstream = spans.client;
        if (upstream != null)
            upstream.setAttribute(Tracing.STATUS, 101L);
        spans.end(101, null);
    }

    @Override
    public void forwardAuthDecided(Exchange exchange, boolean allowed)
    {
        if (exchange.trace() instanceof Spans spans)
            spans.server.setAttribute(DECISION, allowed ? "allowed" : "denied").setAttribute(ORIGINAL_METHOD, exchange.method())
                .setAttribute(ORIGINAL_PATH, exchange.path());
    }

    @Override
    public void finished(Exchange exchange, int status, long nanos, String outcome)
    {
        if (exchange.trace() instanceof Spans spans)
            spans.end(status, exchange.failure());
    }

    private static long epochNanos()
    {
        Instant now = Instant.now();
        return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    /** An exchange's spans: its SERVER span, in the context the client sent, and the CLIENT span of its request upstream. */
    static final class Spans implements Exchange.Trace
    {
        private final Context context;
        private final Span server;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Span client;
        private volatile String kid;

        Spans(Context parent, Span server)
        {
            this.context = parent.with(server);
            this.server = server;
        }

        /** @return the client's context (its baggage kept) with the SERVER span */
        Context context()
        {
            return context;
        }

        /** Starts the CLIENT span; one before it was a try that failed on a stale connection. */
        synchronized Span upstream(SpanBuilder builder, String jti)
        {
            Span previous = client;
            if (previous != null)
                previous.setAttribute(Tracing.ERROR_TYPE, "retried").setStatus(StatusCode.ERROR, "sent again on a new connection").end();
            Span started = builder.startSpan();
            if (jti != null)
                started.setAttribute(JTI, jti);
            if (kid != null)
                started.setAttribute(KID, kid);
            client = started;
            return started;
        }

        @Override
        public String traceId()
        {
            return server.getSpanContext().getTraceId();
        }

        /** Ends both spans, once: the status the client got; an error from 500 up (RFC 9110's server errors, the proxy's 502 and 504). */
        void end(int status, Failure failure)
        {
            if (ended.getAndSet(true))
                return;
            Span upstream = client;
            if (upstream != null)
                upstream.end();
            server.setAttribute(Tracing.STATUS, (long)status);
            if (status >= 500)
            {
                String type = failure != null && failure.upstreamKind() != null ? failure.upstreamKind() : Integer.toString(status);
                server.setAttribute(Tracing.ERROR_TYPE, type).setStatus(StatusCode.ERROR, failure == null ? "" : failure.reason());
            }
            server.end();
        }
    }
}
