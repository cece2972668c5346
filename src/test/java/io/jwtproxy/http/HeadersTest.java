package io.jwtproxy.http;

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
    void tokensAreTheGrammarOfFieldNamesAndMethods()
    {
        assertThat(Headers.isToken("x-my-jwt")).isTrue();
        assertThat(Headers.isToken("PROPFIND")).isTrue();
        assertThat(Headers.isToken("a:b")).isFalse();
        assertThat(Headers.isToken("x my")).isFalse();
        assertThat(Headers.isToken("")).isFalse();
    }

    @Test
    void maxForwardsIsANonNegativeInteger()
    {
        assertThat(Headers.maxForwards(" 3 ")).isEqualTo(3);
        assertThat(Headers.maxForwards("0")).isZero();
        assertThat(Headers.maxForwards("two")).isEqualTo(-1);
        assertThat(Headers.maxForwards("-1")).isEqualTo(-1);
        assertThat(Headers.maxForwards("99999999999999999999")).as("too many digits").isEqualTo(-1);
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

    @Test
    void identityValuesAreReadAsUtf8AndRefusedWhenTheyAreNot()
    {
        // What a container hands over for the UTF-8 bytes of "José": one char per byte.
        String asReceived = new String("José".getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(Headers.utf8(asReceived)).hasValue("José");
        assertThat(Headers.utf8("alice")).hasValue("alice");
        assertThat(Headers.utf8("Jos\u00e9")).as("a lone ISO-8859-1 byte is no UTF-8").isEmpty();
        assertThat(Headers.utf8("a\u00e2\u0080\u00a8b")).as("U+2028 as UTF-8 bytes").isEmpty();
        assertThat(Headers.utf8("a\u2028b")).as("already decoded, with U+2028").isEmpty();
    }

    @Test
    void connectionSpecificFieldsMakeAnHttp2RequestMalformed()
    {
        java.util.function.Function<String, java.util.Enumeration<String>> te = name ->
            java.util.Collections.enumeration(name.equals("te") ? List.of("trailers") : List.of());
        java.util.function.Function<String, java.util.Enumeration<String>> upgrade = name ->
            java.util.Collections.enumeration(name.equals("upgrade") ? List.of("h2c") : List.of());
        java.util.function.Function<String, java.util.Enumeration<String>> gzip = name ->
            java.util.Collections.enumeration(name.equals("te") ? List.of("gzip") : List.of());

        assertThat(Headers.connectionSpecificField("HTTP/2.0", te)).isNull();
        assertThat(Headers.connectionSpecificField("HTTP/2.0", upgrade)).isEqualTo("upgrade");
        assertThat(Headers.connectionSpecificField("HTTP/2.0", gzip)).isEqualTo("te other than trailers");
        assertThat(Headers.connectionSpecificField("HTTP/1.1", upgrade)).as("hop-by-hop in HTTP/1.1, removed there").isNull();
    }
}
