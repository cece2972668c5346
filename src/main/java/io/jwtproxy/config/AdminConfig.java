package io.jwtproxy.config;

import io.jwtproxy.http.RequestPath;

/**
 * What operators get: where the admin endpoints are served, whether metrics are kept, and the
 * access log's format.
 *
 * @param pathPrefix the admin endpoints' prefix on the public listener ("" for the root)
 * @param onPublicListener whether the public listener serves them (false once the jar has an admin listener)
 */
public record AdminConfig(String pathPrefix, boolean onPublicListener, boolean metrics, AccessLogFormat accessLogFormat)
{
    /** The access log's lines. */
    public enum AccessLogFormat
    {
        TEXT, JSON
    }

    /** Reads and checks the settings, adding what is wrong to {@code problems}. */
    public static AdminConfig load(ConfigSource source, Problems problems)
    {
        String prefix = Values.optional(source, Setting.ADMIN_PATH);
        if (prefix == null || prefix.equals("/"))
            prefix = "";
        else if (!prefix.startsWith("/") || prefix.contains("?") || prefix.contains("#") || !prefix.chars().allMatch(c -> c > ' ' && c < 127))
            problems.add(Setting.ADMIN_PATH, "\"" + prefix + "\" is not a path starting with /");
        else if (!RequestPath.isNormal(prefix = prefix.replaceAll("/+$", "")))
            problems.add(Setting.ADMIN_PATH, "\"" + prefix + "\" is not a path in normal form (no . or .. segments, no //)");
        String metrics = Values.choice(source, Setting.METRICS, problems);
        String format = Values.choice(source, Setting.ACCESS_LOG_FORMAT, problems);
        return new AdminConfig(prefix, true, !"off".equals(metrics), "json".equals(format) ? AccessLogFormat.JSON : AccessLogFormat.TEXT);
    }

    /** @return the same, with the endpoints on an admin listener of their own instead of the public one */
    public AdminConfig onAdminListener()
    {
        return new AdminConfig("", false, metrics, accessLogFormat);
    }
}
