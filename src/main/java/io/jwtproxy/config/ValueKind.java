package io.jwtproxy.config;

import java.util.List;

/**
 * What a setting's value is and which values it may take: the loaders check a value by it (see
 * {@code Values}), and docs/settings.md shows it, so that the two cannot disagree.
 *
 * @param type how the value is read
 * @param min the least number (an integer) or duration in seconds (0: a duration may be {@code 0s}); else 0
 * @param max the greatest number (an integer); else 0
 * @param what the values it may take, as a problem says it: {@code "a number of bytes from 1024 to 1048576"}
 * @param choices the words it may be (a choice), or that a list may hold; else empty
 */
public record ValueKind(Type type, long min, long max, String what, List<String> choices)
{
    /** How a value is read. */
    public enum Type
    {
        TEXT, SECRET, URL, FILE, DIRECTORY, PATH, LIST, BOOLEAN, INTEGER, DURATION, CHOICE
    }

    /** @param what what the text is: {@code "a header field name"} */
    static ValueKind text(String what)
    {
        return new ValueKind(Type.TEXT, 0, 0, what, List.of());
    }

    static ValueKind secret()
    {
        return new ValueKind(Type.SECRET, 0, 0, "a secret", List.of());
    }

    static ValueKind url()
    {
        return new ValueKind(Type.URL, 0, 0, "an absolute http(s) URL", List.of());
    }

    static ValueKind file()
    {
        return new ValueKind(Type.FILE, 0, 0, "a readable file", List.of());
    }

    static ValueKind directory()
    {
        return new ValueKind(Type.DIRECTORY, 0, 0, "a directory", List.of());
    }

    static ValueKind path()
    {
        return new ValueKind(Type.PATH, 0, 0, "a path starting with /", List.of());
    }

    /** @param of what the list holds: {@code "IP addresses or address/prefix blocks"} */
    static ValueKind list(String of, String... choices)
    {
        return new ValueKind(Type.LIST, 0, 0, "a comma-separated list of " + of, List.of(choices));
    }

    static ValueKind bool()
    {
        return new ValueKind(Type.BOOLEAN, 0, 0, "true or false", List.of("true", "false"));
    }

    /** @param noun what the number counts, with its article: {@code "a number of bytes"} */
    static ValueKind integer(long min, long max, String noun)
    {
        return new ValueKind(Type.INTEGER, min, max, noun + " from " + min + " to " + max, List.of());
    }

    /** @param off whether {@code off} (no listener) is allowed too */
    static ValueKind port(boolean off)
    {
        return new ValueKind(Type.INTEGER, 0, 65535, "a port number (0-65535)" + (off ? " or off" : ""), off ? List.of("off") : List.of());
    }

    /** @param zeroAllowed whether {@code 0s} (none) is allowed */
    static ValueKind duration(boolean zeroAllowed)
    {
        return new ValueKind(Type.DURATION, zeroAllowed ? 0 : 1, 0, zeroAllowed ? "duration" : "positive duration", List.of());
    }

    static ValueKind choice(String... choices)
    {
        String words = choices.length == 2 ? "neither " + choices[0] + " nor " + choices[1] : "none of " + String.join(", ", choices);
        return new ValueKind(Type.CHOICE, 0, 0, words, List.of(choices));
    }

    /** @return the kind as docs/settings.md says it, in Markdown */
    public String documented()
    {
        return switch (type)
        {
            case TEXT -> what;
            case SECRET -> "secret (never logged)";
            case URL -> "http(s) URL";
            case FILE -> "file";
            case DIRECTORY -> "directory";
            case PATH -> "path";
            case LIST -> choices.isEmpty() ? "list: " + what.substring("a comma-separated list of ".length())
                : "list of " + String.join(", ", choices.stream().map(word -> "`" + word + "`").toList());
            case BOOLEAN -> "`true`, `false`";
            case INTEGER -> "integer " + min + "-" + max + (choices.isEmpty() ? "" : " or `" + String.join("`, `", choices) + "`");
            case DURATION -> (min == 0 ? "duration, `0s` for none" : "duration > 0") + " (`500ms`, `30s`, `2m`, `7d`, ISO-8601)";
            case CHOICE -> String.join(", ", choices.stream().map(word -> "`" + word + "`").toList());
        };
    }
}
