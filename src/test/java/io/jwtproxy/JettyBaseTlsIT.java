package io.jwtproxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Certificates.Issued;
import io.jwtproxy.testing.Deployment;
import io.jwtproxy.testing.RevealingEcho;
import io.jwtproxy.testing.Tokens;

import static io.jwtproxy.testing.TlsProbe.serial;
import static io.jwtproxy.testing.TlsProbe.serialOfANewConnection;
import static io.jwtproxy.testing.TlsProbe.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * jetty-base's TLS and HTTP/2, switched on as {@code start.d/tls-and-http2.ini} tells an operator:
 * h2 by ALPN in front of the WAR, and a renewed key store served without a restart.
 */
class JettyBaseTlsIT
{
    private static final String PASSWORD = "store-password";

    @TempDir
    Path dir;

    private final Deployment.JettyHome jetty = new Deployment.JettyHome();
    private Server upstream;

    @AfterEach
    void stop() throws Exception
    {
        jetty.close();
        if (upstream != null)
            upstream.stop();
    }

    @Test
    void theTemplateServesH2OverTlsWithAFreshTokenPerStreamAndARenewedKeyStoreWithoutARestart() throws Exception
    {
        Issued ca = Certificates.authority("jwt-proxy test CA");
        Issued first = ca.server();
        upstream = RevealingEcho.start("x-my-jwt");
        jetty.tls(first.writePkcs12(dir.resolve("keystore.p12"), PASSWORD), PASSWORD)
            .start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream), "JWT_SECRET", Tokens.SEED_SECRET));
        SSLContext trusting = ca.trustingThis(null);
        HttpClient h2 = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build();
        int sslPort = URI.create(jetty.httpsBase()).getPort();

        HttpResponse<String> one = h2.send(HttpRequest.newBuilder(URI.create(jetty.httpsBase() + "/over/h2/1")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> two = h2.send(HttpRequest.newBuilder(URI.create(jetty.httpsBase() + "/over/h2/2")).build(), HttpResponse.BodyHandlers.ofString());

        for (HttpResponse<String> response : new HttpResponse[]{one, two})
        {
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(Tokens.verifies(response.headers().firstValue("x-upstream-token").orElseThrow(), Tokens.SEED_SECRET)).isTrue();
            assertThat(response.headers().firstValue("x-forwarded-proto")).hasValue("https");
        }
        assertThat(one.headers().firstValue("x-upstream-token")).isNotEqualTo(two.headers().firstValue("x-upstream-token"));

        SSLSocket open = (SSLSocket)trusting.getSocketFactory().createSocket("127.0.0.1", sslPort);
        assertThat(status(open, "/status")).isEqualTo(200);
        Issued second = ca.server();
        // The renewal as the template's comment has it: the same export over the old key store.
        second.writePkcs12(jetty.keyStore(), PASSWORD);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // Each turn is a new TLS handshake: the poll paces itself.
        while (!serialOfANewConnection(trusting, sslPort).equals(second.serial()))
            assertThat(System.nanoTime()).as("the renewed certificate served within 30 s").isLessThan(deadline);
        assertThat(status(open, "/status")).as("a request on the connection opened before the renewal").isEqualTo(200);
        assertThat(serial(open)).isEqualTo(first.serial());
        open.close();
    }
}
