package io.jwtproxy.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers a real upstream gives and a proxy must relay as they came: response heads with quoted
 * strings, JSON, escapes, odd spacing and repeated fields, interim responses, bodiless statuses and
 * heads too large to relay. Served by path from a keep-alive {@link CannedUpstream#conversation}.
 */
public final class UpstreamAnswers
{
    /**
     * The end-to-end fields of {@code GET /fields}. Values from the probe of issue 10, among them
     * every one that made Jetty's proxy drop or rewrite fields. Date comes first: Jetty keeps its own
     * Date at the top of the head and gives it the upstream's value.
     */
    public static final List<String> FIELDS = List.of(
        "Date: Tue, 01 Dec 2026 10:00:00 GMT",
        "Content-Type: text/html; charset=utf-8",
        "NEL: {\"report_to\":\"default\",\"max_age\":31536000,\"include_subdomains\":true}",
        "Report-To: {\"group\":\"default\",\"max_age\":31536000,\"endpoints\":[{\"url\":\"https://reports.example/nel\"}]}",
        "X-Foo: a\"b",
        "ETag: W/\"x\"y",
        "WWW-Authenticate: Digest realm=\"api\", qop=\"auth, auth-int\", nonce=\"n0nce\"",
        "Alt-Svc: h3=\":443\"; ma=86400",
        "Content-Disposition: attachment; filename=\"my file, v2.txt\"",
        "Cache-Control: no-store, private=\"Set-Cookie, Authorization\"",
        "Set-Cookie: q=\"quoted value\"",
        "Set-Cookie: sess=\"a\\054b\\073c d\"; Path=/; HttpOnly; Secure",
        "Set-Cookie: js={\"a\":1}",
        "X-Comma: comma=a,b",
        "Content-Security-Policy: default-src 'self'; script-src 'nonce-r4nd0m'",
        "X-Frame-Options: DENY",
        "Strict-Transport-Security: max-age=63072000; includeSubDomains",
        "x-lower-case-name: kept",
        "X-Spaces: a   b",
        "X-Empty: ",
        // The UTF-8 bytes of "café", one char per byte: obs-text passes as the bytes it is.
        "X-Obs-Text: caf\u00c3\u00a9",
        "Vary: Accept-Encoding, Origin",
        "Server: upstream/1.0");

    /** A field the size of which a default 8 KiB container buffer still holds with the proxy's reserve. */
    public static final String NEAR_LIMIT_FIELD = "X-Large: " + "a".repeat(7_600);

    public static final Map<String, String> BY_PATH = Map.ofEntries(
        Map.entry("/fields", "HTTP/1.1 200 OK\r\n" + String.join("\r\n", FIELDS) + "\r\nContent-Length: 2\r\n\r\nok"),
        Map.entry("/103", "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n"
            + "Link: </font.woff2>; rel=preload; as=font; crossorigin\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 2\r\n\r\nok"),
        Map.entry("/102", "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 2\r\n\r\nok"),
        Map.entry("/199", "HTTP/1.1 199 Miscellaneous\r\nX-Misc: 1\r\n\r\nHTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 2\r\n\r\nok"),
        Map.entry("/304", "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nCache-Control: max-age=60\r\n\r\n"),
        Map.entry("/304-with-length", "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 10\r\n\r\n"),
        Map.entry("/204-with-body", "HTTP/1.1 204 No Content\r\nX-Deleted: 7\r\nContent-Length: 5\r\n\r\nhello"),
        Map.entry("/near-limit", "HTTP/1.1 200 OK\r\n" + NEAR_LIMIT_FIELD + "\r\nContent-Length: 2\r\n\r\nok"),
        Map.entry("/40k-head", "HTTP/1.1 200 OK\r\nX-Huge: " + "a".repeat(40_000) + "\r\nX-After: 1\r\nContent-Length: 2\r\n\r\nok"),
        Map.entry("/plain", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        Map.entry("/101-h2c", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"),
        Map.entry("/417", "HTTP/1.1 417 Expectation Failed\r\nX-Reason: no uploads here\r\nContent-Length: 0\r\n\r\n"));

    private UpstreamAnswers()
    {
    }

    /** @return an upstream answering every request by its path, from {@link #BY_PATH} */
    public static CannedUpstream upstream() throws IOException
    {
        return CannedUpstream.conversation((head, number) -> BY_PATH.get(CannedUpstream.path(head)));
    }

    /**
     * Asserts that every field the upstream sent reached the client with its value as it was, in
     * the upstream's order and repetition. Names are compared ignoring case (RFC 9110 §5.1; Jetty
     * writes the names it knows in their registered case); values as bytes.
     *
     * @param sent the upstream's field lines
     * @param received the field lines the client got
     * @param except names (lower case) the container is known to re-render, compared by the caller
     */
    public static void assertRelayedVerbatim(List<String> sent, List<String> received, String... except)
    {
        List<String> exceptions = List.of(except);
        List<String> expected = comparable(sent, exceptions);
        List<String> names = expected.stream().map(field -> field.substring(0, field.indexOf(':'))).distinct().toList();
        List<String> got = comparable(received, exceptions).stream().filter(field -> names.contains(field.substring(0, field.indexOf(':')))).toList();
        assertThat(got).as("the upstream's fields as the client received them").containsExactlyElementsOf(expected);
    }

    // "name:value": the name lower case, the value without the optional whitespace around it (RFC 9110 §5.5).
    private static List<String> comparable(List<String> lines, List<String> exceptions)
    {
        List<String> fields = new ArrayList<>();
        for (String line : lines)
        {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            if (!exceptions.contains(name))
                fields.add(name + ":" + line.substring(colon + 1).strip());
        }
        return fields;
    }

    /** @return the lines of {@code head}'s fields named {@code name}, any case */
    public static List<String> named(RawHttp.Head head, String name)
    {
        return head.lines().stream().filter(line -> line.regionMatches(true, 0, name + ":", 0, name.length() + 1)).toList();
    }
}
