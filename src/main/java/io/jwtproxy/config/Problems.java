package io.jwtproxy.config;

import java.util.ArrayList;
import java.util.List;

/** The problems one validation pass found, each naming its setting; reported all at once. */
public final class Problems
{
    private final List<String> problems = new ArrayList<>();

    /** @param what completes "SETTING: ", e.g. {@code "\"x\" is not a port number (0-65535)"} */
    public void add(Setting setting, String what)
    {
        problems.add(setting + ": " + what);
    }

    /** @param name a setting that is not one of {@link Setting}'s (the OpenTelemetry SDK's {@code OTEL_*}) */
    public void add(String name, String what)
    {
        problems.add(name + ": " + what);
    }

    /** @throws ConfigException naming every problem, if there is any */
    public void throwIfAny()
    {
        if (!problems.isEmpty())
            throw new ConfigException(problems);
    }
}
