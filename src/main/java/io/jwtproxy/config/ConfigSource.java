package io.jwtproxy.config;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.ServletContext;

/**
 * Where a setting's raw value comes from. Sources are layered: the first one that has a
 * non-blank value wins, so an empty environment variable counts as unset.
 */
@FunctionalInterface
public interface ConfigSource
{
    /** @return the raw value, or null when this source does not set {@code name} */
    String get(String name);

    /** @return the names this source sets, for settings that are a family of names (the OpenTelemetry SDK's {@code OTEL_*}) */
    default Set<String> names()
    {
        return Set.of();
    }

    /** @return a source of {@code get}, whose names are {@code names} */
    static ConfigSource of(ConfigSource get, Set<String> names)
    {
        return new ConfigSource()
        {
            @Override
            public String get(String name)
            {
                return get.get(name);
            }

            @Override
            public Set<String> names()
            {
                return names;
            }
        };
    }

    static ConfigSource systemProperties()
    {
        return of(System::getProperty, System.getProperties().stringPropertyNames());
    }

    static ConfigSource environment()
    {
        return of(System::getenv, System.getenv().keySet());
    }

    public static ConfigSource of(Map<String, String> values)
    {
        return of(values::get, values.keySet());
    }

    static ConfigSource contextParameters(ServletContext context)
    {
        return of(context::getInitParameter, Set.copyOf(Collections.list(context.getInitParameterNames())));
    }

    /** JVM system properties, then environment variables: the embedded jar's order. */
    static ConfigSource embedded()
    {
        return layered(systemProperties(), environment());
    }

    /** JVM system properties, environment variables, then the webapp's context parameters. */
    static ConfigSource webapp(ServletContext context)
    {
        return layered(systemProperties(), environment(), contextParameters(context));
    }

    static ConfigSource layered(ConfigSource... layers)
    {
        Set<String> names = new LinkedHashSet<>();
        for (ConfigSource layer : layers)
            names.addAll(layer.names());
        return of(name ->
        {
            for (ConfigSource layer : layers)
            {
                String value = layer.get(name);
                if (value != null && !value.isBlank())
                    return value;
            }
            return null;
        }, Set.copyOf(names));
    }
}
