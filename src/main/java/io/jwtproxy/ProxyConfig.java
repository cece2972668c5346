package io.jwtproxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The proxy's settings, parsed and validated once at start-up. Nothing reads system properties,
 * the environment or servlet parameters after this has been built.
 *
 * @param httpHost the embedded server's listen address
 * @param httpPort the embedded server's port, 0 for a free one
 * @param upstream where requests go; null only in the embedded demo mode until the echo upstream is up
 * @param secret the HMAC key bytes (never logged); null unless the algorithm is HS512
 * @param jwtUser the {@code payload.user} claim
 * @param jwtHeader the token header name, lower case
 * @param demoSecret true when the secret was generated for this process
 * @param demoUpstream true when the built-in echo upstream stands in for a missing UPSTREAM_URL
 * @param upstreamConnectTimeout how long connecting to the upstream may take before 502
 * @param upstreamIdleTimeout how long the upstream may stay silent mid-exchange before 504
 * @param clientIdleTimeout how long a client connection may stay silent (embedded server only)
 * @param viaPseudonym the name in the Via header this proxy appends
 * @param trustForwarded whether client-supplied Forwarded and X-Forwarded-* headers are kept and appended to
 * @param maxRequestHeaderBytes the largest request head the embedded server accepts
 * @param maxResponseHeaderBytes the largest response head the proxy relays
 * @param listenBacklog the embedded server's listen queue length
 * @param shutdownDrain how long in-flight requests may take to finish on shutdown or undeploy
 * @param tokens how tokens are signed and what they claim besides the seed's claims
 */
public record ProxyConfig(String httpHost, int httpPort, Upstream upstream, byte[] secret, String jwtUser,
                          String jwtHeader, boolean demoSecret, boolean demoUpstream, Duration upstreamConnectTimeout,
                          Duration upstreamIdleTimeout, Duration clientIdleTimeout, String viaPseudonym, boolean trustForwarded,
                          int maxRequestHeaderBytes, int maxResponseHeaderBytes, int listenBacklog, Duration shutdownDrain,
                          TokenConfig tokens)
{
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    /** RFC 7518 §3.2: an HS512 key must be at least as long as the hash output. */
    public static final int MIN_SECRET_BYTES = 64;

    // Headers HTTP framing or the proxy owns: a token under one of these names would be dropped or break the message.
    private static final Set<String> RESERVED_HEADERS = Stream.concat(Headers.HOP_BY_HOP.stream(),
        Stream.of("host", "content-length", "content-type", "expect", "forwarded", "via", "authorization", "cookie"))
        .collect(Collectors.toUnmodifiableSet());

    /** How the proxy is run: the embedded jar may fall back to a demo, a deployed WAR may not. */
    public enum Mode
    {
        EMBEDDED, WEBAPP
    }

    /**
     * Reads and validates every setting, reporting every problem at once.
     *
     * @throws ConfigException naming each bad setting
     */
    public static ProxyConfig load(ConfigSource source, Mode mode)
    {
        List<String> problems = new ArrayList<>();

        String httpHost = value(source, Setting.HTTP_HOST).trim();

        int httpPort = integer(source, Setting.HTTP_PORT, 0, 65535, "is not a port number (0-65535)", problems);

        Upstream upstream = null;
        String upstreamUrl = value(source, Setting.UPSTREAM_URL);
        if (upstreamUrl == null)
        {
            if (mode == Mode.WEBAPP)
                problems.add(Setting.UPSTREAM_URL + ": is required (for example http://127.0.0.1:9000)");
        }
        else
        {
            try
            {
                upstream = Upstream.parse(upstreamUrl);
            }
            catch (IllegalArgumentException x)
            {
                problems.add(Setting.UPSTREAM_URL + ": " + x.getMessage());
            }
        }

        TokenConfig tokens = TokenConfig.load(source, mode, problems);

        byte[] secret = null;
        boolean demoSecret = false;
        String secretValue = value(source, Setting.JWT_SECRET);
        String secretFile = value(source, Setting.JWT_SECRET_FILE);
        if (tokens.algorithm().asymmetric())
        {
            if (secretValue != null || secretFile != null)
                problems.add((secretValue != null ? Setting.JWT_SECRET : Setting.JWT_SECRET_FILE) + ": is for HS512; "
                    + tokens.algorithm() + " signs with JWT_KEY_FILE or JWT_KEYS_DIR");
        }
        else if (secretValue != null && secretFile != null)
        {
            problems.add(Setting.JWT_SECRET + ": set either it or " + Setting.JWT_SECRET_FILE + ", not both");
        }
        else if (secretFile != null)
        {
            try
            {
                secretValue = stripLineBreak(Files.readString(Path.of(secretFile.trim()), StandardCharsets.UTF_8));
            }
            catch (IOException | InvalidPathException x)
            {
                problems.add(Setting.JWT_SECRET_FILE + ": cannot read \"" + secretFile.trim() + "\" (" + x.getClass().getSimpleName() + ")");
            }
        }
        if (tokens.algorithm().asymmetric())
        {
            // No secret: the key is in tokens.
        }
        else if (secretValue == null)
        {
            if (secretFile == null && mode == Mode.WEBAPP)
                problems.add(Setting.JWT_SECRET + ": is required (at least " + MIN_SECRET_BYTES + " bytes), or " + Setting.JWT_SECRET_FILE);
            else if (secretFile == null)
            {
                secret = randomSecret();
                demoSecret = true;
            }
        }
        else
        {
            secret = secretValue.getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES)
                problems.add((secretFile != null ? Setting.JWT_SECRET_FILE + ": the secret" : Setting.JWT_SECRET + ":")
                    + " is " + secret.length + " bytes; HS512 needs at least " + MIN_SECRET_BYTES + " (RFC 7518 §3.2)");
        }

        String jwtUser = value(source, Setting.JWT_USER);

        String jwtHeader = value(source, Setting.JWT_HEADER).trim().toLowerCase(Locale.ROOT);
        if (!isToken(jwtHeader))
            problems.add(Setting.JWT_HEADER + ": \"" + jwtHeader + "\" is not a valid header name");
        else if (RESERVED_HEADERS.contains(jwtHeader))
            problems.add(Setting.JWT_HEADER + ": \"" + jwtHeader + "\" is a header the proxy or HTTP itself uses");

        Duration connectTimeout = duration(source, Setting.UPSTREAM_CONNECT_TIMEOUT, problems);
        Duration upstreamIdleTimeout = duration(source, Setting.UPSTREAM_IDLE_TIMEOUT, problems);
        Duration clientIdleTimeout = duration(source, Setting.CLIENT_IDLE_TIMEOUT, problems);
        Duration shutdownDrain = duration(source, Setting.SHUTDOWN_DRAIN, problems);

        int maxRequestHeaderBytes = integer(source, Setting.MAX_REQUEST_HEADER_BYTES, 1024, 1 << 20,
            "is not a number of bytes from 1024 to 1048576", problems);
        int maxResponseHeaderBytes = integer(source, Setting.MAX_RESPONSE_HEADER_BYTES, 1024, 1 << 20,
            "is not a number of bytes from 1024 to 1048576", problems);
        int listenBacklog = integer(source, Setting.LISTEN_BACKLOG, 1, 65535, "is not a queue length from 1 to 65535", problems);

        String viaPseudonym = value(source, Setting.VIA_PSEUDONYM).trim();
        if (!isToken(viaPseudonym))
            problems.add(Setting.VIA_PSEUDONYM + ": \"" + viaPseudonym + "\" is not a token (letters, digits, -._~ and the like)");

        boolean trustForwarded = bool(source, Setting.TRUST_FORWARDED, problems);

        if (!problems.isEmpty())
            throw new ConfigException(problems);
        return new ProxyConfig(httpHost, httpPort, upstream, secret, jwtUser, jwtHeader, demoSecret, upstream == null,
            connectTimeout, upstreamIdleTimeout, clientIdleTimeout, viaPseudonym, trustForwarded, maxRequestHeaderBytes,
            maxResponseHeaderBytes, listenBacklog, shutdownDrain, tokens);
    }

    /** @return a copy that proxies to the built-in echo upstream at {@code echo} (demo mode) */
    public ProxyConfig withDemoUpstream(Upstream echo)
    {
        return new ProxyConfig(httpHost, httpPort, echo, secret, jwtUser, jwtHeader, demoSecret, true,
            upstreamConnectTimeout, upstreamIdleTimeout, clientIdleTimeout, viaPseudonym, trustForwarded, maxRequestHeaderBytes,
            maxResponseHeaderBytes, listenBacklog, shutdownDrain, tokens);
    }

    static boolean bool(ConfigSource source, Setting setting, List<String> problems)
    {
        String value = value(source, setting).trim().toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false"))
            problems.add(setting + ": \"" + value + "\" is neither true nor false");
        return value.equals("true");
    }

    static int integer(ConfigSource source, Setting setting, int min, int max, String problem, List<String> problems)
    {
        String value = value(source, setting).trim();
        try
        {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max)
                return number;
        }
        catch (NumberFormatException ignored)
        {
            // Reported below, with the range.
        }
        problems.add(setting + ": \"" + value + "\" " + problem);
        return -1;
    }

    // "250ms", "30s", "5m", "2h", "7d", or ISO-8601 ("PT30S", "P7D"); positive.
    static Duration duration(ConfigSource source, Setting setting, List<String> problems)
    {
        String value = value(source, setting).trim();
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
        if (duration == null || duration.isNegative() || duration.isZero())
        {
            problems.add(setting + ": \"" + value + "\" is not a positive duration (e.g. 500ms, 30s, 2m, 7d)");
            return null;
        }
        return duration;
    }

    @Override
    public String toString()
    {
        return "ProxyConfig[httpHost=" + httpHost + ", httpPort=" + httpPort + ", upstream=" + upstream
            + ", secret=<" + (secret == null ? 0 : secret.length) + " bytes" + (demoSecret ? ", random" : "")
            + ">, jwtUser=" + jwtUser + ", jwtHeader=" + jwtHeader + ", upstreamConnectTimeout=" + upstreamConnectTimeout
            + ", upstreamIdleTimeout=" + upstreamIdleTimeout + ", clientIdleTimeout=" + clientIdleTimeout
            + ", viaPseudonym=" + viaPseudonym + ", trustForwarded=" + trustForwarded
            + ", maxRequestHeaderBytes=" + maxRequestHeaderBytes + ", maxResponseHeaderBytes=" + maxResponseHeaderBytes
            + ", listenBacklog=" + listenBacklog + ", shutdownDrain=" + shutdownDrain + ", tokens=" + tokens + "]";
    }

    static String value(ConfigSource source, Setting setting)
    {
        String value = source.get(setting.name());
        return value == null ? setting.defaultValue() : value;
    }

    // Files written by editors and `echo` end with a line break that is not part of the secret.
    private static String stripLineBreak(String content)
    {
        if (content.endsWith("\r\n"))
            return content.substring(0, content.length() - 2);
        if (content.endsWith("\n"))
            return content.substring(0, content.length() - 1);
        return content;
    }

    private static byte[] randomSecret()
    {
        byte[] random = new byte[MIN_SECRET_BYTES];
        new SecureRandom().nextBytes(random);
        // Hex keeps the "UTF-8 bytes of the secret are the key" rule true for the demo secret too.
        return HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
    }

    // RFC 9110 §5.6.2 token: the grammar of a header field name.
    static boolean isToken(String value)
    {
        if (value.isEmpty())
            return false;
        for (int i = 0; i < value.length(); i++)
        {
            char c = value.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar)
                return false;
        }
        return true;
    }
}
