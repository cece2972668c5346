package io.jwtproxy.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates from a private CA, made with BouncyCastle and written as PEM in the forms
 * operators have: chains leaf first, keys in PKCS#8, PKCS#1/SEC1 (what openssl and certbot write)
 * or encrypted. Every certificate gets a fresh serial, so a test can tell which one a server serves.
 */
public final class Certificates
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates()
    {
    }

    public enum KeyType
    {
        RSA, EC, ED25519
    }

    /** How a key file is written. */
    public enum KeyForm
    {
        /** {@code BEGIN PRIVATE KEY}, as openssl genpkey and cert-manager write it. */
        PKCS8,
        /** {@code BEGIN RSA PRIVATE KEY} or {@code BEGIN EC PRIVATE KEY}, as openssl's older commands and certbot write it. */
        TRADITIONAL,
        /** {@code BEGIN ENCRYPTED PRIVATE KEY}, password "secret". */
        ENCRYPTED
    }

    /** What a certificate is for. */
    public enum Purpose
    {
        CA, SERVER, CLIENT
    }

    /** @return a new self-signed CA with an EC key */
    public static Issued authority(String name)
    {
        KeyPair pair = generate(KeyType.EC);
        return build(name, pair, null, Purpose.CA, List.of(), Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
    }

    /** A certificate and its key, and the CA that issued it (null for a CA itself). */
    public static final class Issued
    {
        private final X509Certificate certificate;
        private final KeyPair pair;
        private final Issued issuer;

        private Issued(X509Certificate certificate, KeyPair pair, Issued issuer)
        {
            this.certificate = certificate;
            this.pair = pair;
            this.issuer = issuer;
        }

        public X509Certificate certificate()
        {
            return certificate;
        }

        public PrivateKey key()
        {
            return pair.getPrivate();
        }

        public BigInteger serial()
        {
            return certificate.getSerialNumber();
        }

        /** @return a TLS server certificate for 127.0.0.1 and localhost, valid from an hour ago for a day, with an EC key */
        public Issued server()
        {
            return issue(Purpose.SERVER, KeyType.EC, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
        }

        /** @return a TLS client certificate, valid from an hour ago for a day, with an EC key */
        public Issued client()
        {
            return issue(Purpose.CLIENT, KeyType.EC, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
        }

        /** @return a certificate issued by this CA for 127.0.0.1 and localhost */
        public Issued issue(Purpose purpose, KeyType type, Instant notBefore, Instant notAfter)
        {
            return issue(purpose, type, notBefore, notAfter, "localhost", "127.0.0.1");
        }

        /** @return a certificate issued by this CA for these names (host names, IP addresses, URIs), valid from an hour ago for a day */
        public Issued issue(Purpose purpose, String... names)
        {
            return issue(purpose, KeyType.EC, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)), names);
        }

        private Issued issue(Purpose purpose, KeyType type, Instant notBefore, Instant notAfter, String... names)
        {
            return build(purpose == Purpose.CLIENT ? "jwt-proxy test client" : names.length == 0 ? "unnamed" : names[0], generate(type), this,
                purpose, List.of(names), notBefore, notAfter);
        }

        /**
         * @param client the certificate the context presents, or null for none
         * @return a TLS context that trusts this CA alone
         */
        public javax.net.ssl.SSLContext trustingThis(Issued client)
        {
            try
            {
                java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("ca", certificate);
                javax.net.ssl.TrustManagerFactory trustManagers = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
                trustManagers.init(trust);
                javax.net.ssl.KeyManager[] keyManagers = null;
                if (client != null)
                {
                    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
                    keys.load(null, null);
                    keys.setKeyEntry("client", client.key(), new char[0], new java.security.cert.Certificate[]{client.certificate()});
                    javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
                    factory.init(keys, new char[0]);
                    keyManagers = factory.getKeyManagers();
                }
                javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
                context.init(keyManagers, trustManagers.getTrustManagers(), null);
                return context;
            }
            catch (GeneralSecurityException | IOException x)
            {
                throw new IllegalStateException(x);
            }
        }

        /** Writes the certificate, then its issuers up to (not including) a self-signed root: a full chain, leaf first. */
        public Path writeChain(Path file)
        {
            StringBuilder pem = new StringBuilder(pem(certificate));
            for (Issued up = issuer; up != null && up.issuer != null; up = up.issuer)
                pem.append(pem(up.certificate));
            return write(file, pem.toString());
        }

        /** Writes the key and the chain to a PKCS#12 key store, as {@code openssl pkcs12 -export} does for jetty-home. */
        public Path writePkcs12(Path file, String password)
        {
            try
            {
                java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
                store.load(null, null);
                List<java.security.cert.Certificate> chain = new java.util.ArrayList<>(List.of(certificate));
                for (Issued up = issuer; up != null && up.issuer != null; up = up.issuer)
                    chain.add(up.certificate);
                store.setKeyEntry("jetty", pair.getPrivate(), password.toCharArray(), chain.toArray(java.security.cert.Certificate[]::new));
                Path written = Files.createTempFile(file.getParent(), "keystore", ".p12");
                try (java.io.OutputStream out = Files.newOutputStream(written))
                {
                    store.store(out, password.toCharArray());
                }
                return Files.move(written, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            catch (GeneralSecurityException | IOException x)
            {
                throw new IllegalStateException(x);
            }
        }

        /** Writes the certificate alone (a CA bundle of one, for a CA). */
        public Path writeCertificate(Path file)
        {
            return write(file, pem(certificate));
        }

        public Path writeKey(Path file, KeyForm form)
        {
            try
            {
                Object object = switch (form)
                {
                    case PKCS8 -> new JcaPKCS8Generator(pair.getPrivate(), null);
                    case TRADITIONAL -> traditional(pair);
                    case ENCRYPTED -> new JcaPKCS8Generator(pair.getPrivate(), new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setProvider(new BouncyCastleProvider()).setPassword("secret".toCharArray()).build());
                };
                return write(file, pem(object));
            }
            catch (OperatorCreationException | IOException x)
            {
                throw new IllegalStateException(x);
            }
        }
    }

    /**
     * @return the key as openssl writes it in its traditional form: PKCS#1 for RSA, SEC1 with the
     *         curve named for EC (BouncyCastle's own SEC1 leaves the curve out for a JDK key)
     */
    private static Object traditional(KeyPair pair)
    {
        if (!(pair.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec))
            return pair.getPrivate();
        try
        {
            org.bouncycastle.asn1.x509.SubjectPublicKeyInfo publicInfo = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                pair.getPublic().getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(ec.getParams().getOrder().bitLength(), ec.getS(),
                publicInfo.getPublicKeyData(), org.bouncycastle.asn1.x9.X962Parameters.getInstance(publicInfo.getAlgorithm().getParameters()));
            return new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded());
        }
        catch (IOException x)
        {
            throw new UncheckedIOException(x);
        }
    }

    private static Issued build(String name, KeyPair pair, Issued issuer, Purpose purpose, List<String> names, Instant notBefore, Instant notAfter)
    {
        try
        {
            X500Name subject = new X500Name("CN=" + name);
            X500Name issuerName = issuer == null ? subject : new X500Name(issuer.certificate.getSubjectX500Principal().getName());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                Date.from(notBefore), Date.from(notAfter), subject, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(purpose == Purpose.CA));
            if (purpose == Purpose.CA)
            {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            else
            {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(purpose == Purpose.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
            }
            if (!names.isEmpty())
            {
                List<GeneralName> alternatives = new ArrayList<>();
                for (String alternative : names)
                    alternatives.add(alternative.contains("://") ? new GeneralName(GeneralName.uniformResourceIdentifier, alternative)
                        : Character.isDigit(alternative.charAt(0))
                        ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(alternative).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, alternative));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            }
            PrivateKey signingKey = issuer == null ? pair.getPrivate() : issuer.pair.getPrivate();
            String algorithm = switch (signingKey.getAlgorithm())
            {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                default -> "Ed25519";
            };
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
            return new Issued(certificate, pair, issuer);
        }
        catch (GeneralSecurityException | OperatorCreationException | IOException x)
        {
            throw new IllegalStateException(x);
        }
    }

    public static KeyPair generate(KeyType type)
    {
        try
        {
            KeyPairGenerator generator;
            switch (type)
            {
                case RSA ->
                {
                    generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(2048);
                }
                case EC ->
                {
                    generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"));
                }
                default -> generator = KeyPairGenerator.getInstance("Ed25519");
            }
            return generator.generateKeyPair();
        }
        catch (GeneralSecurityException x)
        {
            throw new IllegalStateException(x);
        }
    }

    private static String pem(Object object)
    {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text))
        {
            writer.writeObject(object);
        }
        catch (IOException x)
        {
            throw new UncheckedIOException(x);
        }
        return text.toString();
    }

    /** Writes by replacing, as certbot and cert-manager do: a reader never sees half a file. */
    private static Path write(Path file, String content)
    {
        try
        {
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".pem-", ".tmp");
            Files.writeString(temporary, content);
            return Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException x)
        {
            throw new UncheckedIOException(x);
        }
    }
}
