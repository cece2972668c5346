package io.jwtproxy;

import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.Arrays;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar jwt-proxy.jar}: the proxy in an embedded Jetty; {@code java -jar jwt-proxy.jar echo}:
 * the echo upstream on its own. Settings come from JVM system properties, then the environment.
 */
public final class Main
{
    /**
     * Jetty's switch that keeps a {@code Content-Type} as it was set: without it, Jetty's servlet
     * response re-renders the MIME types it knows ({@code text/html; charset=UTF-8} became
     * {@code text/html;charset=utf-8}), and the proxy relays response fields verbatim. Read once,
     * when Jetty's {@code HttpGenerator} class loads, so it is set before any Jetty class is used.
     */
    static final String VERBATIM_CONTENT_TYPE = "org.eclipse.jetty.http.HttpGenerator.STRICT";

    static
    {
        if (System.getProperty(VERBATIM_CONTENT_TYPE) == null)
            System.setProperty(VERBATIM_CONTENT_TYPE, "true");
    }

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main()
    {
    }

    public static void main(String[] args)
    {
        try
        {
            if (args.length == 0)
                stopOnSignals(start(ProxyConfig.load(ConfigSource.embedded(), ProxyConfig.Mode.EMBEDDED))).join();
            else if (args.length == 1 && args[0].equals("echo"))
                startEcho(ProxyConfig.load(ConfigSource.embedded(), ProxyConfig.Mode.EMBEDDED)).join();
            else
                exit(64, "usage: java -jar jwt-proxy.jar [echo]; unexpected arguments " + Arrays.toString(args));
        }
        catch (ConfigException x)
        {
            exit(2, x.getMessage());
        }
        catch (StartupException x)
        {
            exit(1, x.getMessage());
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the proxy. Without an upstream (demo mode) it first starts the echo upstream on a free
     * loopback port; stopping the returned server stops that too.
     *
     * @return the running proxy server
     */
    public static Server start(ProxyConfig config)
    {
        Server echo = null;
        if (config.upstream() == null)
        {
            echo = start(newEchoServer("127.0.0.1", 0, config.clientIdleTimeout()), "the echo upstream", "127.0.0.1", 0);
            Upstream local = Upstream.parse("http://127.0.0.1:" + localPort(echo));
            config = config.withDemoUpstream(local);
            LOG.warn("DEMO MODE: UPSTREAM_URL is not set; proxying to the built-in echo upstream at {}", local);
        }
        if (config.demoSecret())
            LOG.warn("DEMO MODE: JWT_SECRET is not set; signing with a random per-process secret that no upstream can verify");
        if (config.tokens().demoKey())
            LOG.warn("DEMO MODE: neither JWT_KEY_FILE nor JWT_KEYS_DIR is set; signing with a random per-process {} key "
                + "(upstreams can still verify it with the JWK Set the proxy serves)", config.tokens().algorithm());
        Server proxy = newServer(config);
        if (echo != null)
            proxy.addManaged(echo);
        start(proxy, "the proxy", config.httpHost(), config.httpPort());
        LOG.info("jwt-proxy listening on http://{}:{}", config.httpHost(), localPort(proxy));
        return proxy;
    }

    /** Starts the echo upstream on HTTP_HOST:HTTP_PORT. */
    public static Server startEcho(ProxyConfig config)
    {
        Server echo = start(newEchoServer(config.httpHost(), config.httpPort(), config.clientIdleTimeout()), "the echo upstream",
            config.httpHost(), config.httpPort());
        LOG.info("echo upstream listening on http://{}:{}", config.httpHost(), localPort(echo));
        return echo;
    }

    /**
     * @return an unstarted server with the proxy at {@code /*} and its status page at {@code /status}
     */
    public static Server newServer(ProxyConfig config)
    {
        Server server = newJettyServer("jwt-proxy", config.httpHost(), config.httpPort(), config.clientIdleTimeout(),
            config.maxRequestHeaderBytes(), config.maxResponseHeaderBytes(), config.listenBacklog());
        ServletContextHandler context = new ServletContextHandler("/");
        context.addEventListener(new BootListener(config));
        ServletHolder proxy = new ServletHolder("proxy", JwtProxyServlet.class);
        proxy.setAsyncSupported(true);
        // Initialised at start-up, so a servlet that cannot start stops the server instead of answering 500s.
        proxy.setInitOrder(1);
        context.addServlet(proxy, "/*");
        ServletHolder status = new ServletHolder("status", StatusServlet.class);
        status.setInitOrder(1);
        context.addServlet(status, "/status");
        // Stopping refuses new connections at once, then waits up to SHUTDOWN_DRAIN for in-flight requests.
        server.setHandler(new GracefulHandler(context));
        server.setStopTimeout(config.shutdownDrain().toMillis());
        return server;
    }

    /**
     * SIGTERM and SIGINT stop the server gracefully and exit 0: a requested stop is a success,
     * where the JVM's default would exit 143 or 130.
     */
    private static Server stopOnSignals(Server server)
    {
        sun.misc.SignalHandler stop = signal ->
        {
            LOG.info("SIG{}: refusing new connections, draining in-flight requests", signal.getName());
            int status = 0;
            try
            {
                server.stop();
            }
            catch (Exception x)
            {
                LOG.warn("stop failed: {}", x.toString());
                status = 1;
            }
            System.exit(status);
        };
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), stop);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), stop);
        return server;
    }

    /** @return an unstarted server running the echo upstream at {@code /*}, with Jetty's default idle timeout */
    public static Server newEchoServer(String host, int port)
    {
        return newEchoServer(host, port, Duration.ofSeconds(30));
    }

    private static Server newEchoServer(String host, int port, Duration idleTimeout)
    {
        HttpConfiguration defaults = new HttpConfiguration();
        Server server = newJettyServer("echo", host, port, idleTimeout, defaults.getRequestHeaderSize(), defaults.getResponseHeaderSize(),
            Integer.parseInt(Setting.LISTEN_BACKLOG.defaultValue()));
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("echo", EchoServlet.class), "/*");
        server.setHandler(context);
        return server;
    }

    /** @return the port the server's connector is bound to */
    public static int localPort(Server server)
    {
        return ((ServerConnector)server.getConnectors()[0]).getLocalPort();
    }

    /** How much one read from a client connection takes: large bodies stream in 64 KiB steps. */
    static final int INPUT_BUFFER_BYTES = 64 * 1024;

    private static Server newJettyServer(String name, String host, int port, Duration idleTimeout, int maxRequestHeaderBytes,
                                         int maxResponseHeaderBytes, int listenBacklog)
    {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName(name);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(maxRequestHeaderBytes);
        // The proxy refuses (502) an upstream head that would not fit; this buffer must hold any head it relays.
        http.setResponseHeaderSize(maxResponseHeaderBytes);
        // Reads of 64 KiB instead of Jetty's 8 KiB: a 2 GiB upload through the proxy went from 730 to
        // 1,340 MB/s and its system CPU from 2.4 s to 0.8 s; the buffer is pooled and held only while reading.
        http.setInputBufferSize(Math.max(INPUT_BUFFER_BYTES, maxRequestHeaderBytes));
        ServerConnector connector = new ServerConnector(server, new Http10SafeConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        // The JDK's default backlog of 50 made 5-251 of 1,000 simultaneous connects wait out a 1 s SYN retransmit.
        connector.setAcceptQueueSize(listenBacklog);
        server.addConnector(connector);
        server.setStopAtShutdown(true);
        return server;
    }

    private static Server start(Server server, String what, String host, int port)
    {
        try
        {
            server.start();
            return server;
        }
        catch (Exception x)
        {
            stopQuietly(server);
            if (x instanceof IOException && x.getCause() instanceof BindException)
                throw new StartupException(Setting.HTTP_PORT + ": cannot listen on " + host + ":" + port + " for " + what
                    + " (" + x.getCause().getMessage() + "); set HTTP_PORT to a free port or HTTP_HOST to a local address");
            throw new StartupException("cannot start " + what + ": " + x);
        }
    }

    private static void stopQuietly(Server server)
    {
        try
        {
            server.stop();
        }
        catch (Exception x)
        {
            LOG.debug("stop after failed start", x);
        }
    }

    private static void exit(int status, String message)
    {
        System.err.println("jwt-proxy: " + message);
        System.exit(status);
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
