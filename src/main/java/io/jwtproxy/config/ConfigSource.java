package io.jwtproxy.config;

import java.util.Map;

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

    static ConfigSource systemProperties()
    {
        return System::getProperty;
    }

    static ConfigSource environment()
    {
        return System::getenv;
    }

    public static ConfigSource of(Map<String, String> values)
    {
        return values::get;
    }

    static ConfigSource contextParameters(ServletContext context)
    {
        return context::getInitParameter;
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
        return name ->
        {
            for (ConfigSource layer : layers)
            {
                String value = layer.get(name);
                if (value != null && !value.isBlank())
                    return value;
            }
            return null;
        };
    }
}
