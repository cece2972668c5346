package io.jwtproxy.tls;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Certificates.Issued;
import io.jwtproxy.testing.Certificates.KeyForm;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.TlsUpstream;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/** TLS to the upstream: a private CA trusted alone, host names verified, a client certificate when asked, and 502 for any failure. */
class UpstreamTlsTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();
    @TempDir
    Path dir;

    private final Issued ca = Certificates.authority("jwt-proxy test CA");
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TlsUpstream upstream(Issued certificate, Issued clientCa) throws Exception
    {
        return proxies.track(new TlsUpstream(certificate, clientCa));
    }

    private Proxy proxy(TlsUpstream upstream, String... more)
    {
        String[] all = new String[4 + more.length];
        all[0] = "UPSTREAM_URL";
        all[1] = upstream.url();
        all[2] = "JWT_SECRET";
        all[3] = Tokens.SEED_SECRET;
        System.arraycopy(more, 0, all, 4, more.length);
        return proxies.start(all);
    }

    private HttpResponse<String> get(Proxy proxy, String path) throws Exception
    {
        return client.send(HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String bundle(Issued authority, String name)
    {
        return authority.writeCertificate(dir.resolve(name)).toString();
    }

    @Test
    void anUpstreamOfAPrivateCaIsTrustedThroughUpstreamCaFileAndOverH2WhenAsked() throws Exception
    {
        TlsUpstream upstream = upstream(ca.server(), null);

        HttpResponse<String> http11 = get(proxy(upstream, "UPSTREAM_CA_FILE", bundle(ca, "ca.pem")), "/private");
        HttpResponse<String> h2 = get(proxy(upstream, "UPSTREAM_CA_FILE", bundle(ca, "ca.pem"), "UPSTREAM_PROTOCOL", "h2"), "/private");

        assertThat(http11.statusCode()).isEqualTo(200);
        assertThat(http11.headers().firstValue("x-echo-request")).hasValue("GET /private HTTP/1.1");
        assertThat(Tokens.verifies(http11.headers().firstValue("x-upstream-token").orElseThrow(), Tokens.SEED_SECRET)).isTrue();
        assertThat(h2.statusCode()).isEqualTo(200);
        assertThat(h2.headers().firstValue("x-echo-request")).hasValue("GET /private HTTP/2.0");
    }

    @Test
    void anUpstreamThatIsNotTrustedGets502NeverPlainText() throws Exception
    {
        TlsUpstream upstream = upstream(ca.server(), null);
        Issued stranger = Certificates.authority("another CA");

        assertThat(get(proxy(upstream), "/jdk-trust").statusCode()).as("the JDK's CAs do not know the private one").isEqualTo(502);
        assertThat(get(proxy(upstream, "UPSTREAM_CA_FILE", bundle(stranger, "other.pem")), "/other-ca").statusCode())
            .as("UPSTREAM_CA_FILE replaces the JDK's CAs and names another").isEqualTo(502);
    }

    @Test
    void theUpstreamsHostNameIsAlwaysVerified() throws Exception
    {
        TlsUpstream upstream = upstream(ca.issue(Certificates.Purpose.SERVER, "elsewhere.example"), null);

        assertThat(get(proxy(upstream, "UPSTREAM_CA_FILE", bundle(ca, "ca.pem")), "/name").statusCode())
            .as("a trusted certificate for another name").isEqualTo(502);
    }

    @Test
    void anUpstreamThatRequiresAClientCertificateGetsOneWhenConfiguredAndA502Otherwise() throws Exception
    {
        Issued clientCa = Certificates.authority("client CA");
        Issued clientCertificate = clientCa.client();
        TlsUpstream upstream = upstream(ca.server(), clientCa);
        String chain = clientCertificate.writeChain(dir.resolve("client.pem")).toString();
        String key = clientCertificate.writeKey(dir.resolve("client-key.pem"), KeyForm.TRADITIONAL).toString();

        HttpResponse<String> withCertificate = get(proxy(upstream, "UPSTREAM_CA_FILE", bundle(ca, "ca.pem"), "UPSTREAM_CLIENT_CERT_FILE", chain,
            "UPSTREAM_CLIENT_KEY_FILE", key), "/mutual");
        HttpResponse<String> without = get(proxy(upstream, "UPSTREAM_CA_FILE", bundle(ca, "ca.pem")), "/mutual");

        assertThat(withCertificate.statusCode()).isEqualTo(200);
        assertThat(withCertificate.headers().firstValue("x-client-certificate"))
            .hasValue("CN=jwt-proxy test client " + clientCertificate.serial().toString(16));
        assertThat(without.statusCode()).isEqualTo(502);
    }

    @Test
    void aRenewedClientCertificateIsPresentedOnTheNextConnection() throws Exception
    {
        Issued clientCa = Certificates.authority("client CA");
        Issued first = clientCa.client();
        Path chain = first.writeChain(dir.resolve("client.pem"));
        Path key = first.writeKey(dir.resolve("client-key.pem"), KeyForm.PKCS8);
        Proxy proxy = proxy(upstream(ca.server(), clientCa), "UPSTREAM_CA_FILE", bundle(ca, "ca.pem"), "UPSTREAM_CLIENT_CERT_FILE",
            chain.toString(), "UPSTREAM_CLIENT_KEY_FILE", key.toString(), "TLS_WATCH_INTERVAL", "200ms");
        assertThat(get(proxy, "/before").headers().firstValue("x-client-certificate")).hasValueSatisfying(
            presented -> assertThat(presented).endsWith(first.serial().toString(16)));

        Issued second = clientCa.client();
        second.writeKey(key, KeyForm.PKCS8);
        second.writeChain(chain);

        // Each answer closes its connection: every request is a new handshake, with the certificate in use then.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String presented = "";
        while (!presented.endsWith(second.serial().toString(16)) && System.nanoTime() < deadline)
            presented = get(proxy, "/after").headers().firstValue("x-client-certificate").orElse("");
        assertThat(presented).as("the certificate presented after the renewal").endsWith(second.serial().toString(16));
    }
}
