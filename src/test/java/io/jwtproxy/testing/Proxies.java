package io.jwtproxy.testing;

import java.util.ArrayDeque;
import java.util.Deque;

import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.jwtproxy.config.EmbeddedConfig;
import io.jwtproxy.config.Setting;
import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.embedded.Main;

/**
 * The fixture of the in-JVM suites: a proxy in front of an upstream, in this JVM, on ephemeral
 * ports, started as the jar starts it ({@link Main#start}); after each test, everything the test
 * started through it is stopped, last first. Register it in a test class with
 * {@code @RegisterExtension final Proxies proxies = new Proxies();}.
 */
public final class Proxies implements AfterEachCallback
{
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private Proxy proxy;
    private CannedUpstream upstream;

    /**
     * @param settings HTTP_HOST and HTTP_PORT are 127.0.0.1 and 0 unless given, ENGINE {@link #engine()}.
     *                 Without UPSTREAM_URL this is the jar's demo, in front of its echo upstream.
     */
    public Proxy start(Settings settings)
    {
        Settings all = settings.withDefault(Setting.HTTP_HOST, "127.0.0.1").withDefault(Setting.HTTP_PORT, 0).withDefault(Setting.ENGINE, engine());
        proxy = track(new Proxy(Main.start(EmbeddedConfig.load(all.source()))));
        return proxy;
    }

    /** @param settings names of {@link Setting}s and values, alternately; see {@link #start(Settings)} */
    public Proxy start(String... settings)
    {
        return start(Settings.of(settings));
    }

    /**
     * @return the engine the in-JVM suites run the proxy on: the system property {@code ENGINE} (the build runs them once
     *         with each), else the jar's default
     */
    public static String engine()
    {
        return System.getProperty("ENGINE", "core");
    }

    /** @return a proxy in front of {@code upstream}, which is stopped with it */
    public Proxy start(CannedUpstream upstream, String... settings)
    {
        this.upstream = track(upstream);
        return start(Settings.of(Setting.UPSTREAM_URL, upstream.url()).with(settings));
    }

    /** @return a proxy the test built itself (from its own runtime, or with a filter in front), now started */
    public Proxy start(Server unstarted) throws Exception
    {
        proxy = track(new Proxy(unstarted));
        unstarted.start();
        return proxy;
    }

    /** @return the proxy started last */
    public Proxy proxy()
    {
        return proxy;
    }

    /** @return the upstream the proxy started last in front of a {@link CannedUpstream} fronts: what it received */
    public CannedUpstream upstream()
    {
        return upstream;
    }

    /** @return the built-in echo upstream, on its own, started */
    public Server echo() throws Exception
    {
        Server echo = EmbeddedServer.newEchoServer("127.0.0.1", 0);
        echo.start();
        track(echo::stop);
        return echo;
    }

    /** @return the echo upstream that also reveals the token and the header names it received, started */
    public Server revealingEcho() throws Exception
    {
        Server echo = RevealingEcho.start("x-my-jwt");
        track(echo::stop);
        return echo;
    }

    /** @return a proxy in front of a {@link #revealingEcho()}, signing with the seed's secret, with these settings too */
    public Proxy startRevealing(Settings settings) throws Exception
    {
        return start(Settings.of(Setting.UPSTREAM_URL, "http://127.0.0.1:" + EmbeddedServer.port(revealingEcho()))
            .with(Setting.JWT_SECRET, Tokens.SEED_SECRET).with(settings));
    }

    /** @param settings names of {@link Setting}s and values, alternately; see {@link #startRevealing(Settings)} */
    public Proxy startRevealing(String... settings) throws Exception
    {
        return startRevealing(Settings.of(settings));
    }

    /** Stops {@code resource} after the test, before what was started earlier. */
    public <T extends AutoCloseable> T track(T resource)
    {
        started.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception
    {
        Exception first = null;
        while (!started.isEmpty())
        {
            try
            {
                started.pop().close();
            }
            catch (Exception x)
            {
                if (first == null)
                    first = x;
            }
        }
        if (first != null)
            throw first;
    }
}
