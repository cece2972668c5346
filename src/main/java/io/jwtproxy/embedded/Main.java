package io.jwtproxy.embedded;

import java.util.Arrays;

import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.config.ConfigException;
import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.EmbeddedConfig;
import io.jwtproxy.config.ProxyConfig;
import io.jwtproxy.config.ServerConfig;
import io.jwtproxy.config.TokenConfig;
import io.jwtproxy.config.Upstream;

/**
 * {@code java -jar jwt-proxy.jar}: the proxy in an embedded Jetty; {@code java -jar jwt-proxy.jar echo}:
 * the echo upstream on its own. Settings come from JVM system properties, then the environment.
 * The demo is decided here and nowhere else: what a missing setting is replaced with is written into
 * an explicit, complete configuration before anything is built from it.
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
        LogOutput.install();
        try
        {
            if (args.length == 0)
            {
                EmbeddedConfig config = EmbeddedConfig.load(ConfigSource.embedded());
                Server server = start(config);
                new Shutdown(server, config.server().shutdownDelay()).onSignals();
                // Only now: a SIGTERM sent on seeing these lines gets the drain, not the JVM's default exit.
                logListeners("jwt-proxy", server, config.server());
                server.join();
            }
            else if (args.length == 1 && args[0].equals("echo"))
                startEcho(ServerConfig.load(ConfigSource.embedded())).join();
            else
                exit(64, "usage: java -jar jwt-proxy.jar [echo]; unexpected arguments " + Arrays.toString(args));
        }
        catch (ConfigException x)
        {
            exit(2, x.getMessage());
        }
        catch (EmbeddedServer.StartupException x)
        {
            exit(1, x.getMessage());
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the proxy as the jar runs it. What the settings leave out, the demo stands in for:
     * without UPSTREAM_URL, the built-in echo upstream on a free loopback port (whose answers show the
     * token they got); without a secret or key, a random one for this process. Stopping the returned
     * server stops the echo upstream too.
     *
     * @return the running proxy server
     */
    public static Server start(EmbeddedConfig config)
    {
        Server echo = null;
        ProxyConfig proxy = config.proxy();
        TokenConfig tokens = config.tokens();
        if (proxy.upstream() == null)
        {
            ServerConfig loopback = new ServerConfig("127.0.0.1", 0, config.server().clientIdleTimeout(), config.server().maxRequestHeaderBytes(),
                config.server().listenBacklog(), config.server().shutdownDrain());
            echo = EmbeddedServer.start(EmbeddedServer.newEchoServer(loopback), "the echo upstream", loopback);
            Upstream local = Upstream.parse("http://127.0.0.1:" + EmbeddedServer.port(echo));
            proxy = proxy.withUpstream(local, true);
            LOG.warn("DEMO MODE: UPSTREAM_URL is not set; proxying to the built-in echo upstream at {}", local);
        }
        if (!tokens.hasKey())
        {
            tokens = tokens.withGeneratedKey();
            if (tokens.algorithm().asymmetric())
                LOG.warn("DEMO MODE: neither JWT_KEY_FILE nor JWT_KEYS_DIR is set; signing with a random per-process {} key "
                    + "(upstreams can still verify it with the JWK Set the proxy serves)", tokens.algorithm());
            else
                LOG.warn("DEMO MODE: JWT_SECRET is not set; signing with a random per-process secret that no upstream can verify");
        }
        ProxyRuntime runtime = null;
        try
        {
            runtime = ProxyRuntime.start(proxy, tokens, config.auth(), config.admin(), config.trace());
            Server server = EmbeddedServer.newProxyServer(config.server(), runtime);
            if (echo != null)
                server.addManaged(echo);
            EmbeddedServer.start(server, "the proxy", config.server());
            EmbeddedServer.startAdmin(server, config.server());
            return server;
        }
        catch (RuntimeException x)
        {
            if (runtime != null)
                runtime.close();
            stopQuietly(echo);
            throw x;
        }
    }

    /** Starts the echo upstream on HTTP_HOST:HTTP_PORT. */
    public static Server startEcho(ServerConfig settings)
    {
        Server echo = EmbeddedServer.start(EmbeddedServer.newEchoServer(settings), "the echo upstream", settings);
        logListeners("echo upstream", echo, settings);
        return echo;
    }

    /** One line per listener: its URL and what it speaks. */
    private static void logListeners(String what, Server server, ServerConfig settings)
    {
        if (settings.plainListener())
            LOG.info("{} listening on http://{}:{} (HTTP/1.1, h2c with prior knowledge)", what, settings.host(),
                EmbeddedServer.port(server, EmbeddedServer.PLAIN));
        if (settings.tls() != null)
            LOG.info("{} listening on https://{}:{} (TLS 1.3 and 1.2; h2, HTTP/1.1) with certificate {}", what, settings.host(),
                EmbeddedServer.port(server, EmbeddedServer.TLS), settings.tls().identity());
        Server admin = EmbeddedServer.admin(server);
        if (admin != null)
            LOG.info("{} admin listener on http://{}:{} (/status, /metrics, /healthz, /readyz)", what, settings.admin().host(),
                EmbeddedServer.port(admin, EmbeddedServer.ADMIN));
    }

    private static void stopQuietly(Server server)
    {
        if (server == null)
            return;
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
}
