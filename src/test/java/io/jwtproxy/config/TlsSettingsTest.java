package io.jwtproxy.config;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.testing.Certificates.Issued;
import io.jwtproxy.testing.Certificates.KeyForm;
import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Settings;

import static io.jwtproxy.config.SettingsTest.embedded;
import static io.jwtproxy.config.SettingsTest.embeddedProblem;
import static io.jwtproxy.config.SettingsTest.webappProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** The listeners, the TLS files, and the upstream's protocol and TLS: each wrong setting named. */
class TlsSettingsTest
{
    @TempDir
    Path dir;

    private final Issued ca = Certificates.authority("jwt-proxy test CA");

    private String[] listener(Issued server, String... more)
    {
        return Settings.of(Setting.HTTPS_PORT, 0).with(Setting.TLS_CERT_FILE, server.writeChain(dir.resolve("chain.pem")))
            .with(Setting.TLS_KEY_FILE, server.writeKey(dir.resolve("key.pem"), KeyForm.TRADITIONAL)).with(more).pairs();
    }

    @Test
    void aTlsListenerAloneOrBesideThePlainOne()
    {
        Issued server = ca.server();

        ServerConfig both = embedded(listener(server)).server();
        ServerConfig tlsOnly = embedded(listener(server, "HTTP_PORT", "off")).server();

        assertThat(both.plainListener()).isTrue();
        assertThat(both.tls().identity().leaf()).isEqualTo(server.certificate());
        assertThat(tlsOnly.plainListener()).isFalse();
        assertThat(tlsOnly.tls()).isNotNull();
        assertThat(embedded().server().tls()).as("by default").isNull();
    }

    @Test
    void aListenerThatCannotBeIsNamed()
    {
        assertThat(embeddedProblem("HTTP_PORT", "off"))
            .isEqualTo("invalid configuration: HTTP_PORT: is off, but HTTPS_PORT is not set: the proxy would listen nowhere");
        assertThat(embeddedProblem("HTTPS_PORT", "8443")).isEqualTo("invalid configuration: "
            + "TLS_CERT_FILE: is required with HTTPS_PORT (a PEM certificate chain, leaf first); "
            + "TLS_KEY_FILE: is required with HTTPS_PORT (the certificate's PEM private key)");
        assertThat(embeddedProblem("TLS_CERT_FILE", "/etc/ssl/chain.pem"))
            .isEqualTo("invalid configuration: TLS_CERT_FILE: is set, but HTTPS_PORT is not: set HTTPS_PORT to listen for TLS");
        assertThat(embeddedProblem(listener(ca.server(), "HTTP_PORT", "8443", "HTTPS_PORT", "8443")))
            .isEqualTo("invalid configuration: HTTPS_PORT: is 8443, HTTP_PORT's port too");
    }

    @Test
    void tlsFilesThatDoNotCheckOutAreNamed()
    {
        Issued server = ca.server();
        Path otherKey = ca.server().writeKey(dir.resolve("other.pem"), KeyForm.PKCS8);

        assertThat(embeddedProblem(listener(server, "TLS_KEY_FILE", otherKey.toString())))
            .startsWith("invalid configuration: TLS_KEY_FILE: does not match the certificate \"CN=localhost\"");
        assertThat(embeddedProblem(listener(ca.client())))
            .startsWith("invalid configuration: TLS_CERT_FILE: the certificate \"CN=jwt-proxy test client\"")
            .endsWith("may not authenticate a TLS server: its extended key usage lacks serverAuth");
    }

    @Test
    void theUpstreamProtocolMustFitTheUpstream()
    {
        assertThat(embeddedProblem("UPSTREAM_URL", "http://up:9000", "UPSTREAM_PROTOCOL", "h3"))
            .isEqualTo("invalid configuration: UPSTREAM_PROTOCOL: \"h3\" is none of http/1.1, h2c, h2");
        assertThat(embeddedProblem("UPSTREAM_URL", "http://up:9000", "UPSTREAM_PROTOCOL", "h2")).isEqualTo("invalid configuration: "
            + "UPSTREAM_PROTOCOL: h2 is HTTP/2 over TLS, but UPSTREAM_URL is http: use h2c, or an https UPSTREAM_URL");
        assertThat(embeddedProblem("UPSTREAM_URL", "https://up:9443", "UPSTREAM_PROTOCOL", "h2c"))
            .isEqualTo("invalid configuration: UPSTREAM_PROTOCOL: h2c is HTTP/2 without TLS, but UPSTREAM_URL is https: use h2");
        assertThat(embeddedProblem("UPSTREAM_PROTOCOL", "h2c")).isEqualTo("invalid configuration: "
            + "UPSTREAM_PROTOCOL: is h2c, but UPSTREAM_URL is not set (the demo's echo upstream speaks HTTP/1.1)");
        assertThat(embedded("UPSTREAM_URL", "http://up:9000", "UPSTREAM_PROTOCOL", "H2C").proxy().transport().protocol())
            .isEqualTo(UpstreamTransport.Protocol.H2C);
    }

    @Test
    void upstreamTlsFilesAreCheckedAndNamed()
    {
        Path bundle = ca.writeCertificate(dir.resolve("ca.pem"));
        Issued client = ca.client();
        Path clientChain = client.writeChain(dir.resolve("client.pem"));
        Path clientKey = client.writeKey(dir.resolve("client-key.pem"), KeyForm.PKCS8);

        UpstreamTransport transport = embedded("UPSTREAM_URL", "https://up:9443", "UPSTREAM_CA_FILE", bundle.toString(),
            "UPSTREAM_CLIENT_CERT_FILE", clientChain.toString(), "UPSTREAM_CLIENT_KEY_FILE", clientKey.toString()).proxy().transport();

        assertThat(transport.trustedAuthorities()).isNotNull();
        assertThat(transport.clientIdentity().leaf()).isEqualTo(client.certificate());
        assertThat(webappProblem("UPSTREAM_URL", "http://up:9000", "JWT_SECRET", "x".repeat(64), "UPSTREAM_CA_FILE", bundle.toString()))
            .isEqualTo("invalid configuration: UPSTREAM_CA_FILE: is set, but UPSTREAM_URL is not https: there is no TLS to verify");
        assertThat(embeddedProblem("UPSTREAM_URL", "https://up:9443", "UPSTREAM_CA_FILE", dir.resolve("none.pem").toString()))
            .isEqualTo("invalid configuration: UPSTREAM_CA_FILE: cannot read \"" + dir.resolve("none.pem") + "\" (NoSuchFileException)");
        assertThat(embeddedProblem("UPSTREAM_URL", "https://up:9443", "UPSTREAM_CLIENT_KEY_FILE", clientKey.toString()))
            .isEqualTo("invalid configuration: UPSTREAM_CLIENT_CERT_FILE: is required with UPSTREAM_CLIENT_KEY_FILE");
        assertThat(embeddedProblem("UPSTREAM_URL", "https://up:9443", "UPSTREAM_CLIENT_CERT_FILE", clientChain.toString(),
            "UPSTREAM_CLIENT_KEY_FILE", ca.client().writeKey(dir.resolve("other.pem"), KeyForm.PKCS8).toString()))
            .startsWith("invalid configuration: UPSTREAM_CLIENT_KEY_FILE: does not match the certificate");
        assertThat(embeddedProblem("UPSTREAM_URL", "https://up:9443", "UPSTREAM_CLIENT_CERT_FILE",
            ca.server().writeChain(dir.resolve("server.pem")).toString(), "UPSTREAM_CLIENT_KEY_FILE", clientKey.toString()))
            .startsWith("invalid configuration: UPSTREAM_CLIENT_");
    }
}
