package io.jwtproxy.pem;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** X.509 certificates in PEM files: a chain (leaf first) or a bundle of CAs. */
public final class PemCertificates
{
    private PemCertificates()
    {
    }

    /**
     * @return every certificate in the file, in its order
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it holds none, or one that is damaged
     */
    public static List<X509Certificate> read(Path file) throws IOException
    {
        return parse(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static List<X509Certificate> parse(String pem)
    {
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory;
        try
        {
            factory = CertificateFactory.getInstance("X.509");
        }
        catch (GeneralSecurityException x)
        {
            throw new IllegalStateException("the JDK has no X.509 support", x);
        }
        for (Pem.Block block : Pem.blocks(pem))
        {
            if (!block.label().equals("CERTIFICATE"))
                continue;
            try
            {
                certificates.add((X509Certificate)factory.generateCertificate(new ByteArrayInputStream(block.der())));
            }
            catch (GeneralSecurityException x)
            {
                throw new IllegalArgumentException("its certificate number " + (certificates.size() + 1) + " is damaged: " + x.getMessage());
            }
        }
        if (certificates.isEmpty())
            throw new IllegalArgumentException("holds no PEM certificate ('-----BEGIN CERTIFICATE-----')");
        return certificates;
    }

    /** @return the certificate as a PEM block */
    public static String format(X509Certificate certificate)
    {
        try
        {
            return Pem.format("CERTIFICATE", certificate.getEncoded());
        }
        catch (GeneralSecurityException x)
        {
            throw new IllegalArgumentException(x);
        }
    }
}
