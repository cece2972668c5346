package io.jwtproxy.config;

import java.util.List;

/**
 * One or more settings are wrong. The message is a single line naming every bad setting, meant
 * to be shown to an operator as is, without a stack trace.
 */
public final class ConfigException extends RuntimeException
{
    private final List<String> problems;

    public ConfigException(List<String> problems)
    {
        super("invalid configuration: " + String.join("; ", problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    /** @return each problem, starting with the name of the setting it concerns */
    public List<String> problems()
    {
        return problems;
    }
}
