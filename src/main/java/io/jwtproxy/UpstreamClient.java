package io.jwtproxy;

import java.time.Clock;
import java.time.Duration;

import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import io.jwtproxy.config.Setting;
import io.jwtproxy.config.UpstreamTransport;
import io.jwtproxy.tls.TlsIdentity;
import io.jwtproxy.tls.TlsIdentityWatcher;

/**
 * The proxy's HTTP client as UPSTREAM_PROTOCOL and the upstream TLS settings make it: HTTP/1.1,
 * or HTTP/2 only (h2c with prior knowledge, h2 by ALPN offering nothing else), over TLS 1.3 or 1.2
 * with host name verification always on, the CAs of UPSTREAM_CA_FILE alone when it is set, and the
 * client certificate of UPSTREAM_CLIENT_CERT_FILE, kept current as it is renewed.
 */
final class UpstreamClient implements AutoCloseable
{
    private final UpstreamTransport transport;
    private final SslContextFactory.Client sslContextFactory = new SslContextFactory.Client();
    private TlsIdentityWatcher clientCertificate;

    UpstreamClient(UpstreamTransport transport)
    {
        this.transport = transport;
        sslContextFactory.setEndpointIdentificationAlgorithm("HTTPS");
        sslContextFactory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        if (transport.trustedAuthorities() != null)
            sslContextFactory.setTrustStore(transport.trustedAuthorities());
        if (transport.clientIdentity() != null)
        {
            sslContextFactory.setKeyStore(transport.clientIdentity().keyStore());
            sslContextFactory.setKeyStorePassword(TlsIdentity.KEY_STORE_PASSWORD);
        }
    }

    /** @return the connector to the upstream, with this TLS */
    ClientConnector newClientConnector()
    {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(sslContextFactory);
        return connector;
    }

    /** @return the transport UPSTREAM_PROTOCOL names, over {@code connector} */
    HttpClientTransport newTransport(ClientConnector connector)
    {
        if (transport.protocol() == UpstreamTransport.Protocol.HTTP_1_1)
            return new HttpClientTransportDynamic(connector, HttpClientConnectionFactory.HTTP11);
        // HTTP/2 alone: with prior knowledge in the clear, the only protocol ALPN offers over TLS.
        return new HttpClientTransportDynamic(connector, new ClientConnectionFactoryOverHTTP2.HTTP2(new HTTP2Client(connector)));
    }

    /** Watches the client certificate's files, if there is one, and puts a renewed one in use for new connections. */
    void watchClientCertificate(Duration interval)
    {
        if (transport.clientIdentity() == null)
            return;
        clientCertificate = new TlsIdentityWatcher(transport.clientIdentity(), transport.clientCertificateFile(), transport.clientKeyFile(),
            Setting.UPSTREAM_CLIENT_CERT_FILE.name(), Setting.UPSTREAM_CLIENT_KEY_FILE.name(), TlsIdentity.Role.CLIENT, Clock.systemUTC(),
            renewed ->
            {
                try
                {
                    sslContextFactory.reload(factory -> factory.setKeyStore(renewed.keyStore()));
                }
                catch (Exception x)
                {
                    throw new IllegalStateException("the TLS stack refused the renewed certificate: " + x, x);
                }
            });
        clientCertificate.start(interval);
    }

    @Override
    public void close()
    {
        if (clientCertificate != null)
            clientCertificate.close();
    }
}
