package io.jwtproxy.exchange;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jwtproxy.testing.EventStream;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.UpstreamAnswers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the upstream said reaches the client as it said it: response fields value for value,
 * interim responses, bodiless statuses framed as RFC 9110 §8.6 says, and a head too large to relay
 * refused with 502. Raw sockets on both sides, so that every byte is seen.
 */
class ResponseFidelityTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();
    private int port;

    @BeforeEach
    void startProxy() throws IOException
    {
        port = proxies.start(UpstreamAnswers.upstream()).port();
    }

    private RawHttp.Response get(String path) throws IOException
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            return http.readResponse(false);
        }
    }

    @ParameterizedTest
    @EnumSource(EventStream.Framing.class)
    void eachPieceOfAStreamedResponseReachesTheClientWhenItIsSent(EventStream.Framing framing) throws Exception
    {
        EventStream stream = new EventStream(5, 300, framing);
        int streaming = proxies.start(stream.upstream()).port();

        try (RawHttp http = new RawHttp(streaming))
        {
            http.send("GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
            List<Double> delays = stream.delaysMillis(http.input());
            System.out.printf("ResponseFidelityTest: %s stream, delays %s ms%n", framing, delays.stream().map(d -> String.format("%.1f", d)).toList());

            assertThat(delays).as("ms from the upstream's write to the client's read, event by event").hasSize(5).allMatch(delay -> delay < 100);
        }
    }

    @Test
    void responseFieldsPassByteForByteInOrderAndRepeated() throws Exception
    {
        RawHttp.Response response = get("/fields");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("ok");
        UpstreamAnswers.assertRelayedVerbatim(UpstreamAnswers.FIELDS, response.head().lines());
        assertThat(UpstreamAnswers.named(response.head(), "date")).as("the upstream's Date, not a second one").hasSize(1);
    }

    @Test
    void earlyHintsReachTheClientBeforeTheFinalResponseWhichDoesNotInheritThem() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /103 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Head hints = http.readHead();
            RawHttp.Response response = http.readResponse(false);

            assertThat(hints.status()).isEqualTo(103);
            assertThat(hints.all("link")).containsExactly("</style.css>; rel=preload; as=style", "</font.woff2>; rel=preload; as=font; crossorigin");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-final")).isEqualTo("yes");
            assertThat(response.head().fields()).as("the hints were the 103's only").doesNotContainKey("link");
            assertThat(response.text()).isEqualTo("ok");

            http.send("GET /fields HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(http.readResponse(false).status()).as("the connection goes on").isEqualTo(200);
        }
    }

    @Test
    void processingIsRelayedAndAnInterimStatusJettyCannotSendStillEndsInTheFinalResponse() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /102 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(http.readHead().status()).isEqualTo(102);
            assertThat(http.readResponse(false).header("x-final")).isEqualTo("yes");

            http.send("GET /199 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);
            assertThat(response.status()).as("199 is consumed; the final response follows").isEqualTo(200);
            assertThat(response.header("x-final")).isEqualTo("yes");
            assertThat(response.head().fields()).doesNotContainKey("x-misc");
        }
    }

    @Test
    void anHttp10ClientGetsNoInterimResponseButTheFinalOne() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET /103 HTTP/1.0\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).as("RFC 9110 §15.2: no 1xx to HTTP/1.0").isEqualTo(200);
            assertThat(response.text()).isEqualTo("ok");
        }
    }

    @Test
    void notModifiedGetsNoInventedContentLengthButKeepsTheUpstreams() throws Exception
    {
        RawHttp.Response bare = get("/304");
        RawHttp.Response withLength = get("/304-with-length");

        assertThat(bare.status()).isEqualTo(304);
        assertThat(bare.head().fields()).as("RFC 9110 §8.6: a 304's Content-Length is the 200's").doesNotContainKey("content-length");
        assertThat(bare.header("etag")).isEqualTo("\"v1\"");
        assertThat(bare.header("cache-control")).isEqualTo("max-age=60");
        assertThat(withLength.header("content-length")).isEqualTo("10");
    }

    @Test
    void noContentHasNoContentLengthAndItsStrayBodyIsNotForwarded() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("DELETE /204-with-body HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).isEqualTo(204);
            assertThat(response.head().fields()).as("RFC 9110 §15.3.5").doesNotContainKey("content-length").containsKey("x-deleted");

            // The 204's stray "hello" must neither reach this connection nor be read as the next answer.
            http.send("GET /fields HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response next = http.readResponse(false);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).isEqualTo("ok");
        }
    }

    @Test
    void aHeadTooLargeToRelayGets502AndOneThatFitsPasses() throws Exception
    {
        RawHttp.Response huge = get("/40k-head");
        RawHttp.Response near = get("/near-limit");

        assertThat(huge.status()).isEqualTo(502);
        assertThat(huge.head().fields()).doesNotContainKeys("x-huge", "x-after");
        assertThat(near.status()).isEqualTo(200);
        assertThat(UpstreamAnswers.named(near.head(), "x-large")).containsExactly(UpstreamAnswers.NEAR_LIMIT_FIELD);
    }

    @Test
    void theResponseHeadLimitIsASetting() throws Exception
    {
        port = proxies.start(UpstreamAnswers.upstream(), "MAX_RESPONSE_HEADER_BYTES", "65536").port();

        RawHttp.Response huge = get("/40k-head");

        assertThat(huge.status()).isEqualTo(200);
        assertThat(huge.header("x-huge")).hasSize(40_000);
        assertThat(huge.header("x-after")).isEqualTo("1");
    }

    @Test
    void anUpstreamsEarlyErrorReachesTheClientAsItWas() throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("PUT /417 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);

            assertThat(response.status()).isEqualTo(417);
            assertThat(response.header("x-reason")).isEqualTo("no uploads here");
            assertThat(response.header("content-length")).isEqualTo("0");
            assertThat(response.head().fields()).as("the upstream's answer, not an error page of the proxy's").doesNotContainKey("cache-control");
        }
    }
}
