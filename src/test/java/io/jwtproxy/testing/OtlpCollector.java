package io.jwtproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * An OTLP trace receiver, as a collector is one: OTLP/HTTP ({@code POST /v1/traces}, protobuf) or OTLP/gRPC
 * ({@code opentelemetry.proto.collector.trace.v1.TraceService/Export}, grpc-java), decoding what arrives with the OTLP
 * protobuf classes. It keeps every span with its resource's {@code service.name}; {@link #hanging} never answers, as a
 * collector that is stuck; {@link #counting} only counts them (the benchmark's, which gets millions).
 */
public final class OtlpCollector implements AutoCloseable
{
    private static final MethodDescriptor<ExportTraceServiceRequest, ExportTraceServiceResponse> EXPORT = MethodDescriptor
        .<ExportTraceServiceRequest, ExportTraceServiceResponse>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("opentelemetry.proto.collector.trace.v1.TraceService/Export")
        .setRequestMarshaller(marshaller(ExportTraceServiceRequest.parser()))
        .setResponseMarshaller(marshaller(ExportTraceServiceResponse.parser())).build();

    /** A span as received, with the {@code service.name} of the resource that sent it. */
    public record Received(Span span, String service)
    {
        public String traceId()
        {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        public String spanId()
        {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        /** @return the parent's span id, or "" for a root */
        public String parentSpanId()
        {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        public String name()
        {
            return span.getName();
        }

        public Span.SpanKind kind()
        {
            return span.getKind();
        }

        /** @return the attribute's value as text (a number's digits), or null when the span has none of that key */
        public String attribute(String key)
        {
            for (KeyValue attribute : span.getAttributesList())
            {
                if (attribute.getKey().equals(key))
                    return text(attribute.getValue());
            }
            return null;
        }

        /** @return every attribute value as text, for checks that nothing secret is there */
        public List<String> attributeValues()
        {
            List<String> values = new ArrayList<>();
            span.getAttributesList().forEach(attribute -> values.add(text(attribute.getValue())));
            span.getEventsList().forEach(event -> event.getAttributesList().forEach(attribute -> values.add(text(attribute.getValue()))));
            values.add(span.getStatus().getMessage());
            return values;
        }

        public boolean error()
        {
            return span.getStatus().getCode() == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR;
        }

        private static String text(AnyValue value)
        {
            return switch (value.getValueCase())
            {
                case STRING_VALUE -> value.getStringValue();
                case INT_VALUE -> Long.toString(value.getIntValue());
                case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
                case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
                default -> value.toString();
            };
        }
    }

    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final boolean keep;
    private final CountDownLatch released = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpServer http;
    private final Server grpc;

    private OtlpCollector(boolean grpc, boolean hang) throws IOException
    {
        this(grpc, hang, 0, true);
    }

    private OtlpCollector(boolean grpc, boolean hang, int port, boolean keep) throws IOException
    {
        this.keep = keep;
        if (grpc)
        {
            this.http = null;
            this.grpc = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerServiceDefinition.builder("opentelemetry.proto.collector.trace.v1.TraceService")
                    .addMethod(EXPORT, ServerCalls.asyncUnaryCall((request, response) ->
                    {
                        receive(request);
                        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    })).build())
                .build().start();
            return;
        }
        this.grpc = null;
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        this.http.setExecutor(executor);
        this.http.createContext("/v1/traces", exchange ->
        {
            try (exchange)
            {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (hang)
                    released.await();
                receive(ExportTraceServiceRequest.parseFrom(body));
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                exchange.getResponseBody().write(answer);
            }
            catch (InterruptedException x)
            {
                Thread.currentThread().interrupt();
            }
        });
        this.http.start();
    }

    /** @return a collector taking OTLP over HTTP with protobuf, the SDK's default protocol */
    public static OtlpCollector http() throws IOException
    {
        return new OtlpCollector(false, false);
    }

    /** @return a collector taking OTLP over gRPC */
    public static OtlpCollector grpc() throws IOException
    {
        return new OtlpCollector(true, false);
    }

    /** @return a collector that reads each export and then never answers it, until closed */
    public static OtlpCollector hanging() throws IOException
    {
        return new OtlpCollector(false, true);
    }

    /** @return a collector on OTLP/HTTP at {@code port} that counts the spans it receives and keeps none */
    public static OtlpCollector counting(int port) throws IOException
    {
        return new OtlpCollector(false, false, port, false);
    }

    /** @return how many spans it received */
    public long received()
    {
        return received.get();
    }

    /** @return its endpoint, the value of {@code OTEL_EXPORTER_OTLP_ENDPOINT} */
    public String endpoint()
    {
        return "http://127.0.0.1:" + (http != null ? http.getAddress().getPort() : grpc.getPort());
    }

    /** @return the spans received so far */
    public List<Received> spans()
    {
        return List.copyOf(spans);
    }

    /**
     * @return the spans once {@code count} of them match, within the deadline
     * @throws AssertionError naming what arrived, if fewer did
     */
    public List<Received> await(int count, Predicate<Received> matching, Duration deadline) throws InterruptedException
    {
        long end = System.nanoTime() + deadline.toNanos();
        while (true)
        {
            List<Received> matched = spans.stream().filter(matching).toList();
            if (matched.size() >= count)
                return matched;
            if (System.nanoTime() > end)
                throw new AssertionError("expected " + count + " matching spans within " + deadline + ", got " + matched.size() + " of "
                    + spans.stream().map(span -> span.kind() + " " + span.name()).toList());
            Thread.sleep(20);
        }
    }

    private void receive(ExportTraceServiceRequest request)
    {
        for (ResourceSpans resource : request.getResourceSpansList())
        {
            String service = resource.getResource().getAttributesList().stream().filter(attribute -> attribute.getKey().equals("service.name"))
                .map(attribute -> attribute.getValue().getStringValue()).findFirst().orElse(null);
            for (ScopeSpans scope : resource.getScopeSpansList())
            {
                received.addAndGet(scope.getSpansCount());
                if (keep)
                    scope.getSpansList().forEach(span -> spans.add(new Received(span, service)));
            }
        }
    }

    private static <T extends MessageLite> MethodDescriptor.Marshaller<T> marshaller(com.google.protobuf.Parser<T> parser)
    {
        return new MethodDescriptor.Marshaller<>()
        {
            @Override
            public InputStream stream(T value)
            {
                return value.toByteString().newInput();
            }

            @Override
            public T parse(InputStream stream)
            {
                try
                {
                    return parser.parseFrom(stream);
                }
                catch (InvalidProtocolBufferException x)
                {
                    throw new UncheckedIOException(x);
                }
            }
        };
    }

    @Override
    public void close()
    {
        released.countDown();
        if (http != null)
            http.stop(0);
        executor.shutdownNow();
        if (grpc != null)
            grpc.shutdownNow();
    }
}
