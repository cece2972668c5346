package io.jwtproxy.embedded;

import java.time.Clock;

import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import io.jwtproxy.config.ServerConfig;
import io.jwtproxy.config.Setting;
import io.jwtproxy.tls.TlsIdentity;
import io.jwtproxy.tls.TlsIdentityWatcher;

/**
 * Keeps the TLS listener's certificate current while the server runs: a renewed certificate and
 * key go into the listener's SSL context, which new handshakes use; open connections keep theirs.
 */
final class CertificateReloader extends AbstractLifeCycle
{
    private final ServerConfig.TlsListener listener;
    private final SslContextFactory.Server sslContextFactory;
    private TlsIdentityWatcher watcher;

    CertificateReloader(ServerConfig.TlsListener listener, SslContextFactory.Server sslContextFactory)
    {
        this.listener = listener;
        this.sslContextFactory = sslContextFactory;
    }

    @Override
    protected void doStart()
    {
        watcher = new TlsIdentityWatcher(listener.identity(), listener.certificateFile(), listener.keyFile(), Setting.TLS_CERT_FILE.name(),
            Setting.TLS_KEY_FILE.name(), TlsIdentity.Role.SERVER, Clock.systemUTC(), this::use);
        watcher.start(listener.watchInterval());
    }

    private void use(TlsIdentity renewed)
    {
        try
        {
            sslContextFactory.reload(factory -> factory.setKeyStore(renewed.keyStore()));
        }
        catch (Exception x)
        {
            throw new IllegalStateException("the TLS stack refused the renewed certificate: " + x, x);
        }
    }

    @Override
    protected void doStop()
    {
        watcher.close();
    }
}
