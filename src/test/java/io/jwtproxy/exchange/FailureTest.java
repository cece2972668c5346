package io.jwtproxy.exchange;

import java.io.EOFException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.http.HttpException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one place failures become statuses and log text. */
class FailureTest
{
    @Test
    void theClientsTimeoutOrMalformedBodyIsTheClients()
    {
        assertThat(Failure.ofClientRequest(new TimeoutException("Idle timeout 1000 ms")).status()).isEqualTo(408);
        assertThat(Failure.ofClientRequest(new HttpException.RuntimeException(400, "bad chunk")).status()).isEqualTo(400);
        assertThat(Failure.ofClientRequest(new RuntimeException(new HttpException.IllegalArgumentException(400, "bad chunk"))).status())
            .as("wrapped").isEqualTo(400);
        assertThat(Failure.ofClientRequest(new EOFException()).status()).as("the upstream broke while taking the body").isEqualTo(502);
        assertThat(Failure.ofClientRequest(new TimeoutException()).clients()).isTrue();
    }

    @Test
    void anUpstreamTimeoutIs504AndEveryOtherUpstreamFailure502()
    {
        assertThat(Failure.ofUpstream(new TimeoutException("Idle timeout 30000 ms")).status()).isEqualTo(504);
        assertThat(Failure.ofUpstream(new ConnectException("Connection refused")).status()).isEqualTo(502);
        assertThat(Failure.ofUpstream(new EOFException()).reason()).isEqualTo("upstream failed: EOFException");
        assertThat(Failure.ofUpstream(new UnrelayableResponseException("the response head would take 40300 bytes", null)))
            .isEqualTo(new Failure(502, "the response head would take 40300 bytes", "other"));
        assertThat(Failure.ofUpstream(new HttpException.RuntimeException(400, "bad chunk")).status())
            .as("Jetty's server raises it for the client's malformed body").isEqualTo(400);
        assertThat(Failure.MINTING_FAILED.status()).isEqualTo(500);
        // The metrics' kinds.
        assertThat(Failure.ofUpstream(new ConnectException("Connection refused")).upstreamKind()).isEqualTo("refused");
        assertThat(Failure.ofUpstream(new TimeoutException("Idle timeout 30000 ms")).upstreamKind()).isEqualTo("timeout");
        assertThat(Failure.ofUpstream(new EOFException()).upstreamKind()).isEqualTo("reset");
        assertThat(Failure.ofUpstream(new java.io.IOException(new javax.net.ssl.SSLHandshakeException("PKIX path building failed"))).upstreamKind())
            .isEqualTo("tls");
        assertThat(Failure.ofUpstream(new HttpException.RuntimeException(400, "bad chunk")).upstreamKind()).as("the client's").isNull();
        assertThat(Failure.UNFORWARDABLE_TARGET.status()).isEqualTo(400);
    }

    @Test
    void failuresAreDescribedWithoutJettysConnectionDumps()
    {
        assertThat(Failure.describe(new EOFException("oejcti.HttpConnectionOverHTTP@8c51ce2::oeji.SocketChannelEndPoint@47a8")))
            .isEqualTo("EOFException");
        assertThat(Failure.describe(new IllegalStateException("HTTP protocol violation: bad response on oejcti.HttpConnectionOverHTTP@1")))
            .isEqualTo("IllegalStateException: HTTP protocol violation: bad response");
        assertThat(Failure.describe(new ConnectException("Connection refused"))).isEqualTo("ConnectException: Connection refused");
        assertThat(Failure.describe(new RuntimeException())).isEqualTo("RuntimeException");
        assertThat(Failure.describe(new IllegalStateException("bad response on oejcti.HttpConnectionOverHTTP@1",
            new RuntimeException("200: Response Header Bytes Too Large"))))
            .as("the cause says what was wrong").isEqualTo("IllegalStateException: bad response (RuntimeException: 200: Response Header Bytes Too Large)");
    }
}
