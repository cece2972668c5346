package io.jwtproxy.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

import org.eclipse.jetty.client.ContinueProtocolHandler;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Invocable;

import io.jwtproxy.config.ProxyConfig;
import io.jwtproxy.config.Setting;
import io.jwtproxy.config.UpstreamTransport;
import io.jwtproxy.exchange.InterimResponses;
import io.jwtproxy.tls.TlsIdentity;
import io.jwtproxy.tls.TlsIdentityWatcher;
import io.jwtproxy.websocket.SwitchingProtocols;

/**
 * The proxy's HTTP client as UPSTREAM_PROTOCOL and the upstream TLS settings make it: HTTP/1.1,
 * or HTTP/2 only (h2c with prior knowledge, h2 by ALPN offering nothing else), over TLS 1.3 or 1.2
 * with host name verification always on, the CAs of UPSTREAM_CA_FILE alone when it is set, and the
 * client certificate of UPSTREAM_CLIENT_CERT_FILE, kept current as it is renewed.
 */
public final class UpstreamClient implements AutoCloseable
{
    private final UpstreamTransport transport;
    private final SslContextFactory.Client sslContextFactory = new SslContextFactory.Client();
    private TlsIdentityWatcher clientCertificate;

    public UpstreamClient(UpstreamTransport transport)
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
    public ClientConnector newClientConnector()
    {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(sslContextFactory);
        return connector;
    }

    /** @return the transport UPSTREAM_PROTOCOL names, over {@code connector} */
    public HttpClientTransport newTransport(ClientConnector connector)
    {
        if (transport.protocol() == UpstreamTransport.Protocol.HTTP_1_1)
            return new HttpClientTransportDynamic(connector, HttpClientConnectionFactory.HTTP11);
        // HTTP/2 alone: with prior knowledge in the clear, the only protocol ALPN offers over TLS.
        return new HttpClientTransportDynamic(connector, new ClientConnectionFactoryOverHTTP2.HTTP2(new HTTP2Client(connector)));
    }

    /**
     * The jar's core engine's HTTP client, set as the servlet's is (Jetty's proxy servlet and its init-params): no redirects
     * followed, no cookies kept, no content decoded, 64 KiB buffers, the upstream's timeouts and head limit; interim responses
     * go to {@code interims}, and 101 only to a WebSocket handshake.
     *
     * @param executor the server's threads, on which the client's callbacks that may block run
     */
    public HttpClient newHttpClient(ProxyConfig config, Executor executor, InterimResponses.Relay interims) throws Exception
    {
        HttpClientTransport transport = newTransport(newClientConnector());
        // The upstream's answer is handled on the client's selector thread, without a hand-off: every listener of the core engine
        // (CoreProxyHandler's, the WebSocket handshake's, the interim responses') is non-blocking.
        transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        HttpClient client = new HttpClient(transport);
        client.setExecutor(executor);
        client.setFollowRedirects(false);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        limit(client, config);
        client.setIdleTimeout(config.upstreamIdleTimeout().toMillis());
        client.setMaxConnectionsPerDestination(256);
        // Never dropped while the client runs (Jetty's default, relied on): the core engine resolves its one destination once.
        client.setDestinationIdleTimeout(0);
        client.setRequestBufferSize(64 * 1024);
        client.setResponseBufferSize(64 * 1024);
        client.start();
        client.getContentDecoderFactories().clear();
        client.getProtocolHandlers().clear();
        client.getProtocolHandlers().put(new ContinueProtocolHandler());
        handleInterims(client, interims);
        return client;
    }

    /** Sets what both engines' clients share: the upstream's connect timeout, and the largest head worth reading. */
    public static void limit(HttpClient client, ProxyConfig config)
    {
        client.setConnectTimeout(config.upstreamConnectTimeout().toMillis());
        // A larger head could not be relayed (ResponseHead refuses it): no point in reading it.
        client.setMaxResponseHeadersSize(config.maxResponseHeaderBytes());
    }

    /**
     * After Jetty's handler of 100 Continue: the other interim responses, relayed to {@code interims} instead of taken for the
     * final one; and 101: an upgrade the proxy asked for (a WebSocket handshake) happens, any other fails the exchange.
     */
    public static void handleInterims(HttpClient client, InterimResponses.Relay interims)
    {
        client.getProtocolHandlers().put(InterimResponses.handler(interims));
        client.getProtocolHandlers().put(new SwitchingProtocols());
    }

    /** Watches the client certificate's files, if there is one, and puts a renewed one in use for new connections. */
    public void watchClientCertificate(Duration interval)
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
