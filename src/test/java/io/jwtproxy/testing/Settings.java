package io.jwtproxy.testing;

import java.util.LinkedHashMap;
import java.util.Map;

import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.Setting;

/**
 * A proxy's settings as a test gives them: keyed by {@link Setting}, so that a misspelt name fails at
 * once instead of going unread; a later value replaces an earlier one; and the OpenTelemetry SDK's
 * {@code OTEL_*} settings, by their names. Immutable: {@link #with} returns a new set, so a shared base is
 * never changed by one test.
 */
public final class Settings
{
    private final Map<Setting, String> values;
    private final Map<String, String> openTelemetry;

    private Settings(Map<Setting, String> values, Map<String, String> openTelemetry)
    {
        this.values = values;
        this.openTelemetry = openTelemetry;
    }

    /** @return no settings */
    public static Settings none()
    {
        return new Settings(new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /**
     * @param name one of the OpenTelemetry SDK's settings, {@code OTEL_…}
     * @return these settings and that one
     */
    public Settings withOpenTelemetry(String name, Object value)
    {
        if (!name.startsWith("OTEL_"))
            throw new IllegalArgumentException(name + " is not an OTEL_ setting");
        Map<String, String> more = new LinkedHashMap<>(openTelemetry);
        more.put(name, String.valueOf(value));
        return new Settings(values, more);
    }

    /** @return one setting; its value as {@link String#valueOf} writes it */
    public static Settings of(Setting setting, Object value)
    {
        return none().with(setting, value);
    }

    /**
     * @param pairs names of settings and their values, alternately
     * @throws IllegalArgumentException at once if a name is no {@link Setting}
     */
    public static Settings of(String... pairs)
    {
        if (pairs.length % 2 != 0)
            throw new IllegalArgumentException("settings come in name-value pairs: " + String.join(", ", pairs));
        Settings settings = none();
        for (int i = 0; i < pairs.length; i += 2)
            settings = settings.with(Setting.valueOf(pairs[i]), pairs[i + 1]);
        return settings;
    }

    /** @return these settings and {@code setting}, replacing any value it had */
    public Settings with(Setting setting, Object value)
    {
        Map<Setting, String> more = new LinkedHashMap<>(values);
        more.remove(setting);
        more.put(setting, String.valueOf(value));
        return new Settings(more, openTelemetry);
    }

    /** @return these settings and {@code more}'s, which replace any of the same name */
    public Settings with(Settings more)
    {
        Settings all = this;
        for (Map.Entry<Setting, String> setting : more.values.entrySet())
            all = all.with(setting.getKey(), setting.getValue());
        for (Map.Entry<String, String> setting : more.openTelemetry.entrySet())
            all = all.withOpenTelemetry(setting.getKey(), setting.getValue());
        return all;
    }

    /** @return these settings and the pairs, which replace any of the same name */
    public Settings with(String... pairs)
    {
        return with(of(pairs));
    }

    /** @return {@code setting} as given, unless these settings already give it */
    public Settings withDefault(Setting setting, Object value)
    {
        return values.containsKey(setting) ? this : with(setting, value);
    }

    /** @return the names and values, alternately, in the order given: for the configuration tests' loaders */
    public String[] pairs()
    {
        return values.entrySet().stream().flatMap(setting -> java.util.stream.Stream.of(setting.getKey().name(), setting.getValue()))
            .toArray(String[]::new);
    }

    /** @return the settings as the proxy reads them */
    public ConfigSource source()
    {
        Map<String, String> byName = new LinkedHashMap<>();
        values.forEach((setting, value) -> byName.put(setting.name(), value));
        byName.putAll(openTelemetry);
        return ConfigSource.of(byName);
    }

    @Override
    public String toString()
    {
        return String.join(" ", values.entrySet().stream()
            .map(setting -> setting.getKey() + "=" + (setting.getKey().secret() ? "(secret)" : setting.getValue())).toList());
    }
}
