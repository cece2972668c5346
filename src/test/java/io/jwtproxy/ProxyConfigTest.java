package io.jwtproxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyConfigTest
{
    private static final String SECRET = Tokens.SEED_SECRET;

    static ProxyConfig load(ProxyConfig.Mode mode, String... pairs)
    {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
            values.put(pairs[i], pairs[i + 1]);
        return ProxyConfig.load(ConfigSource.of(values), mode);
    }

    static String problem(ProxyConfig.Mode mode, String... pairs)
    {
        try
        {
            load(mode, pairs);
        }
        catch (ConfigException x)
        {
            return x.getMessage();
        }
        throw new AssertionError("expected a configuration error for " + String.join(" ", pairs));
    }

    @Test
    void embeddedDefaultsAreTheDemo()
    {
        ProxyConfig config = load(ProxyConfig.Mode.EMBEDDED);

        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.demoUpstream()).isTrue();
        assertThat(config.demoSecret()).isTrue();
        assertThat(config.secret()).hasSizeGreaterThanOrEqualTo(ProxyConfig.MIN_SECRET_BYTES);
        assertThat(config.jwtUser()).isEqualTo("username");
        assertThat(config.jwtHeader()).isEqualTo("x-my-jwt");
    }

    @Test
    void demoSecretsDifferPerProcess()
    {
        assertThat(load(ProxyConfig.Mode.EMBEDDED).secret()).isNotEqualTo(load(ProxyConfig.Mode.EMBEDDED).secret());
    }

    @Test
    void readsEverySetting()
    {
        ProxyConfig config = load(ProxyConfig.Mode.WEBAPP, "HTTP_HOST", "127.0.0.1", "HTTP_PORT", "9090",
            "UPSTREAM_URL", "https://up.example:8443/base", "JWT_SECRET", SECRET, "JWT_USER", "bob", "JWT_HEADER", "X-Token");

        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(9090);
        assertThat(config.upstream()).hasToString("https://up.example:8443/base");
        assertThat(new String(config.secret(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(SECRET);
        assertThat(config.demoSecret()).isFalse();
        assertThat(config.jwtUser()).isEqualTo("bob");
        assertThat(config.jwtHeader()).isEqualTo("x-token");
    }

    @Test
    void limitsOfTheHeadsAndTheListenQueueHaveDefaultsAndCanBeSet()
    {
        ProxyConfig defaults = load(ProxyConfig.Mode.EMBEDDED);
        ProxyConfig set = load(ProxyConfig.Mode.EMBEDDED, "MAX_RESPONSE_HEADER_BYTES", "65536", "LISTEN_BACKLOG", "4096");

        assertThat(defaults.maxResponseHeaderBytes()).isEqualTo(8192);
        assertThat(defaults.listenBacklog()).isEqualTo(1024);
        assertThat(set.maxResponseHeaderBytes()).isEqualTo(65536);
        assertThat(set.listenBacklog()).isEqualTo(4096);
    }

    @Test
    void durationsTakeUnitsOrIso8601()
    {
        ProxyConfig config = load(ProxyConfig.Mode.EMBEDDED, "UPSTREAM_CONNECT_TIMEOUT", "250ms", "UPSTREAM_IDLE_TIMEOUT", "2m",
            "CLIENT_IDLE_TIMEOUT", "PT1M30S");

        assertThat(config.upstreamConnectTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(config.upstreamIdleTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(config.clientIdleTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(load(ProxyConfig.Mode.EMBEDDED).upstreamIdleTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
    }

    @Test
    void firstSourceWithAValueWins()
    {
        ConfigSource properties = ConfigSource.of(Map.of("JWT_USER", "from-property"));
        ConfigSource environment = ConfigSource.of(Map.of("JWT_USER", "from-env", "JWT_HEADER", "x-from-env", "HTTP_PORT", " "));
        ConfigSource context = ConfigSource.of(Map.of("JWT_USER", "from-context", "JWT_HEADER", "x-from-context", "HTTP_PORT", "7000"));

        ProxyConfig config = ProxyConfig.load(ConfigSource.layered(properties, environment, context), ProxyConfig.Mode.EMBEDDED);

        assertThat(config.jwtUser()).isEqualTo("from-property");
        assertThat(config.jwtHeader()).isEqualTo("x-from-env");
        assertThat(config.httpPort()).as("a blank value counts as unset").isEqualTo(7000);
    }

    @Test
    void webappRequiresUpstreamAndSecret()
    {
        assertThat(problem(ProxyConfig.Mode.WEBAPP)).isEqualTo("invalid configuration: "
            + "UPSTREAM_URL: is required (for example http://127.0.0.1:9000); JWT_SECRET: is required (at least 64 bytes), or JWT_SECRET_FILE");
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badSettings")
    void rejectsEachBadSettingByName(String name, String value, String expected)
    {
        assertThat(problem(ProxyConfig.Mode.EMBEDDED, name, value)).isEqualTo("invalid configuration: " + name + ": " + expected);
    }

    static Stream<Arguments> badSettings()
    {
        return Stream.of(
            Arguments.of("HTTP_PORT", "80x", "\"80x\" is not a port number (0-65535)"),
            Arguments.of("HTTP_PORT", "65536", "\"65536\" is not a port number (0-65535)"),
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
            Arguments.of("MAX_REQUEST_HEADER_BYTES", "512", "\"512\" is not a number of bytes from 1024 to 1048576"),
            Arguments.of("MAX_RESPONSE_HEADER_BYTES", "8k", "\"8k\" is not a number of bytes from 1024 to 1048576"),
            Arguments.of("LISTEN_BACKLOG", "0", "\"0\" is not a queue length from 1 to 65535"),
            Arguments.of("VIA_PSEUDONYM", "my proxy", "\"my proxy\" is not a token (letters, digits, -._~ and the like)"),
            Arguments.of("TRUST_FORWARDED", "yes", "\"yes\" is neither true nor false"));
    }

    @Test
    void rejectsAShortSecretWithoutShowingIt()
    {
        String message = problem(ProxyConfig.Mode.EMBEDDED, "JWT_SECRET", "s3cr3t-but-short");

        assertThat(message).isEqualTo("invalid configuration: JWT_SECRET: is 16 bytes; HS512 needs at least 64 (RFC 7518 §3.2)");
        // 64 bytes, not 64 characters: a multi-byte secret of 32 characters is long enough.
        assertThat(load(ProxyConfig.Mode.EMBEDDED, "JWT_SECRET", "é".repeat(32)).secret()).hasSize(64);
    }

    @Test
    void secretCanComeFromAFile(@TempDir Path dir) throws Exception
    {
        Path file = dir.resolve("jwt.secret");
        Files.writeString(file, SECRET + "\n");

        ProxyConfig config = load(ProxyConfig.Mode.WEBAPP, "UPSTREAM_URL", "http://up", "JWT_SECRET_FILE", file.toString());

        assertThat(new String(config.secret(), java.nio.charset.StandardCharsets.UTF_8)).as("trailing line break dropped").isEqualTo(SECRET);
        assertThat(problem(ProxyConfig.Mode.WEBAPP, "UPSTREAM_URL", "http://up", "JWT_SECRET_FILE", dir.resolve("missing").toString()))
            .isEqualTo("invalid configuration: JWT_SECRET_FILE: cannot read \"" + dir.resolve("missing") + "\" (NoSuchFileException)");
        assertThat(problem(ProxyConfig.Mode.WEBAPP, "UPSTREAM_URL", "http://up", "JWT_SECRET_FILE", file.toString(), "JWT_SECRET", SECRET))
            .isEqualTo("invalid configuration: JWT_SECRET: set either it or JWT_SECRET_FILE, not both");
        Files.writeString(file, "short\n");
        assertThat(problem(ProxyConfig.Mode.EMBEDDED, "JWT_SECRET_FILE", file.toString()))
            .isEqualTo("invalid configuration: JWT_SECRET_FILE: the secret is 5 bytes; HS512 needs at least 64 (RFC 7518 §3.2)");
    }

    @Test
    void reportsEveryProblemAtOnce()
    {
        ConfigException x = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
            () -> load(ProxyConfig.Mode.WEBAPP, "HTTP_PORT", "-1", "UPSTREAM_URL", "nope", "JWT_SECRET", "short", "JWT_HEADER", "a:b"));

        assertThat(x.problems()).extracting(p -> p.substring(0, p.indexOf(':')))
            .containsExactly("HTTP_PORT", "UPSTREAM_URL", "JWT_SECRET", "JWT_HEADER");
        assertThat(x.getMessage()).doesNotContain("\n");
        assertThat(x.getStackTrace()).as("an operator's error, not a bug: no stack trace").isEmpty();
    }

    @Test
    void toStringRedactsTheSecret()
    {
        ProxyConfig config = load(ProxyConfig.Mode.WEBAPP, "UPSTREAM_URL", "http://up:9000", "JWT_SECRET", SECRET);

        assertThat(config.toString()).doesNotContain(SECRET).contains("secret=<128 bytes>");
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
