package io.jwtproxy.pem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Certificates.KeyForm;
import io.jwtproxy.testing.Certificates.KeyType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Private keys in the PEM forms openssl, certbot and cert-manager write, as BouncyCastle writes them. */
class PemKeysTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"RSA, PKCS8", "RSA, TRADITIONAL", "EC, PKCS8", "EC, TRADITIONAL", "ED25519, PKCS8"})
    void everyFormReadsAsTheKeyItHolds(KeyType type, KeyForm form) throws Exception
    {
        Certificates.Issued issued = Certificates.authority("CA").issue(Certificates.Purpose.SERVER, type, java.time.Instant.now(),
            java.time.Instant.now().plusSeconds(60));
        Path file = issued.writeKey(dir.resolve("key.pem"), form);

        PrivateKey read = PemKeys.read(file);

        assertThat(Files.readString(file)).startsWith(form == KeyForm.PKCS8 || type == KeyType.ED25519 ? "-----BEGIN PRIVATE KEY-----"
            : type == KeyType.RSA ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----");
        assertThat(read.getAlgorithm()).isEqualTo(issued.key().getAlgorithm());
        assertThat(PemKeys.publicKey(read)).isEqualTo(issued.certificate().getPublicKey());
    }

    @Test
    void aSec1KeyAfterItsEcParametersBlockAsOpensslEcparamWritesIt() throws Exception
    {
        Certificates.Issued issued = Certificates.authority("CA").server();
        String sec1 = Files.readString(issued.writeKey(dir.resolve("key.pem"), KeyForm.TRADITIONAL));

        PrivateKey read = PemKeys.parse("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + sec1);

        assertThat(PemKeys.publicKey(read)).isEqualTo(issued.certificate().getPublicKey());
    }

    @Test
    void anEncryptedKeyACertificateAndGarbageAreExplained() throws Exception
    {
        Certificates.Issued issued = Certificates.authority("CA").server();

        assertThatThrownBy(() -> PemKeys.read(issued.writeKey(dir.resolve("encrypted.pem"), KeyForm.ENCRYPTED)))
            .hasMessage("holds an encrypted key; decrypt it (openssl pkey -in encrypted.pem -out key.pem)");
        assertThatThrownBy(() -> PemKeys.read(issued.writeChain(dir.resolve("chain.pem"))))
            .hasMessageStartingWith("holds no PEM private key (PKCS#8 '-----BEGIN PRIVATE KEY-----', PKCS#1");
        assertThatThrownBy(() -> PemKeys.parse("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EC PRIVATE KEY");
        assertThatThrownBy(() -> PemKeys.parse("-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"))
            .hasMessage("its key is neither RSA, EC nor Ed25519, or is damaged");
    }
}
