package io.jwtproxy.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one setting's raw value into a type, adding a problem that names the setting when it does not parse. */
final class Values
{
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Values()
    {
    }

    /** @return the value, or the setting's default (null when it has none) */
    static String string(ConfigSource source, Setting setting)
    {
        String value = source.get(setting.name());
        return value == null ? setting.defaultValue() : value;
    }

    /** @return the trimmed value, or null when neither the source nor the default gives one */
    static String optional(ConfigSource source, Setting setting)
    {
        String value = string(source, setting);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** @return one of the setting's choices ({@link ValueKind#choices()}), lower-cased; null after a problem */
    static String choice(ConfigSource source, Setting setting, Problems problems)
    {
        String value = string(source, setting).trim().toLowerCase(Locale.ROOT);
        if (setting.kind().choices().contains(value))
            return value;
        problems.add(setting, "\"" + value + "\" is " + setting.kind().what());
        return null;
    }

    static boolean bool(ConfigSource source, Setting setting, Problems problems)
    {
        String value = string(source, setting).trim().toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false"))
            problems.add(setting, "\"" + value + "\" is neither true nor false");
        return value.equals("true");
    }

    /** @return the number, within the setting's {@link ValueKind}, or -1 after a problem saying what it should be */
    static int integer(ConfigSource source, Setting setting, Problems problems)
    {
        ValueKind kind = setting.kind();
        String value = string(source, setting).trim();
        try
        {
            int number = Integer.parseInt(value);
            if (number >= kind.min() && number <= kind.max())
                return number;
        }
        catch (NumberFormatException ignored)
        {
            // Reported below, with the range.
        }
        problems.add(setting, "\"" + value + "\" is not " + kind.what());
        return -1;
    }

    /**
     * "250ms", "30s", "5m", "2h", "7d", or ISO-8601 ("PT30S", "P7D"); positive unless the setting's {@link ValueKind} allows
     * {@code 0s} (none). @return it, or null after a problem
     */
    static Duration duration(ConfigSource source, Setting setting, Problems problems)
    {
        boolean zeroAllowed = setting.kind().min() == 0;
        String value = string(source, setting).trim();
        Matcher simple = DURATION.matcher(value);
        Duration duration = null;
        if (simple.matches())
        {
            long amount = Long.parseLong(simple.group(1));
            duration = switch (simple.group(2))
            {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        else
        {
            try
            {
                duration = Duration.parse(value);
            }
            catch (DateTimeParseException ignored)
            {
                // Reported below.
            }
        }
        if (duration == null || duration.isNegative() || duration.isZero() && !zeroAllowed)
        {
            problems.add(setting, "\"" + value + "\" is not a " + setting.kind().what() + " (e.g. "
                + (zeroAllowed ? "0s, " : "") + "500ms, 30s, 2m, 7d)");
            return null;
        }
        return duration;
    }
}
