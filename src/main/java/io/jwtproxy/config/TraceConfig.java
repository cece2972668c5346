package io.jwtproxy.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Tracing: the OpenTelemetry SDK's own settings, by their standard names ({@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_SERVICE_NAME}, …), read from the same sources as every other setting (so a WAR's context parameters
 * carry them too), and {@code TRACE_QUERY}. Tracing is on once an OTLP endpoint is given, unless
 * {@code OTEL_SDK_DISABLED=true} or {@code OTEL_TRACES_EXPORTER=none}; the SDK's autoconfiguration checks the rest as it starts.
 *
 * @param properties the SDK's properties, by its property names ({@code otel.exporter.otlp.endpoint}): what the sources set
 * @param recordQuery whether spans record the query string
 */
public record TraceConfig(boolean enabled, Map<String, String> properties, boolean recordQuery)
{
    /** The protocols of the SDK's OTLP exporter. */
    private static final Set<String> PROTOCOLS = Set.of("http/protobuf", "grpc");

    public TraceConfig
    {
        properties = Map.copyOf(properties);
    }

    /** Tracing off: nothing is recorded, and a client's trace context passes through as any other field. */
    public static TraceConfig off()
    {
        return new TraceConfig(false, Map.of(), false);
    }

    /** Reads and checks the settings, adding what is wrong to {@code problems}. */
    public static TraceConfig load(ConfigSource source, Problems problems)
    {
        Map<String, String> properties = new TreeMap<>();
        // Environment names (OTEL_SERVICE_NAME) first, then the SDK's property names (otel.service.name), which win, as in the SDK.
        for (String name : source.names())
        {
            String value = name.startsWith("OTEL_") ? source.get(name) : null;
            if (value != null)
                properties.put(propertyName(name), value.trim());
        }
        for (String name : source.names())
        {
            String value = name.startsWith("otel.") ? source.get(name) : null;
            if (value != null)
                properties.put(name, value.trim());
        }
        for (String protocol : new String[] {"otel.exporter.otlp.protocol", "otel.exporter.otlp.traces.protocol"})
        {
            String value = properties.get(protocol);
            if (value != null && !PROTOCOLS.contains(value))
                problems.add(environmentName(protocol), "\"" + value + "\" is not one of grpc, http/protobuf");
        }
        boolean endpoint = properties.containsKey("otel.exporter.otlp.endpoint") || properties.containsKey("otel.exporter.otlp.traces.endpoint");
        boolean disabled = "true".equalsIgnoreCase(properties.get("otel.sdk.disabled"))
            || "none".equalsIgnoreCase(properties.getOrDefault("otel.traces.exporter", "otlp"));
        return new TraceConfig(endpoint && !disabled, properties, Values.bool(source, Setting.TRACE_QUERY, problems));
    }

    /** Names only: a value may be a credential ({@code OTEL_EXPORTER_OTLP_HEADERS} carries a vendor's API key). */
    @Override
    public String toString()
    {
        return "TraceConfig[enabled=" + enabled + ", properties=" + properties.keySet() + ", recordQuery=" + recordQuery + "]";
    }

    /** @return the SDK's property name of an environment name: {@code OTEL_SERVICE_NAME} is {@code otel.service.name} */
    static String propertyName(String environmentName)
    {
        return environmentName.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** @return the environment name of an SDK property: {@code otel.service.name} is {@code OTEL_SERVICE_NAME} */
    public static String environmentName(String propertyName)
    {
        return propertyName.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
