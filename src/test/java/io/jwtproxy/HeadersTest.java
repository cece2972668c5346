package io.jwtproxy;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeadersTest
{
    @Test
    void tokenHeaderLookAlikesMatch()
    {
        assertThat(Headers.sameNameIgnoringUnderscore("x-my-jwt", "x-my-jwt")).isTrue();
        assertThat(Headers.sameNameIgnoringUnderscore("X-MY-JWT", "x-my-jwt")).isTrue();
        assertThat(Headers.sameNameIgnoringUnderscore("x_my_jwt", "x-my-jwt")).isTrue();
        assertThat(Headers.sameNameIgnoringUnderscore("X_My-Jwt", "x-my-jwt")).isTrue();
        assertThat(Headers.sameNameIgnoringUnderscore("x-my-jwt2", "x-my-jwt")).isFalse();
        assertThat(Headers.sameNameIgnoringUnderscore("x-my-jw", "x-my-jwt")).isFalse();
    }

    @Test
    void failuresAreDescribedWithoutJettysConnectionDumps()
    {
        assertThat(JwtProxyServlet.describe(new java.io.EOFException("oejcti.HttpConnectionOverHTTP@8c51ce2::oeji.SocketChannelEndPoint@47a8")))
            .isEqualTo("EOFException");
        assertThat(JwtProxyServlet.describe(new IllegalStateException("HTTP protocol violation: bad response on oejcti.HttpConnectionOverHTTP@1")))
            .isEqualTo("IllegalStateException: HTTP protocol violation: bad response");
        assertThat(JwtProxyServlet.describe(new java.net.ConnectException("Connection refused"))).isEqualTo("ConnectException: Connection refused");
        assertThat(JwtProxyServlet.describe(new RuntimeException())).isEqualTo("RuntimeException");
    }

    @Test
    void connectionOptionsNameFieldsInAnyCaseAndSpacing()
    {
        List<String> connection = List.of("close,  X-Foo ", "keep-alive,x-bar");

        assertThat(Headers.namedByConnection(connection, "x-foo")).isTrue();
        assertThat(Headers.namedByConnection(connection, "X-BAR")).isTrue();
        assertThat(Headers.namedByConnection(connection, "x-baz")).isFalse();
        assertThat(Headers.namedByConnection(List.of(), "x-foo")).isFalse();
    }
}
