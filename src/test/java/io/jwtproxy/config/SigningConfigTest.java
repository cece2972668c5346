package io.jwtproxy.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.jwtproxy.testing.Tokens;
import io.jwtproxy.token.JwtAlgorithm;
import io.jwtproxy.pem.PemKeys;
import io.jwtproxy.testing.Certificates;
import io.jwtproxy.token.SigningKey;

import static io.jwtproxy.config.SettingsTest.embedded;
import static io.jwtproxy.config.SettingsTest.embeddedProblem;
import static io.jwtproxy.config.SettingsTest.webapp;
import static io.jwtproxy.config.SettingsTest.webappProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** JWT_ALG and its keys: PEM files, derived public keys, and every way a setting can be wrong. */
class SigningConfigTest
{
    @TempDir
    Path dir;

    private Path pem(String name, KeyPair pair) throws Exception
    {
        Path file = dir.resolve(name);
        Files.writeString(file, PemKeys.format(pair.getPrivate()));
        return file;
    }

    @ParameterizedTest
    @EnumSource(value = JwtAlgorithm.class, names = {"ES256", "RS256", "EdDSA"})
    void aPemKeyIsReadAndItsPublicHalfDerived(JwtAlgorithm algorithm) throws Exception
    {
        KeyPair pair = algorithm.generate();
        Path file = pem("key.pem", pair);

        TokenConfig tokens = webapp("UPSTREAM_URL", "http://127.0.0.1:1", "JWT_ALG", algorithm.name(), "JWT_KEY_FILE", file.toString()).tokens();

        SigningKey key = tokens.fixedKey();
        assertThat(key.privateKey().getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
        assertThat(key.publicKey().getEncoded()).as("derived public key").isEqualTo(pair.getPublic().getEncoded());
        assertThat(tokens.secret()).as("no HMAC secret with %s", algorithm).isNull();
        assertThat(tokens.toString()).contains(key.kid()).doesNotContain(Files.readString(file).lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void algorithmNamesAreCheckedAndListed()
    {
        assertThat(embeddedProblem("JWT_ALG", "none"))
            .contains("JWT_ALG: \"none\" is not one of HS512, ES256, RS256, EdDSA");
        assertThat(embedded("JWT_ALG", "eddsa").tokens().algorithm()).isEqualTo(JwtAlgorithm.EdDSA);
    }

    @Test
    void aKeyOfAnotherTypeIsRefused() throws Exception
    {
        Path rsa = pem("rsa.pem", JwtAlgorithm.RS256.generate());

        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_KEY_FILE", rsa.toString()))
            .contains("JWT_KEY_FILE: \"" + rsa + "\": the key is RSA, which ES256 cannot sign with; it needs an EC P-256 key");
    }

    @Test
    void anEcKeyOnAnotherCurveIsRefused() throws Exception
    {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));
        Path p384 = pem("p384.pem", generator.generateKeyPair());

        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_KEY_FILE", p384.toString()))
            .contains("the EC key is not on P-256");
    }

    @Test
    void aWeakRsaKeyIsRefused() throws Exception
    {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        Path weak = pem("weak.pem", generator.generateKeyPair());

        assertThat(embeddedProblem("JWT_ALG", "RS256", "JWT_KEY_FILE", weak.toString()))
            .contains("the RSA key has 1024 bits; RS256 needs at least 2048");
    }

    @Test
    void aTraditionalKeyIsReadAndAnEncryptedOrMissingOneExplained() throws Exception
    {
        Certificates.Issued ec = Certificates.authority("CA").server();
        Path sec1 = ec.writeKey(dir.resolve("sec1.pem"), Certificates.KeyForm.TRADITIONAL);
        Path encrypted = ec.writeKey(dir.resolve("encrypted.pem"), Certificates.KeyForm.ENCRYPTED);
        Path missing = dir.resolve("missing.pem");

        assertThat(embedded("JWT_ALG", "ES256", "JWT_KEY_FILE", sec1.toString()).tokens().fixedKey().publicKey())
            .isEqualTo(ec.certificate().getPublicKey());
        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_KEY_FILE", encrypted.toString()))
            .contains("holds an encrypted key; decrypt it (openssl pkey -in encrypted.pem -out key.pem)");
        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_KEY_FILE", missing.toString()))
            .contains("JWT_KEY_FILE: cannot read \"" + missing + "\" (NoSuchFileException)");
    }

    @Test
    void settingsOfTheOtherAlgorithmAreRefused() throws Exception
    {
        Path key = pem("ec.pem", JwtAlgorithm.ES256.generate());

        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_SECRET", Tokens.SEED_SECRET))
            .contains("JWT_SECRET: is for HS512; ES256 signs with JWT_KEY_FILE or JWT_KEYS_DIR");
        assertThat(embeddedProblem("JWT_KEY_FILE", key.toString()))
            .contains("JWT_KEY_FILE: is for ES256, RS256 and EdDSA; HS512 signs with JWT_SECRET");
        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_KEY_FILE", key.toString(), "JWT_KEYS_DIR", dir.toString()))
            .contains("JWT_KEY_FILE: set either it or JWT_KEYS_DIR, not both");
    }

    @Test
    void aDeployedWarNeedsAKeyWhileTheJarsLoaderLeavesItToMain()
    {
        assertThat(webappProblem("UPSTREAM_URL", "http://127.0.0.1:1", "JWT_ALG", "EdDSA"))
            .contains("JWT_KEY_FILE: EdDSA needs a private key: set it or JWT_KEYS_DIR");
        TokenConfig missing = embedded("JWT_ALG", "EdDSA").tokens();
        assertThat(missing.hasKey()).isFalse();
        TokenConfig generated = missing.withGeneratedKey();
        assertThat(generated.fixedKey().algorithm()).isEqualTo(JwtAlgorithm.EdDSA);
        assertThat(generated.secret()).isNull();
    }

    @Test
    void rotationNeedsADirectoryATokenLifetimeAndAPeriodLongerThanTheCache()
    {
        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_KEYS_DIR", dir.toString()))
            .contains("JWT_KEYS_DIR: needs JWT_TTL_SECONDS");
        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_KEYS_DIR", dir.toString(), "JWT_TTL_SECONDS", "300",
            "JWT_ROTATE_EVERY", "5m")).contains("JWT_ROTATE_EVERY: 5m is not longer than JWKS_MAX_AGE");
        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_ROTATE_EVERY", "7d"))
            .contains("JWT_ROTATE_EVERY: needs JWT_KEYS_DIR");
        assertThat(embeddedProblem("JWT_ALG", "ES256", "JWT_KEYS_DIR", dir.resolve("absent").toString(), "JWT_TTL_SECONDS", "300"))
            .contains("JWT_KEYS_DIR: \"" + dir.resolve("absent") + "\" is not a directory");

        TokenConfig tokens = embedded("JWT_ALG", "ES256", "JWT_KEYS_DIR", dir.toString(), "JWT_TTL_SECONDS", "300",
            "JWT_NOT_BEFORE_SKEW_SECONDS", "30", "JWT_ROTATE_EVERY", "P7D").tokens();
        assertThat(tokens.rotateEvery()).isEqualTo(Duration.ofDays(7));
        assertThat(tokens.keepAfterRetired()).isEqualTo(Duration.ofSeconds(330));
    }

    @Test
    void claimSettingsAreChecked()
    {
        assertThat(embeddedProblem("JWT_TTL_SECONDS", "0")).contains("JWT_TTL_SECONDS: \"0\" is not a whole number of seconds");
        assertThat(embeddedProblem("JWT_NOT_BEFORE_SKEW_SECONDS", "-5")).contains("JWT_NOT_BEFORE_SKEW_SECONDS:");
        assertThat(embeddedProblem("JWT_BIND_REQUEST", "yes")).contains("JWT_BIND_REQUEST: \"yes\" is neither true nor false");
        assertThat(embeddedProblem("JWKS_PATH", "jwks")).contains("JWKS_PATH: \"jwks\" is not a path of its own");
        assertThat(embeddedProblem("OPENID_CONFIGURATION_PATH", "/.well-known/jwks.json"))
            .contains("OPENID_CONFIGURATION_PATH: is the same path as JWKS_PATH");
    }
}
