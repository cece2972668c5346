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
        assertThat(JwtProxyServlet.describe(new IllegalStateException("bad response on oejcti.HttpConnectionOverHTTP@1",
            new RuntimeException("200: Response Header Bytes Too Large"))))
            .as("the cause says what was wrong").isEqualTo("IllegalStateException: bad response (RuntimeException: 200: Response Header Bytes Too Large)");
    }

    @Test
    void forwardingFieldsAreForwardedAndXForwardedStarAndTheirUnderscoreSpellingsAreCaught()
    {
        assertThat(Headers.isForwarding("Forwarded")).isTrue();
        assertThat(Headers.isForwarding("X-Real-IP")).isTrue();
        assertThat(Headers.isForwarding("x-forwarded-prefix")).isTrue();
        assertThat(Headers.isForwarding("X-Forwarded")).as("no such field").isFalse();
        assertThat(Headers.isForwarding("X_Forwarded_For")).as("the underscore spelling is a look-alike, not the field").isFalse();
        assertThat(Headers.isForwardingLookAlike("X_Forwarded_For")).isTrue();
        assertThat(Headers.isForwardingLookAlike("x_real_ip")).isTrue();
        assertThat(Headers.isForwardingLookAlike("X-Forwarded_Host")).isTrue();
        assertThat(Headers.isForwardingLookAlike("X-Forwarded-For")).isFalse();
        assertThat(Headers.isForwardingLookAlike("X_Request_Id")).isFalse();
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
