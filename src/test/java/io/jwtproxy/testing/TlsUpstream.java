package io.jwtproxy.testing;

import java.io.IOException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import io.jwtproxy.tls.TlsIdentity;

/**
 * An upstream over TLS (h2 and HTTP/1.1 by ALPN) with a test certificate, that may require a
 * client certificate from a given CA. It answers 200 with what it saw: {@code x-echo-request}
 * (method, path, protocol), {@code x-client-certificate} (the client certificate's subject and
 * serial, or "none") and {@code x-upstream-token}; and closes each connection after its answer, so
 * that every request is a new handshake.
 */
public final class TlsUpstream implements AutoCloseable
{
    private final Server server = new Server();
    private final ServerConnector connector;

    /** @param clientCa the CA whose client certificates it requires, or null to ask for none */
    public TlsUpstream(Certificates.Issued certificate, Certificates.Issued clientCa) throws Exception
    {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("upstream", certificate.key(), TlsIdentity.KEY_STORE_PASSWORD.toCharArray(),
            new X509Certificate[]{certificate.certificate()});
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keys);
        ssl.setKeyStorePassword(TlsIdentity.KEY_STORE_PASSWORD);
        if (clientCa != null)
        {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", clientCa.certificate());
            ssl.setTrustStore(trust);
            ssl.setNeedClientAuth(true);
        }
        HttpConfiguration https = new HttpConfiguration();
        // Served for 127.0.0.1 whatever the certificate names: the proxy's host name check is under test, not this server's.
        https.addCustomizer(new SecureRequestCustomizer(false));
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, new HttpConnectionFactory(https));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new HttpServlet()
        {
            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException
            {
                X509Certificate[] presented = (X509Certificate[])request.getAttribute("jakarta.servlet.request.X509Certificate");
                response.setHeader("x-echo-request", request.getMethod() + " " + request.getRequestURI() + " " + request.getProtocol());
                response.setHeader("x-client-certificate", presented == null ? "none"
                    : presented[0].getSubjectX500Principal().getName() + " " + presented[0].getSerialNumber().toString(16));
                response.setHeader("x-upstream-token", String.valueOf(request.getHeader("x-my-jwt")));
                if (!request.getProtocol().startsWith("HTTP/2"))
                    response.setHeader("Connection", "close");
                response.getWriter().write("over TLS at " + Instant.now());
            }
        }), "/*");
        server.setHandler(context);
        server.start();
    }

    /** @return the upstream's URL, for UPSTREAM_URL */
    public String url()
    {
        return "https://127.0.0.1:" + connector.getLocalPort();
    }

    @Override
    public void close() throws Exception
    {
        server.stop();
    }
}
