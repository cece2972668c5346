package io.jwtproxy.http;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.RawH2;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 9113 §8.2.2: an HTTP/2 request with a connection-specific field is malformed, and never forwarded. */
class Http2MalformedTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();

    private Proxy proxy() throws Exception
    {
        return proxies.start(new CannedUpstream("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
    }

    @ParameterizedTest
    @CsvSource({"transfer-encoding, chunked", "upgrade, websocket", "keep-alive, timeout=5", "proxy-connection, keep-alive", "connection, close",
        "te, gzip"})
    void aConnectionSpecificFieldMakesTheRequestMalformed(String name, String value) throws Exception
    {
        Proxy proxy = proxy();

        int status = RawH2.status(proxy.port(), ":method", "GET", ":scheme", "http", ":authority", "127.0.0.1", ":path", "/x", name, value);

        assertThat(status).as("%s: %s over HTTP/2 (-1: the stream reset)", name, value).isIn(400, -1);
        assertThat(proxies.upstream().requestHeads.poll(200, TimeUnit.MILLISECONDS)).as("nothing forwarded").isNull();
    }

    @Test
    void teTrailersIsTheOneTeHttp2Carries() throws Exception
    {
        Proxy proxy = proxy();

        int status = RawH2.status(proxy.port(), ":method", "GET", ":scheme", "http", ":authority", "127.0.0.1", ":path", "/x", "te", "trailers");

        assertThat(status).isEqualTo(200);
        assertThat(proxies.upstream().requestHeads.poll(5, TimeUnit.SECONDS)).isNotNull();
    }
}
