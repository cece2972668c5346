package io.jwtproxy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Certificates.Issued;
import io.jwtproxy.testing.Certificates.KeyForm;
import io.jwtproxy.testing.Certificates.KeyType;
import io.jwtproxy.testing.Certificates.Purpose;
import io.jwtproxy.testing.JavaProcess;

import static io.jwtproxy.testing.TlsProbe.serial;
import static io.jwtproxy.testing.TlsProbe.serialOfANewConnection;
import static io.jwtproxy.testing.TlsProbe.status;
import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar's TLS listener as operators run it: files checked at start-up, and renewed while it runs. */
class TlsJarIT
{
    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Issued ca = Certificates.authority("jwt-proxy test CA");

    private Map<String, String> settings(Path chain, Path key, String... more)
    {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "off", "HTTPS_PORT", "0",
            "TLS_CERT_FILE", chain.toString(), "TLS_KEY_FILE", key.toString()));
        for (int i = 0; i < more.length; i += 2)
            settings.put(more[i], more[i + 1]);
        return settings;
    }

    @Test
    void tlsFilesThatDoNotCheckOutStopStartUpWithOneLineNamingTheSetting() throws Exception
    {
        Issued server = ca.server();
        Path chain = server.writeChain(dir.resolve("chain.pem"));
        Path key = server.writeKey(dir.resolve("key.pem"), KeyForm.TRADITIONAL);
        Issued expired = ca.issue(Purpose.SERVER, KeyType.EC, Instant.now().minus(Duration.ofDays(9)), Instant.now().minus(Duration.ofDays(2)));
        Map<Map<String, String>, String> cases = Map.of(
            settings(chain, ca.server().writeKey(dir.resolve("other.pem"), KeyForm.PKCS8)),
            "jwt-proxy: invalid configuration: TLS_KEY_FILE: does not match the certificate \"CN=localhost\"",
            settings(chain, ca.issue(Purpose.SERVER, KeyType.RSA, Instant.now(), Instant.now().plusSeconds(600)).writeKey(dir.resolve("rsa.pem"),
                KeyForm.TRADITIONAL)),
            "jwt-proxy: invalid configuration: TLS_KEY_FILE: holds an RSA key, but the certificate \"CN=localhost\"",
            settings(expired.writeChain(dir.resolve("expired.pem")), expired.writeKey(dir.resolve("expired-key.pem"), KeyForm.PKCS8)),
            "jwt-proxy: invalid configuration: TLS_CERT_FILE: the certificate \"CN=localhost\"",
            settings(dir.resolve("gone.pem"), key),
            "jwt-proxy: invalid configuration: TLS_CERT_FILE: cannot read \"" + dir.resolve("gone.pem") + "\" (NoSuchFileException)",
            Map.of("HTTP_PORT", "off"),
            "jwt-proxy: invalid configuration: HTTP_PORT: is off, but HTTPS_PORT is not set: the proxy would listen nowhere");

        for (Map.Entry<Map<String, String>, String> bad : cases.entrySet())
        {
            try (JavaProcess proxy = JavaProcess.jar(bad.getKey(), List.of()))
            {
                assertThat(proxy.awaitExit(START)).as("exit status for %s", bad.getValue()).isEqualTo(2);
                assertThat(proxy.output().strip()).as("one line").startsWith(bad.getValue()).doesNotContain("\n");
            }
        }
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestartAndAnOpenConnectionStaysOpen() throws Exception
    {
        Issued first = ca.server();
        Path chain = first.writeChain(dir.resolve("chain.pem"));
        Path key = first.writeKey(dir.resolve("key.pem"), KeyForm.TRADITIONAL);
        SSLContext trusting = ca.trustingThis(null);
        try (JavaProcess proxy = JavaProcess.jar(settings(chain, key, "TLS_WATCH_INTERVAL", "1s"), List.of("-Xmx128m")))
        {
            int port = proxy.awaitListening();
            SSLSocket open = (SSLSocket)trusting.getSocketFactory().createSocket("127.0.0.1", port);
            assertThat(status(open, "/status")).isEqualTo(200);
            assertThat(serial(open)).isEqualTo(first.serial());

            // A renewal half done: the new certificate is in place, its key is not.
            Issued second = ca.server();
            second.writeChain(chain);
            proxy.awaitLine("TLS certificate not renewed, still serving .*TLS_KEY_FILE: does not match the certificate", Duration.ofSeconds(10));
            assertThat(serialOfANewConnection(trusting, port)).as("served after a bad renewal").isEqualTo(first.serial());

            second.writeKey(key, KeyForm.PKCS8);
            long renewed = System.nanoTime();
            proxy.awaitLine("TLS certificate renewed: now \"CN=localhost\" \\(serial " + second.serial().toString(16) + "\\)", Duration.ofSeconds(30));
            assertThat(serialOfANewConnection(trusting, port)).isEqualTo(second.serial());
            assertThat(Duration.ofNanos(System.nanoTime() - renewed)).as("from the renewal to its certificate served").isLessThan(Duration.ofSeconds(30));

            assertThat(status(open, "/status")).as("a request on the connection opened before the renewal").isEqualTo(200);
            assertThat(serial(open)).isEqualTo(first.serial());
            open.close();
        }
    }
}
