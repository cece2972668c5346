package io.jwtproxy.tls;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Certificates.Issued;
import io.jwtproxy.testing.Certificates.KeyForm;
import io.jwtproxy.testing.Certificates.KeyType;
import io.jwtproxy.testing.Certificates.Purpose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A certificate and key pair is checked as a TLS peer would check it, and more, before it is used. */
class TlsIdentityTest
{
    private static final Instant NOW = Instant.now();

    @TempDir
    Path dir;

    private final Issued ca = Certificates.authority("jwt-proxy test CA");

    private Path chain(Issued issued)
    {
        return issued.writeChain(dir.resolve("chain.pem"));
    }

    private Path key(Issued issued)
    {
        return issued.writeKey(dir.resolve("key.pem"), KeyForm.TRADITIONAL);
    }

    @Test
    void aMatchingPairIsHeldWithItsChain() throws Exception
    {
        Issued server = ca.server();

        TlsIdentity identity = TlsIdentity.load(chain(server), key(server), TlsIdentity.Role.SERVER, NOW);

        assertThat(identity.leaf()).isEqualTo(server.certificate());
        assertThat(identity.keyStore().getCertificateChain("jwt-proxy")).containsExactly(server.certificate());
        java.security.PrivateKey held = (java.security.PrivateKey)identity.keyStore().getKey("jwt-proxy", TlsIdentity.KEY_STORE_PASSWORD.toCharArray());
        assertThat(io.jwtproxy.pem.PemKeys.publicKey(held)).isEqualTo(server.certificate().getPublicKey());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused()
    {
        Issued server = ca.server();
        Path otherKey = ca.server().writeKey(dir.resolve("other.pem"), KeyForm.PKCS8);
        Path rsaKey = ca.issue(Purpose.SERVER, KeyType.RSA, NOW, NOW.plusSeconds(60)).writeKey(dir.resolve("rsa.pem"), KeyForm.PKCS8);

        assertThatThrownBy(() -> TlsIdentity.load(chain(server), otherKey, TlsIdentity.Role.SERVER, NOW))
            .isInstanceOf(TlsFileException.class).hasMessageContaining("does not match the certificate \"CN=localhost\"")
            .hasMessageEndingWith("it is another key of the same type")
            .satisfies(x -> assertThat(((TlsFileException)x).file()).isEqualTo(TlsFileException.File.KEY));
        assertThatThrownBy(() -> TlsIdentity.load(chain(server), rsaKey, TlsIdentity.Role.SERVER, NOW))
            .hasMessageStartingWith("holds an RSA key, but the certificate \"CN=localhost\"").hasMessageEndingWith("is for an EC key");
    }

    @Test
    void anExpiredOrNotYetValidCertificateIsRefused()
    {
        Issued expired = ca.issue(Purpose.SERVER, KeyType.EC, NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)));
        Issued early = ca.issue(Purpose.SERVER, KeyType.EC, NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(2)));

        assertThatThrownBy(() -> TlsIdentity.load(chain(expired), key(expired), TlsIdentity.Role.SERVER, NOW))
            .hasMessageContaining("expired on " + expired.certificate().getNotAfter().toInstant())
            .satisfies(x -> assertThat(((TlsFileException)x).file()).isEqualTo(TlsFileException.File.CERTIFICATE));
        assertThatThrownBy(() -> TlsIdentity.load(chain(early), key(early), TlsIdentity.Role.SERVER, NOW))
            .hasMessageContaining("is not valid before " + early.certificate().getNotBefore().toInstant());
    }

    @Test
    void aCertificateForTheOtherSideOfTlsIsRefused()
    {
        Issued client = ca.client();
        Issued server = ca.server();

        assertThatThrownBy(() -> TlsIdentity.load(chain(client), key(client), TlsIdentity.Role.SERVER, NOW))
            .hasMessageEndingWith("may not authenticate a TLS server: its extended key usage lacks serverAuth");
        assertThatThrownBy(() -> TlsIdentity.load(chain(server), key(server), TlsIdentity.Role.CLIENT, NOW))
            .hasMessageEndingWith("may not authenticate a TLS client: its extended key usage lacks clientAuth");
    }

    @Test
    void anUnreadableFileIsNamed()
    {
        Issued server = ca.server();
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> TlsIdentity.load(missing, key(server), TlsIdentity.Role.SERVER, NOW))
            .hasMessage("cannot read \"" + missing + "\" (NoSuchFileException)");
        assertThatThrownBy(() -> TlsIdentity.load(key(server), key(server), TlsIdentity.Role.SERVER, NOW))
            .hasMessageEndingWith("holds no PEM certificate ('-----BEGIN CERTIFICATE-----')");
    }

    @Test
    void theWatcherTakesARenewalThatChecksOutAndKeepsTheIdentityThroughOneThatDoesNot() throws Exception
    {
        Issued first = ca.server();
        Path chain = chain(first);
        Path key = key(first);
        List<TlsIdentity> renewals = new ArrayList<>();
        try (TlsIdentityWatcher watcher = new TlsIdentityWatcher(TlsIdentity.load(chain, key, TlsIdentity.Role.SERVER, NOW), chain, key,
            "TLS_CERT_FILE", "TLS_KEY_FILE", TlsIdentity.Role.SERVER, Clock.systemUTC(), renewals::add))
        {
            watcher.check();
            assertThat(renewals).as("unchanged files").isEmpty();

            // Half a renewal: the new certificate is in place, its key not yet.
            Issued second = ca.server();
            second.writeChain(chain);
            watcher.check();
            assertThat(renewals).as("a certificate without its key").isEmpty();
            assertThat(watcher.current().leaf()).isEqualTo(first.certificate());

            second.writeKey(key, KeyForm.PKCS8);
            watcher.check();
            assertThat(renewals).extracting(TlsIdentity::leaf).containsExactly(second.certificate());
            assertThat(watcher.current().leaf()).isEqualTo(second.certificate());
        }
    }
}
