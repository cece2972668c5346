package io.jwtproxy.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import io.jwtproxy.pem.PemCertificates;
import io.jwtproxy.pem.PemKeys;

import static io.jwtproxy.tls.TlsFileException.File.CERTIFICATE;
import static io.jwtproxy.tls.TlsFileException.File.KEY;

/**
 * A certificate chain and its private key from two PEM files, checked as a TLS peer would and
 * more: the key is the certificate's, of the type the certificate names, the certificate is valid
 * now and may authenticate a TLS server (or client). Held as an in-memory key store for the TLS
 * stack.
 */
public final class TlsIdentity
{
    /** The password of the in-memory key store; it never leaves this process. */
    public static final String KEY_STORE_PASSWORD = "jwt-proxy";
    private static final String ALIAS = "jwt-proxy";
    /** id-kp-serverAuth and id-kp-clientAuth (RFC 5280 §4.2.1.12), and anyExtendedKeyUsage. */
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";
    /** KeyUsage bits (RFC 5280 §4.2.1.3). */
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_ENCIPHERMENT = 2;

    /** Which side of TLS the identity authenticates. */
    public enum Role
    {
        SERVER, CLIENT
    }

    private final List<X509Certificate> chain;
    private final KeyStore keyStore;

    private TlsIdentity(List<X509Certificate> chain, KeyStore keyStore)
    {
        this.chain = chain;
        this.keyStore = keyStore;
    }

    /**
     * Reads and checks the two files.
     *
     * @param now the instant the certificate must be valid at
     * @throws TlsFileException naming the file at fault and what is wrong
     */
    public static TlsIdentity load(Path certificateFile, Path keyFile, Role role, Instant now) throws TlsFileException
    {
        List<X509Certificate> chain;
        try
        {
            chain = PemCertificates.read(certificateFile);
        }
        catch (IOException x)
        {
            throw new TlsFileException(CERTIFICATE, "cannot read \"" + certificateFile + "\" (" + x.getClass().getSimpleName() + ")");
        }
        catch (IllegalArgumentException x)
        {
            throw new TlsFileException(CERTIFICATE, "\"" + certificateFile + "\" " + x.getMessage());
        }
        PrivateKey key;
        try
        {
            key = PemKeys.read(keyFile);
        }
        catch (IOException x)
        {
            throw new TlsFileException(KEY, "cannot read \"" + keyFile + "\" (" + x.getClass().getSimpleName() + ")");
        }
        catch (IllegalArgumentException x)
        {
            throw new TlsFileException(KEY, "\"" + keyFile + "\" " + x.getMessage());
        }
        X509Certificate leaf = chain.get(0);
        checkValidity(leaf, now);
        checkUsage(leaf, role);
        checkKey(leaf, key);
        try
        {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, KEY_STORE_PASSWORD.toCharArray(), chain.toArray(X509Certificate[]::new));
            return new TlsIdentity(List.copyOf(chain), store);
        }
        catch (GeneralSecurityException | IOException x)
        {
            throw new TlsFileException(KEY, "the JDK cannot hold this key and certificate: " + x.getMessage());
        }
    }

    private static void checkValidity(X509Certificate leaf, Instant now) throws TlsFileException
    {
        if (now.isAfter(leaf.getNotAfter().toInstant()))
            throw new TlsFileException(CERTIFICATE, "the certificate " + describe(leaf) + " expired on " + leaf.getNotAfter().toInstant());
        if (now.isBefore(leaf.getNotBefore().toInstant()))
            throw new TlsFileException(CERTIFICATE, "the certificate " + describe(leaf) + " is not valid before " + leaf.getNotBefore().toInstant());
    }

    private static void checkUsage(X509Certificate leaf, Role role) throws TlsFileException
    {
        String purpose = role == Role.SERVER ? "a TLS server" : "a TLS client";
        boolean[] usage = leaf.getKeyUsage();
        boolean rsa = leaf.getPublicKey().getAlgorithm().equals("RSA");
        if (usage != null && !usage[DIGITAL_SIGNATURE] && !(rsa && role == Role.SERVER && usage[KEY_ENCIPHERMENT]))
            throw new TlsFileException(CERTIFICATE, "the certificate " + describe(leaf) + " may not authenticate " + purpose
                + ": its key usage lacks digitalSignature");
        try
        {
            List<String> extended = leaf.getExtendedKeyUsage();
            if (extended != null && !extended.contains(role == Role.SERVER ? SERVER_AUTH : CLIENT_AUTH) && !extended.contains(ANY_USAGE))
                throw new TlsFileException(CERTIFICATE, "the certificate " + describe(leaf) + " may not authenticate " + purpose
                    + ": its extended key usage lacks " + (role == Role.SERVER ? "serverAuth" : "clientAuth"));
        }
        catch (CertificateParsingException x)
        {
            throw new TlsFileException(CERTIFICATE, "the certificate " + describe(leaf) + " has a damaged extended key usage");
        }
    }

    /** The key must be the certificate's: of its type, and signing what its public key verifies. */
    private static void checkKey(X509Certificate leaf, PrivateKey key) throws TlsFileException
    {
        PublicKey certified = leaf.getPublicKey();
        String keyType = type(key.getAlgorithm());
        String certifiedType = type(certified.getAlgorithm());
        if (!keyType.equals(certifiedType))
            throw new TlsFileException(KEY, "holds an " + keyType + " key, but the certificate " + describe(leaf) + " is for an " + certifiedType
                + " key");
        try
        {
            String algorithm = switch (keyType)
            {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                default -> "Ed25519";
            };
            byte[] probe = "jwt-proxy: does this key belong to this certificate?".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            if (!verifier.verify(signature))
                throw new TlsFileException(KEY, "does not match the certificate " + describe(leaf) + ": it is another key of the same type");
        }
        catch (GeneralSecurityException x)
        {
            throw new TlsFileException(KEY, "does not match the certificate " + describe(leaf) + ": " + x.getMessage());
        }
    }

    private static String type(String algorithm)
    {
        String upper = algorithm.toUpperCase(Locale.ROOT);
        return upper.equals("ED25519") || upper.equals("EDDSA") ? "Ed25519" : upper;
    }

    /** @return the certificate's subject and serial, as a log line names it */
    public static String describe(X509Certificate certificate)
    {
        return "\"" + certificate.getSubjectX500Principal().getName() + "\" (serial " + certificate.getSerialNumber().toString(16) + ")";
    }

    public X509Certificate leaf()
    {
        return chain.get(0);
    }

    /** @return the chain, leaf first */
    public List<X509Certificate> chain()
    {
        return chain;
    }

    /** @return a key store holding the key and chain, under {@link #KEY_STORE_PASSWORD} */
    public KeyStore keyStore()
    {
        return keyStore;
    }

    @Override
    public String toString()
    {
        return describe(leaf()) + ", valid until " + leaf().getNotAfter().toInstant();
    }
}
