package io.jwtproxy.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestPathTest
{
    @ParameterizedTest
    @CsvSource({
        "/, /",
        "/a/b, /a/b",
        "/a/b/, /a/b/",
        "/a/./b, /a/b",
        "/a/b/.., /a/",
        "/a/b/., /a/b/",
        "/a/b/../c, /a/c",
        "/public/.., /",
        "/., /",
        "/%7Ea/%41%2d%5F, /~a/A-_",
        "/caf%c3%a9, /caf%C3%A9",
        "/%c3%a0%e2%82%ac%f0%9f%98%80, /%C3%A0%E2%82%AC%F0%9F%98%80",
        "/a%2Eb, /a.b",
        "/a;p=1/b, /a;p=1/b",
        "/a:b@c!$&'()*+=, /a:b@c!$&'()*+="})
    void normalFormIsRfc3986sWithUnreservedEscapesDecoded(String raw, String normal)
    {
        assertThat(RequestPath.normalise(raw)).isEqualTo(normal);
        assertThat(RequestPath.isNormal(normal)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "/..", "/a/../..", "/a//b", "//a", "/a/%2e%2e/b", "/a/%2E/b", "/a/.%2e/b", "/a/..;/b", "/a/.;x/b",
        "/a%2fb", "/a%2Fb", "/a%5cb", "/a\\b", "/a%00b", "/a%", "/a%4", "/a%zz", "/a/%c0%ae%c0%ae/b", "/a%C0%AFb", "/a%e0%80%ae", "/a%f0%80%80%ae", "/a b", "/a\tb", "/a\u007fb"})
    void aPathThatCouldBeReadTwoWaysHasNoNormalForm(String raw)
    {
        assertThatThrownBy(() -> RequestPath.normalise(raw)).isInstanceOf(RequestPath.Refused.class);
        assertThat(RequestPath.isNormal(raw)).isFalse();
    }

    @Test
    void aPrefixCoversItsOwnPathAndWhatIsBelowIt()
    {
        assertThat(RequestPath.under("/public/x", "/public/")).isTrue();
        assertThat(RequestPath.under("/public", "/public/")).isFalse();
        assertThat(RequestPath.under("/health", "/health")).isTrue();
        assertThat(RequestPath.under("/health/deep", "/health")).isTrue();
        assertThat(RequestPath.under("/healthz", "/health")).isFalse();
    }

    @Test
    void theContextIsStrippedAfterNormalising()
    {
        assertThat(RequestPath.inContext("/app/public/../admin", "/app")).isEqualTo("/admin");
        assertThat(RequestPath.inContext("/app/./x", "/app")).isEqualTo("/x");
        assertThat(RequestPath.inContext("/app", "/app")).isEqualTo("/");
        assertThat(RequestPath.inContext("/x", "")).isEqualTo("/x");
        assertThatThrownBy(() -> RequestPath.inContext("/app/../other/x", "/app")).isInstanceOf(RequestPath.Refused.class);
        assertThatThrownBy(() -> RequestPath.inContext("/application", "/app")).isInstanceOf(RequestPath.Refused.class);
    }
}
