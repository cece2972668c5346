package io.jwtproxy.embedded;

import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.AdminServlet;
import io.jwtproxy.BootListener;
import io.jwtproxy.JwtProxyServlet;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.config.ServerConfig;
import io.jwtproxy.config.Setting;
import io.jwtproxy.core.CoreProxyHandler;
import io.jwtproxy.tls.TlsIdentity;

/** The executable jar's Jetty servers, built unstarted (tests start them on port 0): the proxy's and the echo upstream's. */
public final class EmbeddedServer
{
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);
    private static final String ALPN_HTTP_1_1 = "http/1.1";
    /** The listeners' names: the plain one (HTTP/1.1 and h2c) and the TLS one (HTTP/2 and HTTP/1.1 by ALPN). */
    public static final String PLAIN = "http";
    public static final String TLS = "https";
    /** The admin listener's name. */
    public static final String ADMIN = "admin";
    private static final String ADMIN_ATTRIBUTE = "io.jwtproxy.admin";
    private static final String RUNTIME_ATTRIBUTE = "io.jwtproxy.runtime";
    /** How much one read from a client connection takes: large bodies stream in 64 KiB steps. */
    static final int INPUT_BUFFER_BYTES = 64 * 1024;
    /** How many authentication checks that wait (bcrypt, an issuer's keys) may queue for the core engine's threads. */
    private static final int AUTHENTICATION_QUEUE = 1024;

    private EmbeddedServer()
    {
    }

    /** @return an unstarted server with the proxy at {@code /*} on the engine ENGINE names, sharing {@code runtime} */
    public static Server newProxyServer(ServerConfig settings, ProxyRuntime runtime)
    {
        Server server = newServer("jwt-proxy", settings, runtime.proxy().maxResponseHeaderBytes());
        Handler proxy = settings.engine() == ServerConfig.Engine.CORE ? coreProxy(server, runtime) : servletProxy(runtime);
        // Stopping refuses new connections at once, then waits up to SHUTDOWN_DRAIN for in-flight requests.
        server.setHandler(new GracefulHandler(new ClosingWhileDraining(runtime, proxy)));
        server.setStopTimeout(settings.shutdownDrain().toMillis());
        Server admin = settings.admin() == null ? null : newAdminServer(settings.admin(), runtime);
        server.addEventListener(new LifeCycle.Listener()
        {
            @Override
            public void lifeCycleStopping(LifeCycle event)
            {
                // Already so after a signal's SHUTDOWN_DELAY; for any other stop, before the listeners close.
                runtime.startDrain();
            }

            @Override
            public void lifeCycleStopped(LifeCycle event)
            {
                // The admin listener outlives the drain, so that probes see it; it goes last.
                if (admin != null)
                    LifeCycle.stop(admin);
            }
        });
        if (admin != null)
            server.setAttribute(ADMIN_ATTRIBUTE, admin);
        server.setAttribute(RUNTIME_ATTRIBUTE, runtime);
        return server;
    }

    /** The WAR's servlet in a servlet context of its own, as a container runs it. */
    private static Handler servletProxy(ProxyRuntime runtime)
    {
        ServletContextHandler context = new ServletContextHandler("/");
        context.addEventListener(new BootListener(runtime));
        ServletHolder proxy = new ServletHolder("proxy", JwtProxyServlet.class);
        proxy.setAsyncSupported(true);
        // Initialised at start-up, so a servlet that cannot start stops the server instead of answering 500s.
        proxy.setInitOrder(1);
        context.addServlet(proxy, "/*");
        return context;
    }

    /** Jetty's core handler, which logs the wiring when it starts and closes the runtime when the server has stopped, as BootListener does. */
    private static Handler coreProxy(Server server, ProxyRuntime runtime)
    {
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        // Bounded both ways: past AUTHENTICATION_QUEUE checks waiting, a request is refused (503) rather than queued without end.
        ThreadPoolExecutor authentication = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(AUTHENTICATION_QUEUE),
            runnable ->
            {
                Thread thread = new Thread(runnable, "jwt-proxy-auth");
                thread.setDaemon(true);
                return thread;
            });
        authentication.allowCoreThreadTimeOut(true);
        CoreProxyHandler proxy = new CoreProxyHandler(runtime, authentication);
        server.addEventListener(new LifeCycle.Listener()
        {
            @Override
            public void lifeCycleStarted(LifeCycle event)
            {
                LOG.info(runtime.wiring(""));
            }

            @Override
            public void lifeCycleStopped(LifeCycle event)
            {
                runtime.close();
            }
        });
        return proxy;
    }

    /** @return the runtime of a server {@link #newProxyServer} built */
    static ProxyRuntime runtime(Server proxy)
    {
        return (ProxyRuntime)proxy.getAttribute(RUNTIME_ATTRIBUTE);
    }

    /** @return the proxy server's admin listener's server, unstarted until {@link #startAdmin}; null without ADMIN_PORT */
    public static Server admin(Server proxy)
    {
        return (Server)proxy.getAttribute(ADMIN_ATTRIBUTE);
    }

    /** Starts the admin listener of a started proxy server, if it has one; it stops when the proxy server has. */
    static void startAdmin(Server proxy, ServerConfig settings)
    {
        Server admin = admin(proxy);
        if (admin == null)
            return;
        try
        {
            admin.start();
        }
        catch (Exception x)
        {
            LifeCycle.stop(proxy);
            if (x instanceof IOException && x.getCause() instanceof BindException)
                throw new StartupException(Setting.ADMIN_PORT + ": cannot listen on " + settings.admin().host() + ":" + settings.admin().port()
                    + " for the admin listener (" + x.getCause().getMessage() + "); set " + Setting.ADMIN_PORT + " to a free port or "
                    + Setting.ADMIN_HOST + " to a local address");
            throw new StartupException("cannot start the admin listener: " + x);
        }
    }

    private static Server newAdminServer(ServerConfig.AdminListener settings, ProxyRuntime runtime)
    {
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("jwt-proxy-admin");
        Server admin = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(admin, 1, 1, new HttpConnectionFactory(http));
        connector.setName(ADMIN);
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        admin.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("admin", new AdminServlet(runtime, settings)), "/*");
        admin.setHandler(context);
        return admin;
    }

    /** @return an unstarted server running the echo upstream at {@code /*}, with Jetty's default limits */
    public static Server newEchoServer(String host, int port)
    {
        HttpConfiguration defaults = new HttpConfiguration();
        return newEchoServer(new ServerConfig(host, port, Duration.ofSeconds(30), defaults.getRequestHeaderSize(),
            Integer.parseInt(Setting.LISTEN_BACKLOG.defaultValue()), Duration.ofSeconds(30)));
    }

    /** @return an unstarted server running the echo upstream at {@code /*}, on the listeners of {@code settings} */
    public static Server newEchoServer(ServerConfig settings)
    {
        Server server = newServer("echo", settings, new HttpConfiguration().getResponseHeaderSize());
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("echo", EchoServlet.class), "/*");
        server.setHandler(context);
        return server;
    }

    /** @return the port the server's first listener (the plain one, unless it is off) is bound to */
    public static int port(Server server)
    {
        return ((ServerConnector)server.getConnectors()[0]).getLocalPort();
    }

    /** @return the port of the server's {@link #PLAIN} or {@link #TLS} listener, -1 if it has none */
    public static int port(Server server, String listener)
    {
        for (Connector connector : server.getConnectors())
        {
            if (listener.equals(connector.getName()))
                return ((ServerConnector)connector).getLocalPort();
        }
        return -1;
    }

    private static Server newServer(String name, ServerConfig settings, int maxResponseHeaderBytes)
    {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName(name);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(settings.maxRequestHeaderBytes());
        // The proxy refuses (502) an upstream head that would not fit; this buffer holds any head it relays.
        http.setResponseHeaderSize(maxResponseHeaderBytes);
        // Reads of 64 KiB instead of Jetty's 8 KiB: a 2 GiB upload through the proxy went from 730 to
        // 1,340 MB/s and its system CPU from 2.4 s to 0.8 s; the buffer is pooled and held only while reading.
        http.setInputBufferSize(Math.max(INPUT_BUFFER_BYTES, settings.maxRequestHeaderBytes()));
        if (settings.plainListener())
        {
            PriorKnowledgeH2c h2c = new PriorKnowledgeH2c(http);
            // No WebSockets over HTTP/2 (RFC 8441's CONNECT): clients open them over HTTP/1.1, which the proxy tunnels.
            h2c.setConnectProtocolEnabled(false);
            server.addConnector(listener(server, PLAIN, settings, settings.port(), new Http10SafeConnectionFactory(http), h2c));
        }
        ServerConfig.TlsListener tls = settings.tls();
        if (tls != null)
        {
            HttpConfiguration https = new HttpConfiguration(http);
            https.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server sslContextFactory = new SslContextFactory.Server();
            sslContextFactory.setKeyStore(tls.identity().keyStore());
            sslContextFactory.setKeyStorePassword(TlsIdentity.KEY_STORE_PASSWORD);
            sslContextFactory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            // HTTP/2 forbids some TLS 1.2 suites (RFC 9113 §9.2.2): those it allows come first.
            sslContextFactory.setCipherComparator(HTTP2Cipher.COMPARATOR);
            sslContextFactory.setUseCipherSuitesOrder(true);
            if (tls.clientAuthorities() != null)
            {
                // Asked for, not required: AUTH decides what a request without one gets (a bearer token may do).
                sslContextFactory.setTrustStore(tls.clientAuthorities());
                sslContextFactory.setWantClientAuth(true);
            }
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
            h2.setConnectProtocolEnabled(false);
            // ALPN's names are case-sensitive (RFC 7301 §3.1): "http/1.1", not HttpVersion's "HTTP/1.1".
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), ALPN_HTTP_1_1);
            alpn.setDefaultProtocol(ALPN_HTTP_1_1);
            server.addConnector(listener(server, TLS, settings, tls.port(), new SslConnectionFactory(sslContextFactory, alpn.getProtocol()), alpn, h2,
                new Http10SafeConnectionFactory(https)));
            server.addManaged(new CertificateReloader(tls, sslContextFactory));
        }
        server.setStopAtShutdown(true);
        return server;
    }

    private static ServerConnector listener(Server server, String name, ServerConfig settings, int port, ConnectionFactory... factories)
    {
        ServerConnector connector = new ServerConnector(server, factories);
        connector.setName(name);
        connector.setHost(settings.host());
        connector.setPort(port);
        connector.setIdleTimeout(settings.clientIdleTimeout().toMillis());
        // The JDK's default backlog of 50 made 712 of 1,000 simultaneous connects wait out a 1 s SYN retransmit.
        connector.setAcceptQueueSize(settings.listenBacklog());
        return connector;
    }

    /**
     * Starts a server, or stops it again and says why it could not start.
     *
     * @param what "the proxy", "the echo upstream"
     * @throws StartupException naming HTTP_PORT when the port is taken
     */
    static Server start(Server server, String what, ServerConfig settings)
    {
        try
        {
            server.start();
            return server;
        }
        catch (Exception x)
        {
            try
            {
                server.stop();
            }
            catch (Exception stopping)
            {
                LOG.debug("stop after failed start", stopping);
            }
            if (x instanceof IOException && x.getCause() instanceof BindException)
            {
                // Jetty binds the listeners in order, and stops at the first that fails.
                boolean plainBound = !settings.plainListener() || port(server, PLAIN) > 0;
                Setting setting = plainBound && settings.tls() != null ? Setting.HTTPS_PORT : Setting.HTTP_PORT;
                int port = setting == Setting.HTTPS_PORT ? settings.tls().port() : settings.port();
                throw new StartupException(setting + ": cannot listen on " + settings.host() + ":" + port + " for " + what
                    + " (" + x.getCause().getMessage() + "); set " + setting + " to a free port or HTTP_HOST to a local address");
            }
            throw new StartupException("cannot start " + what + ": " + x);
        }
    }

    /** The server could not start for a reason outside the configuration's syntax (a port in use, say). */
    static final class StartupException extends RuntimeException
    {
        StartupException(String message)
        {
            super(message, null, false, false);
        }
    }
}
