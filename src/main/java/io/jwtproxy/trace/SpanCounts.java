package io.jwtproxy.trace;

import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * What became of the spans the proxy ended: exported (the collector took them), failed (the collector was down, slow
 * or refused them) or dropped before export because the SDK's bounded queue was full. The first two are counted on
 * the exporter; the queue's drops are the batch processor's own count, read from the SDK's meter provider (no
 * metric is exported from there: this reader only reads it for {@code /metrics}).
 */
final class SpanCounts implements MetricReader
{
    /** The batch processor's count of spans, by whether they were dropped: the SDK's default ("legacy") name… */
    private static final String LEGACY_PROCESSED = "processedSpans";
    private static final AttributeKey<Boolean> LEGACY_DROPPED = AttributeKey.booleanKey("dropped");
    /** …and its semantic-convention name (OTEL_SDK_INTERNAL_TELEMETRY_VERSION=latest), where a drop has an error type. */
    private static final String PROCESSED = "otel.sdk.processor.span.processed";
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private final LongAdder exported = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    /** @return {@code exporter}, counting what becomes of each batch it sends */
    SpanExporter counting(SpanExporter exporter)
    {
        return new SpanExporter()
        {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans)
            {
                int count = spans.size();
                CompletableResultCode result = exporter.export(spans);
                result.whenComplete(() -> (result.isSuccess() ? exported : failed).add(count));
                return result;
            }

            @Override
            public CompletableResultCode flush()
            {
                return exporter.flush();
            }

            @Override
            public CompletableResultCode shutdown()
            {
                return exporter.shutdown();
            }
        };
    }

    long exported()
    {
        return exported.sum();
    }

    long failed()
    {
        return failed.sum();
    }

    /** @return the spans dropped because the export queue was full */
    long queueFull()
    {
        long dropped = 0;
        for (MetricData metric : registration.collectAllMetrics())
        {
            if (metric.getType() != MetricDataType.LONG_SUM || !(metric.getName().equals(LEGACY_PROCESSED) || metric.getName().equals(PROCESSED)))
                continue;
            for (LongPointData point : metric.getLongSumData().getPoints())
            {
                Attributes attributes = point.getAttributes();
                if (Boolean.TRUE.equals(attributes.get(LEGACY_DROPPED)) || "queue_full".equals(attributes.get(ERROR_TYPE)))
                    dropped += point.getValue();
            }
        }
        return dropped;
    }

    @Override
    public void register(CollectionRegistration registration)
    {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType)
    {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush()
    {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown()
    {
        registration = CollectionRegistration.noop();
        return CompletableResultCode.ofSuccess();
    }
}
