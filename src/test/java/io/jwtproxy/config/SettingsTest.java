package io.jwtproxy.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the settings: what each deployment reads, defaults, sources, and every way a value can be wrong. */
class SettingsTest
{
    private static final String SECRET = Tokens.SEED_SECRET;

    static ConfigSource source(String... pairs)
    {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
            values.put(pairs[i], pairs[i + 1]);
        return ConfigSource.of(values);
    }

    /** @return what the executable jar reads from these settings */
    static EmbeddedConfig embedded(String... pairs)
    {
        return EmbeddedConfig.load(source(pairs));
    }

    /** @return what a deployed WAR reads from these settings */
    static WebappConfig webapp(String... pairs)
    {
        return WebappConfig.load(source(pairs));
    }

    /** @return the one-line message of the jar's refusal of these settings */
    static String embeddedProblem(String... pairs)
    {
        return problem(() -> embedded(pairs), pairs);
    }

    static String webappProblem(String... pairs)
    {
        return problem(() -> webapp(pairs), pairs);
    }

    private static String problem(Runnable load, String... pairs)
    {
        try
        {
            load.run();
        }
        catch (ConfigException x)
        {
            return x.getMessage();
        }
        throw new AssertionError("expected a configuration error for " + String.join(" ", pairs));
    }

    @Test
    void theJarsLoaderLeavesWhatIsMissingMissing()
    {
        EmbeddedConfig config = embedded();

        assertThat(config.server().host()).isEqualTo("0.0.0.0");
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.proxy().upstream()).as("no upstream: Main decides what stands in").isNull();
        assertThat(config.tokens().hasKey()).isFalse();
        assertThat(config.tokens().user()).isEqualTo("username");
        assertThat(config.proxy().tokenHeader()).isEqualTo("x-my-jwt");
        assertThat(config.proxy().relayEchoedToken()).isFalse();
    }

    @Test
    void aGeneratedSecretIsLongEnoughAndDiffersEachTime()
    {
        TokenConfig tokens = embedded().tokens();

        TokenConfig one = tokens.withGeneratedKey();
        assertThat(one.secret()).hasSizeGreaterThanOrEqualTo(TokenConfig.MIN_SECRET_BYTES);
        assertThat(one.keySource()).isEqualTo("generated for this process");
        assertThat(one.secret()).isNotEqualTo(tokens.withGeneratedKey().secret());
    }

    @Test
    void readsEverySetting()
    {
        EmbeddedConfig config = embedded("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "9090",
            "UPSTREAM_URL", "https://up.example:8443/base", "JWT_SECRET", SECRET, "JWT_USER", "bob", "JWT_HEADER", "X-Token");

        assertThat(config.server().host()).isEqualTo("127.0.0.1");
        assertThat(config.server().port()).isEqualTo(9090);
        assertThat(config.proxy().upstream()).hasToString("https://up.example:8443/base");
        assertThat(new String(config.tokens().secret(), StandardCharsets.UTF_8)).isEqualTo(SECRET);
        assertThat(config.tokens().keySource()).isEqualTo("from JWT_SECRET");
        assertThat(config.tokens().user()).isEqualTo("bob");
        assertThat(config.proxy().tokenHeader()).isEqualTo("x-token");
    }

    @Test
    void theWarReadsNoneOfTheEmbeddedServersSettings()
    {
        // A Tomcat's environment may well hold an HTTP_PORT of its own: the WAR must not fail on it.
        WebappConfig config = webapp("UPSTREAM_URL", "http://up:9000", "JWT_SECRET", SECRET, "HTTP_PORT", "not a port",
            "CLIENT_IDLE_TIMEOUT", "soon", "LISTEN_BACKLOG", "-1", "SHUTDOWN_DRAIN", "x", "MAX_REQUEST_HEADER_BYTES", "y");

        assertThat(config.proxy().upstream()).hasToString("http://up:9000");
    }

    @Test
    void theEchoUpstreamReadsOnlyTheEmbeddedServersSettings()
    {
        ServerConfig server = ServerConfig.load(source("HTTP_PORT", "9000", "JWT_SECRET", "short", "UPSTREAM_URL", "ftp://nope"));

        assertThat(server.port()).isEqualTo(9000);
    }

    @Test
    void limitsOfTheHeadsAndTheListenQueueHaveDefaultsAndCanBeSet()
    {
        EmbeddedConfig defaults = embedded();
        EmbeddedConfig set = embedded("MAX_RESPONSE_HEADER_BYTES", "65536", "LISTEN_BACKLOG", "4096");

        assertThat(defaults.proxy().maxResponseHeaderBytes()).isEqualTo(8192);
        assertThat(defaults.server().listenBacklog()).isEqualTo(1024);
        assertThat(set.proxy().maxResponseHeaderBytes()).isEqualTo(65536);
        assertThat(set.server().listenBacklog()).isEqualTo(4096);
    }

    @Test
    void theShutdownDelayIsFiveSecondsByDefaultMayBeZeroButNeverNegative()
    {
        assertThat(embedded().server().shutdownDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(embedded("SHUTDOWN_DELAY", "0s").server().shutdownDelay()).isZero();
        assertThat(embeddedProblem("SHUTDOWN_DELAY", "-5s")).endsWith("SHUTDOWN_DELAY: \"-5s\" is not a duration (e.g. 0s, 500ms, 30s, 2m, 7d)");
        assertThat(embeddedProblem("SHUTDOWN_DRAIN", "0s")).contains("SHUTDOWN_DRAIN: \"0s\" is not a positive duration");
    }

    @Test
    void durationsTakeUnitsOrIso8601()
    {
        EmbeddedConfig config = embedded("UPSTREAM_CONNECT_TIMEOUT", "250ms", "UPSTREAM_IDLE_TIMEOUT", "2m", "CLIENT_IDLE_TIMEOUT", "PT1M30S",
            "WEBSOCKET_IDLE_TIMEOUT", "7d");

        assertThat(config.proxy().upstreamConnectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.proxy().upstreamIdleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.server().clientIdleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.proxy().webSocketIdleTimeout()).isEqualTo(Duration.ofDays(7));
        assertThat(embedded().proxy().upstreamIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(embedded().proxy().webSocketIdleTimeout()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void firstSourceWithAValueWins()
    {
        ConfigSource properties = ConfigSource.of(Map.of("JWT_USER", "from-property"));
        ConfigSource environment = ConfigSource.of(Map.of("JWT_USER", "from-env", "JWT_HEADER", "x-from-env", "HTTP_PORT", " "));
        ConfigSource context = ConfigSource.of(Map.of("JWT_USER", "from-context", "JWT_HEADER", "x-from-context", "HTTP_PORT", "7000"));

        EmbeddedConfig config = EmbeddedConfig.load(ConfigSource.layered(properties, environment, context));

        assertThat(config.tokens().user()).isEqualTo("from-property");
        assertThat(config.proxy().tokenHeader()).isEqualTo("x-from-env");
        assertThat(config.server().port()).as("a blank value counts as unset").isEqualTo(7000);
    }

    @Test
    void webappRequiresUpstreamAndSecret()
    {
        assertThat(webappProblem()).isEqualTo("invalid configuration: "
            + "UPSTREAM_URL: is required (for example http://127.0.0.1:9000); JWT_SECRET: is required (at least 64 bytes), or JWT_SECRET_FILE");
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badSettings")
    void rejectsEachBadSettingByName(String name, String value, String expected)
    {
        assertThat(embeddedProblem(name, value)).isEqualTo("invalid configuration: " + name + ": " + expected);
    }

    static Stream<Arguments> badSettings()
    {
        return Stream.of(
            Arguments.of("HTTP_PORT", "80x", "\"80x\" is not a port number (0-65535) or off"),
            Arguments.of("HTTP_PORT", "65536", "\"65536\" is not a port number (0-65535) or off"),
            Arguments.of("UPSTREAM_URL", "127.0.0.1:9000", "\"127.0.0.1:9000\" is not an absolute http(s) URL"),
            Arguments.of("UPSTREAM_URL", "ftp://host/", "\"ftp://host/\" is not an absolute http(s) URL"),
            Arguments.of("UPSTREAM_URL", "http://exa mple/", "\"http://exa mple/\" is not an absolute http(s) URL"),
            Arguments.of("UPSTREAM_URL", "http://host/?a=b", "\"http://host/?a=b\" must not have a query or fragment"),
            Arguments.of("UPSTREAM_URL", "http://u:p@host/", "must not carry credentials (user info)"),
            Arguments.of("UPSTREAM_URL", "http://host:70000/", "\"http://host:70000/\" has a port outside 1-65535"),
            Arguments.of("JWT_HEADER", "x my jwt", "\"x my jwt\" is not a valid header name"),
            Arguments.of("JWT_HEADER", "Connection", "\"connection\" is a header the proxy or HTTP itself uses"),
            Arguments.of("UPSTREAM_IDLE_TIMEOUT", "30", "\"30\" is not a positive duration (e.g. 500ms, 30s, 2m, 7d)"),
            Arguments.of("UPSTREAM_CONNECT_TIMEOUT", "0s", "\"0s\" is not a positive duration (e.g. 500ms, 30s, 2m, 7d)"),
            Arguments.of("CLIENT_IDLE_TIMEOUT", "-PT1S", "\"-PT1S\" is not a positive duration (e.g. 500ms, 30s, 2m, 7d)"),
            Arguments.of("WEBSOCKET_IDLE_TIMEOUT", "forever", "\"forever\" is not a positive duration (e.g. 500ms, 30s, 2m, 7d)"),
            Arguments.of("MAX_REQUEST_HEADER_BYTES", "512", "\"512\" is not a number of bytes from 1024 to 1048576"),
            Arguments.of("MAX_RESPONSE_HEADER_BYTES", "8k", "\"8k\" is not a number of bytes from 1024 to 1048576"),
            Arguments.of("LISTEN_BACKLOG", "0", "\"0\" is not a queue length from 1 to 65535"),
            Arguments.of("VIA_PSEUDONYM", "my proxy", "\"my proxy\" is not a token (letters, digits, -._~ and the like)"),
            Arguments.of("TRUST_FORWARDED", "yes", "\"yes\" is neither true nor false"));
    }

    @Test
    void rejectsAShortSecretWithoutShowingIt()
    {
        String message = embeddedProblem("JWT_SECRET", "s3cr3t-but-short");

        assertThat(message).isEqualTo("invalid configuration: JWT_SECRET: is 16 bytes; HS512 needs at least 64 (RFC 7518 §3.2)");
        // 64 bytes, not 64 characters: a multi-byte secret of 32 characters is long enough.
        assertThat(embedded("JWT_SECRET", "é".repeat(32)).tokens().secret()).hasSize(64);
    }

    @Test
    void secretCanComeFromAFile(@TempDir Path dir) throws Exception
    {
        Path file = dir.resolve("jwt.secret");
        Files.writeString(file, SECRET + "\n");

        WebappConfig config = webapp("UPSTREAM_URL", "http://up", "JWT_SECRET_FILE", file.toString());

        assertThat(new String(config.tokens().secret(), StandardCharsets.UTF_8)).as("trailing line break dropped").isEqualTo(SECRET);
        assertThat(config.tokens().keySource()).isEqualTo("from JWT_SECRET_FILE " + file);
        assertThat(webappProblem("UPSTREAM_URL", "http://up", "JWT_SECRET_FILE", dir.resolve("missing").toString()))
            .isEqualTo("invalid configuration: JWT_SECRET_FILE: cannot read \"" + dir.resolve("missing") + "\" (NoSuchFileException)");
        assertThat(webappProblem("UPSTREAM_URL", "http://up", "JWT_SECRET_FILE", file.toString(), "JWT_SECRET", SECRET))
            .isEqualTo("invalid configuration: JWT_SECRET: set either it or JWT_SECRET_FILE, not both");
        Files.writeString(file, "short\n");
        assertThat(embeddedProblem("JWT_SECRET_FILE", file.toString()))
            .isEqualTo("invalid configuration: JWT_SECRET_FILE: the secret is 5 bytes; HS512 needs at least 64 (RFC 7518 §3.2)");
    }

    @Test
    void reportsEveryProblemAtOnce()
    {
        ConfigException x = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
            () -> embedded("HTTP_PORT", "-1", "UPSTREAM_URL", "nope", "JWT_SECRET", "short", "JWT_HEADER", "a:b"));

        assertThat(x.problems()).extracting(p -> p.substring(0, p.indexOf(':')))
            .as("the embedded server's, the proxy's, then the token's").containsExactly("HTTP_PORT", "UPSTREAM_URL", "JWT_HEADER", "JWT_SECRET");
        assertThat(x.getMessage()).doesNotContain("\n");
        assertThat(x.getStackTrace()).as("an operator's error, not a bug: no stack trace").isEmpty();
    }

    @Test
    void toStringRedactsTheSecret()
    {
        WebappConfig config = webapp("UPSTREAM_URL", "http://up:9000", "JWT_SECRET", SECRET);

        assertThat(config.toString()).doesNotContain(SECRET).contains("secret <128 bytes>");
    }

    @Test
    void upstreamJoinsBasePathPathAndRawQuery()
    {
        assertThat(Upstream.parse("http://up:9000").target("/a%20b/c", "x=1&y=%2F")).isEqualTo("http://up:9000/a%20b/c?x=1&y=%2F");
        assertThat(Upstream.parse("http://up:9000/").target("/a", null)).isEqualTo("http://up:9000/a");
        assertThat(Upstream.parse("http://up:9000/base/").target("/a", "q")).isEqualTo("http://up:9000/base/a?q");
        assertThat(Upstream.parse("HTTP://up/base").target("", null)).isEqualTo("http://up/base/");
        assertThat(Upstream.parse("http://[::1]:9000").target("/", "")).isEqualTo("http://[::1]:9000/?");
        assertThatThrownBy(() -> Upstream.parse("mailto:x@y")).hasMessageContaining("is not an absolute http(s) URL");
    }
}
