package io.jwtproxy.trace;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jwtproxy.config.ConfigException;
import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.EmbeddedConfig;
import io.jwtproxy.config.Setting;
import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.testing.GrpcUpstream;
import io.jwtproxy.testing.MetricsScrape;
import io.jwtproxy.testing.OtlpCollector;
import io.jwtproxy.testing.OtlpCollector.Received;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.Settings;
import io.jwtproxy.testing.Tokens;
import io.jwtproxy.testing.WebSocketPeer;
import io.jwtproxy.testing.WebSocketUpstream;
import io.jwtproxy.token.JwtMinter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Traces as a collector receives them: a real OTLP receiver decoding what the SDK sends (over HTTP and over gRPC), the
 * trace context the upstream gets, and what becomes of requests and spans when the collector is down or stuck.
 */
class TracingTest
{
    private static final Duration EXPORTED = Duration.ofSeconds(10);
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";

    @RegisterExtension
    final Proxies proxies = new Proxies();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels()
    {
        channels.forEach(ManagedChannel::shutdownNow);
    }

    /** Tracing to {@code collector}'s endpoint, exporting every 50 ms. */
    private static Settings tracingTo(String endpoint)
    {
        return Settings.of(Setting.JWT_SECRET, Tokens.SEED_SECRET).withOpenTelemetry("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
            .withOpenTelemetry("OTEL_BSP_SCHEDULE_DELAY", "50ms");
    }

    private HttpResponse<String> get(URI uri, String... headers) throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        if (headers.length > 0)
            request.headers(headers);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the SERVER and CLIENT spans of the trace, once both are in (a slow step's INTERNAL span may come apart) */
    private static List<Received> exchangeSpans(OtlpCollector collector, String traceId) throws InterruptedException
    {
        return collector.await(2, span -> span.traceId().equals(traceId) && (span.kind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER
            || span.kind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT), EXPORTED);
    }

    private static Received only(List<Received> spans, io.opentelemetry.proto.trace.v1.Span.SpanKind kind)
    {
        List<Received> ofKind = spans.stream().filter(span -> span.kind() == kind).toList();
        assertThat(ofKind).as("%s spans among %s", kind, spans.stream().map(Received::name).toList()).hasSize(1);
        return ofKind.get(0);
    }

    @Test
    void theClientsTraceReachesTheUpstreamUnderTheProxysExportedSpans() throws Exception
    {
        try (OtlpCollector collector = proxies.track(OtlpCollector.http()))
        {
            // The demo's echo upstream answers with the fields it received: the trace context and the token among them.
            Proxy proxy = proxies.start(tracingTo(collector.endpoint()));

            HttpResponse<String> response = get(proxy.uri("/orders/42?card=4111111111111111"), "traceparent", CLIENT_TRACEPARENT,
                "tracestate", "vendor=opaque", "User-Agent", "tracing-test/1.0");

            assertThat(response.statusCode()).isEqualTo(200);
            List<Received> spans = exchangeSpans(collector, CLIENT_TRACE);
            Received server = only(spans, io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
            Received upstream = only(spans, io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT);
            String upstreamTraceparent = response.headers().firstValue("traceparent").orElseThrow();
            assertThat(upstreamTraceparent).as("the upstream's traceparent: the client's trace, the proxy's upstream span as parent")
                .isEqualTo("00-" + CLIENT_TRACE + "-" + upstream.spanId() + "-01");
            assertThat(response.headers().allValues("tracestate")).as("tracestate kept").containsExactly("vendor=opaque");
            assertThat(upstream.parentSpanId()).isEqualTo(server.spanId());
            assertThat(server.parentSpanId()).as("the client's span is the proxy's parent").isEqualTo(CLIENT_SPAN);
            assertThat(server.service()).isEqualTo("jwt-proxy");

            String token = response.headers().firstValue("x-my-jwt").orElseThrow();
            String jti = Tokens.claims(token).get("jti").asText();
            assertThat(server.name()).isEqualTo("GET");
            assertThat(server.attribute("http.request.method")).isEqualTo("GET");
            assertThat(server.attribute("url.path")).isEqualTo("/orders/42");
            assertThat(server.attribute("url.scheme")).isEqualTo("http");
            assertThat(server.attribute("http.response.status_code")).isEqualTo("200");
            assertThat(server.attribute("server.address")).isEqualTo("127.0.0.1");
            assertThat(server.attribute("network.protocol.version")).isEqualTo("1.1");
            assertThat(server.attribute("user_agent.original")).isEqualTo("tracing-test/1.0");
            assertThat(server.attribute("jwtproxy.token.jti")).isEqualTo(jti);
            assertThat(server.attribute("jwtproxy.auth.method")).isEqualTo("none");
            assertThat(server.attribute("jwtproxy.auth.outcome")).isEqualTo("passed");
            assertThat(server.error()).isFalse();
            assertThat(upstream.attribute("jwtproxy.token.jti")).isEqualTo(jti);
            assertThat(upstream.attribute("http.response.status_code")).isEqualTo("200");
            assertThat(upstream.attribute("url.full")).as("without the query").matches("http://127\\.0\\.0\\.1:\\d+/orders/42");
            assertThat(server.attribute("url.query")).isNull();
            for (Received span : spans)
                assertThat(span.attributeValues()).as("nothing secret in a span").noneMatch(value -> value.contains("4111111111111111")
                    || value.contains(token) || value.contains(Tokens.SEED_SECRET));
        }
    }

    @Test
    void aNewTraceBeginsWhereTheClientSentNoneAndTheQueryIsRecordedOnlyWhenAsked() throws Exception
    {
        try (OtlpCollector collector = proxies.track(OtlpCollector.http()))
        {
            Proxy proxy = proxies.start(tracingTo(collector.endpoint()).with(Setting.TRACE_QUERY, true)
                .withOpenTelemetry("OTEL_SERVICE_NAME", "edge-proxy"));

            HttpResponse<String> response = get(proxy.uri("/search?q=shoes"));

            String traceparent = response.headers().firstValue("traceparent").orElseThrow();
            String traceId = traceparent.split("-")[1];
            List<Received> spans = exchangeSpans(collector, traceId);
            Received server = only(spans, io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
            assertThat(server.parentSpanId()).as("a root span").isEmpty();
            assertThat(server.service()).isEqualTo("edge-proxy");
            assertThat(server.attribute("url.query")).isEqualTo("q=shoes");
            assertThat(only(spans, io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT).attribute("url.full")).endsWith("/search?q=shoes");
        }
    }

    @Test
    void withoutAnEndpointOrWithTheSdkDisabledNothingIsExportedAndTraceContextPassesUnchanged() throws Exception
    {
        try (OtlpCollector collector = proxies.track(OtlpCollector.http()))
        {
            Proxy untraced = proxies.start(Settings.of(Setting.JWT_SECRET, Tokens.SEED_SECRET));
            HttpResponse<String> plain = get(untraced.uri("/a"), "traceparent", CLIENT_TRACEPARENT, "tracestate", "vendor=opaque");
            Proxy disabled = proxies.start(tracingTo(collector.endpoint()).withOpenTelemetry("OTEL_SDK_DISABLED", "true"));
            HttpResponse<String> off = get(disabled.uri("/b"), "traceparent", CLIENT_TRACEPARENT, "tracestate", "vendor=opaque");
            // A traced request after them, on a third proxy: once its spans are in, the others' would have been too.
            Proxy traced = proxies.start(tracingTo(collector.endpoint()));
            String tracedId = get(traced.uri("/c")).headers().firstValue("traceparent").orElseThrow().split("-")[1];
            exchangeSpans(collector, tracedId);

            for (HttpResponse<String> response : List.of(plain, off))
            {
                assertThat(response.headers().allValues("traceparent")).containsExactly(CLIENT_TRACEPARENT);
                assertThat(response.headers().allValues("tracestate")).containsExactly("vendor=opaque");
            }
            assertThat(collector.spans()).as("only the traced proxy's spans").allMatch(span -> span.traceId().equals(tracedId));
        }
    }

    @Test
    void anUnreachableUpstreamIsAnErrorSpan() throws Exception
    {
        int closed;
        try (ServerSocket socket = new ServerSocket(0))
        {
            closed = socket.getLocalPort();
        }
        try (OtlpCollector collector = proxies.track(OtlpCollector.http()))
        {
            Proxy proxy = proxies.start(tracingTo(collector.endpoint()).with(Setting.UPSTREAM_URL, "http://127.0.0.1:" + closed));

            HttpResponse<String> response = get(proxy.uri("/down"), "traceparent", CLIENT_TRACEPARENT);

            assertThat(response.statusCode()).isEqualTo(502);
            List<Received> spans = exchangeSpans(collector, CLIENT_TRACE);
            Received server = only(spans, io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
            Received upstream = only(spans, io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT);
            assertThat(server.error()).isTrue();
            assertThat(server.attribute("http.response.status_code")).isEqualTo("502");
            assertThat(server.attribute("error.type")).isEqualTo("refused");
            assertThat(upstream.error()).isTrue();
            assertThat(upstream.attribute("error.type")).isEqualTo("refused");
            assertThat(upstream.attribute("http.response.status_code")).as("the upstream gave none").isNull();
        }
    }

    @Test
    void aRefusedCallerIsNotAnErrorAndASlowCheckHasASpanOfItsOwn() throws Exception
    {
        try (OtlpCollector collector = proxies.track(OtlpCollector.http()))
        {
            // bob's line is bcrypt at cost 10: about 100 ms a check here.
            Proxy proxy = proxies.start(tracingTo(collector.endpoint()).with(Setting.AUTH, "basic")
                .with(Setting.AUTH_BASIC_FILE, Path.of("src/test/resources/htpasswd/users")));
            String bob = "Basic " + Base64.getEncoder().encodeToString("bob:bob-secret".getBytes(StandardCharsets.UTF_8));

            HttpResponse<String> refused = get(proxy.uri("/me"));
            HttpResponse<String> passed = get(proxy.uri("/me"), "Authorization", bob);

            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(passed.statusCode()).isEqualTo(200);
            String passedTrace = passed.headers().firstValue("traceparent").orElseThrow().split("-")[1];
            Received refusal = collector.await(1, span -> "401".equals(span.attribute("http.response.status_code")), EXPORTED).get(0);
            assertThat(refusal.error()).as("a 401 is the client's error, not the proxy's").isFalse();
            assertThat(refusal.attribute("jwtproxy.auth.outcome")).isEqualTo("refused");
            Received server = only(exchangeSpans(collector, passedTrace), io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
            Received check = collector.await(1, span -> span.traceId().equals(passedTrace) && span.name().equals("authenticate"), EXPORTED).get(0);
            assertThat(server.attribute("jwtproxy.auth.method")).isEqualTo("basic");
            assertThat(server.attribute("jwtproxy.auth.outcome")).isEqualTo("authenticated");
            assertThat(check.name()).isEqualTo("authenticate");
            assertThat(check.parentSpanId()).isEqualTo(server.spanId());
            assertThat((check.span().getEndTimeUnixNano() - check.span().getStartTimeUnixNano()) / 1e6).as("the bcrypt check, in ms")
                .isGreaterThan(10);
            for (Received span : collector.spans())
                assertThat(span.attributeValues()).as("neither the credential nor the subject").noneMatch(value -> value.contains("bob"));
        }
    }

    @Test
    void aSlowMintingHasASpanOfItsOwn() throws Exception
    {
        try (OtlpCollector collector = proxies.track(OtlpCollector.http()))
        {
            EmbeddedConfig config = EmbeddedConfig.load(tracingTo(collector.endpoint()).with(Setting.HTTP_HOST, "127.0.0.1").with(Setting.HTTP_PORT, 0)
                .with(Setting.ENGINE, Proxies.engine()).with(Setting.UPSTREAM_URL, "http://127.0.0.1:" + EmbeddedServer.port(proxies.echo())).source());
            // A token id that takes 5 ms to come, as a slow signature would.
            JwtMinter slow = new JwtMinter(config.tokens().secret(), "u", Clock.systemUTC(), () ->
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                return UUID.randomUUID().toString();
            });
            ProxyRuntime runtime = new ProxyRuntime(config.proxy(), config.tokens(), config.auth(), config.admin(), Tracing.start(config.trace()), null,
                slow, Clock.systemUTC());
            Proxy proxy = proxies.start(EmbeddedServer.newProxyServer(config.server(), runtime));

            HttpResponse<String> response = get(proxy.uri("/slow"), "traceparent", CLIENT_TRACEPARENT);

            assertThat(response.statusCode()).isEqualTo(200);
            Received server = only(exchangeSpans(collector, CLIENT_TRACE), io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
            Received minting = collector.await(1, span -> span.traceId().equals(CLIENT_TRACE) && span.name().equals("mint token"), EXPORTED).get(0);
            assertThat(minting.kind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL);
            assertThat(minting.parentSpanId()).isEqualTo(server.spanId());
            assertThat((minting.span().getEndTimeUnixNano() - minting.span().getStartTimeUnixNano()) / 1e6).as("in ms").isGreaterThanOrEqualTo(5);
            assertThat(minting.attribute("jwtproxy.token.jti")).isNotNull();
        }
    }

    @Test
    void aCollectorThatIsDownLosesSpansNotRequests() throws Exception
    {
        int down;
        try (ServerSocket socket = new ServerSocket(0))
        {
            down = socket.getLocalPort();
        }
        // Without the exporter's retries (five, backing off over seconds), each failed export is counted at once.
        Proxy proxy = proxies.start(tracingTo("http://127.0.0.1:" + down).with(Setting.ADMIN_PATH, "/_proxy")
            .withOpenTelemetry("OTEL_JAVA_EXPORTER_OTLP_RETRY_DISABLED", "true"));

        long start = System.nanoTime();
        for (int i = 0; i < 50; i++)
            assertThat(get(proxy.uri("/r" + i), "traceparent", CLIENT_TRACEPARENT).statusCode()).isEqualTo(200);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(seconds).as("50 requests, in s, while every export fails").isLessThan(10);
        assertThat(awaitDropped(proxy, "export_failed")).as("spans lost to the failed exports").isGreaterThan(0);
    }

    @Test
    void aStuckCollectorFillsTheBoundedQueueAndItsDropsAreCounted() throws Exception
    {
        try (OtlpCollector stuck = proxies.track(OtlpCollector.hanging()))
        {
            Proxy proxy = proxies.start(tracingTo(stuck.endpoint()).with(Setting.ADMIN_PATH, "/_proxy")
                .withOpenTelemetry("OTEL_BSP_MAX_QUEUE_SIZE", "8").withOpenTelemetry("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4")
                .withOpenTelemetry("OTEL_EXPORTER_OTLP_TIMEOUT", "1s").withOpenTelemetry("OTEL_JAVA_EXPORTER_OTLP_RETRY_DISABLED", "true"));

            long start = System.nanoTime();
            for (int i = 0; i < 50; i++)
                assertThat(get(proxy.uri("/r" + i)).statusCode()).isEqualTo(200);
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(seconds).as("50 requests, in s, while the collector never answers").isLessThan(10);
            assertThat(awaitDropped(proxy, "queue_full")).as("100 spans, a queue of 8 and one batch of 4 hanging").isGreaterThanOrEqualTo(50);
        }
    }

    /** @return {@code jwtproxy_trace_spans_dropped_total{reason}} once it is above 0, within 10 s; 0 if it never is */
    private double awaitDropped(Proxy proxy, String reason) throws Exception
    {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double dropped = 0;
        while (dropped == 0 && System.nanoTime() < end)
        {
            Map<String, Metrics.MetricFamily> families = MetricsScrape.families(client, proxy.uri("/_proxy/metrics"));
            dropped = families.get("jwtproxy_trace_spans_dropped").getMetricList().stream()
                .filter(metric -> metric.getLabelList().stream().anyMatch(label -> label.getValue().equals(reason)))
                .mapToDouble(metric -> metric.getCounter().getValue()).sum();
            if (dropped == 0)
                Thread.sleep(100);
        }
        return dropped;
    }

    @Test
    void aForwardAuthDecisionIsAServerSpanWhoseContextGoesBackToTheGateway() throws Exception
    {
        try (OtlpCollector collector = proxies.track(OtlpCollector.http()))
        {
            Proxy proxy = proxies.start(tracingTo(collector.endpoint()).with(Setting.ADMIN_PORT, 0).with(Setting.FORWARD_AUTH, true)
                .with(Setting.AUTH, "basic").with(Setting.AUTH_BASIC_FILE, Path.of("src/test/resources/htpasswd/users")));
            int admin = EmbeddedServer.port(EmbeddedServer.admin(proxy.server()), EmbeddedServer.ADMIN);

            HttpResponse<String> denied = get(URI.create("http://127.0.0.1:" + admin + "/forward-auth"), "traceparent", CLIENT_TRACEPARENT,
                "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/orders");

            assertThat(denied.statusCode()).isEqualTo(401);
            Received decision = only(collector.await(1, span -> span.traceId().equals(CLIENT_TRACE)
                && span.kind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER, EXPORTED), io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
            assertThat(decision.name()).isEqualTo("GET /forward-auth");
            assertThat(decision.parentSpanId()).isEqualTo(CLIENT_SPAN);
            assertThat(decision.attribute("jwtproxy.forward_auth.decision")).isEqualTo("denied");
            assertThat(decision.attribute("jwtproxy.forward_auth.path")).isEqualTo("/orders");
            assertThat(denied.headers().allValues("traceparent")).as("the decision's context, back to the gateway")
                .containsExactly("00-" + CLIENT_TRACE + "-" + decision.spanId() + "-01");
        }
    }

    @Test
    void aWebSocketHandshakesSpansEndWhenItOpens() throws Exception
    {
        try (OtlpCollector collector = proxies.track(OtlpCollector.http()))
        {
            WebSocketUpstream upstream = proxies.track(new WebSocketUpstream());
            WebSocketPeer peer = proxies.track(new WebSocketPeer());
            Proxy proxy = proxies.start(tracingTo(collector.endpoint()).with(Setting.UPSTREAM_URL, upstream.url()));

            Session session = peer.connect(URI.create("ws://127.0.0.1:" + proxy.port() + "/echo"));
            session.sendText("traced", org.eclipse.jetty.websocket.api.Callback.NOOP);

            assertThat(WebSocketPeer.next(peer.texts)).isEqualTo("traced");
            List<Received> spans = collector.await(2, span -> "101".equals(span.attribute("http.response.status_code")), EXPORTED);
            Received server = only(spans, io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
            Received handshake = only(spans, io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT);
            assertThat(handshake.parentSpanId()).isEqualTo(server.spanId());
            String traceparent = upstream.handshakes.poll(10, TimeUnit.SECONDS).get("traceparent");
            // Sampled (01), and the SDK marks the trace id it made as random (02).
            assertThat(traceparent).isEqualTo("00-" + server.traceId() + "-" + handshake.spanId() + "-03");
            session.close();
        }
    }

    @Test
    void aGrpcCallIsTracedAndSpansGoOutOverOtlpGrpc() throws Exception
    {
        try (OtlpCollector collector = proxies.track(OtlpCollector.grpc()))
        {
            GrpcUpstream upstream = proxies.track(new GrpcUpstream());
            Proxy proxy = proxies.start(tracingTo(collector.endpoint()).with(Setting.UPSTREAM_URL, "http://127.0.0.1:" + upstream.port())
                .with(Setting.UPSTREAM_PROTOCOL, "h2c").withOpenTelemetry("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", proxy.port(), InsecureChannelCredentials.create()).build();
            channels.add(channel);

            assertThat(ClientCalls.blockingUnaryCall(channel, GrpcUpstream.SAY, CallOptions.DEFAULT, "tracer")).isEqualTo("hello tracer");

            Received server = collector.await(1, span -> span.kind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER, EXPORTED).get(0);
            assertThat(server.attribute("rpc.system")).isEqualTo("grpc");
            assertThat(server.attribute("rpc.service")).isEqualTo("jwtproxy.test.Echo");
            assertThat(server.attribute("rpc.method")).isEqualTo("Say");
            assertThat(server.attribute("network.protocol.version")).isEqualTo("2");
        }
    }

    @Test
    void aSettingTheSdkRefusesStopsStartUpNamingIt()
    {
        EmbeddedConfig withKey = EmbeddedConfig.load(ConfigSource.of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
            "OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cr3t-vendor-key")));
        assertThat(withKey.toString()).as("the settings as text").contains("otel.exporter.otlp.headers").doesNotContain("s3cr3t-vendor-key");
        assertThatThrownBy(() -> EmbeddedConfig.load(ConfigSource.of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"))))
            .isInstanceOf(ConfigException.class)
            .hasMessage("invalid configuration: OTEL_EXPORTER_OTLP_PROTOCOL: \"http/json\" is not one of grpc, http/protobuf");
        assertThatThrownBy(() -> proxies.start(tracingTo("http://127.0.0.1:4318").withOpenTelemetry("OTEL_TRACES_SAMPLER", "sometimes")))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("invalid configuration: OTEL_*: ")
            .hasMessageContaining("sometimes");
    }
}
