package io.jwtproxy.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import io.jwtproxy.pem.PemCertificates;

/** The CAs of a PEM bundle, the only ones trusted for a TLS peer (the upstream), as a trust store. */
public final class TrustedAuthorities
{
    private TrustedAuthorities()
    {
    }

    /**
     * @throws TlsFileException if the bundle cannot be read or holds no certificate
     */
    public static KeyStore load(Path bundle) throws TlsFileException
    {
        List<X509Certificate> authorities;
        try
        {
            authorities = PemCertificates.read(bundle);
        }
        catch (IOException x)
        {
            throw new TlsFileException(TlsFileException.File.CERTIFICATE, "cannot read \"" + bundle + "\" (" + x.getClass().getSimpleName() + ")");
        }
        catch (IllegalArgumentException x)
        {
            throw new TlsFileException(TlsFileException.File.CERTIFICATE, "\"" + bundle + "\" " + x.getMessage());
        }
        try
        {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++)
                store.setCertificateEntry("ca-" + i, authorities.get(i));
            return store;
        }
        catch (GeneralSecurityException | IOException x)
        {
            throw new TlsFileException(TlsFileException.File.CERTIFICATE, "the JDK cannot hold these certificates: " + x.getMessage());
        }
    }
}
