package io.jwtproxy.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.http.ClientRequest;

/**
 * {@code mtls}: the client certificate the TLS listener verified (the jar's against
 * {@code TLS_CLIENT_CA_FILE}, a container's against its connector's trust store), as the front end
 * hands it over (in a container: {@code jakarta.servlet.request.X509Certificate}). The caller is the certificate's
 * SPIFFE ID (a {@code spiffe://} URI SAN) if it has one, else its subject's distinguished name
 * (RFC 4514).
 */
final class CertificateAuthenticator implements Authenticator
{
    private static final int URI_NAME = 6;

    @Override
    public String method()
    {
        return AuthConfig.Method.MTLS.label();
    }

    @Override
    public Verdict authenticate(ClientRequest clientRequest, String clientAddress)
    {
        X509Certificate[] chain = clientRequest.certificates();
        if (chain == null || chain.length == 0)
            return new Verdict.Absent();
        return new Verdict.Authenticated(new Identity(subject(chain[0]), null, null, List.of()));
    }

    /** @return the certificate's SPIFFE ID, else its subject DN in RFC 4514's form */
    static String subject(X509Certificate certificate)
    {
        try
        {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null)
            {
                for (List<?> name : names)
                {
                    if (name.size() == 2 && Integer.valueOf(URI_NAME).equals(name.get(0)) && name.get(1) instanceof String uri
                        && uri.startsWith("spiffe://"))
                        return uri;
                }
            }
        }
        catch (CertificateParsingException x)
        {
            // No readable alternative names: the subject stands.
        }
        // RFC 2253's form, which RFC 4514 obsoletes and keeps.
        return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    @Override
    public String challenge(Verdict verdict)
    {
        // A certificate is asked for in the TLS handshake, not in HTTP.
        return null;
    }

    @Override
    public List<String> credentialFields()
    {
        return List.of();
    }
}
