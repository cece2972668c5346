package io.jwtproxy;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;

/** Base of the suites that run the embedded proxy in front of a fault-injecting {@link CannedUpstream}. */
abstract class ProxyBehindCannedUpstream
{
    protected Server proxy;
    protected CannedUpstream upstream;

    @AfterEach
    void stopProxyAndUpstream() throws Exception
    {
        if (proxy != null)
            proxy.stop();
        if (upstream != null)
            upstream.close();
    }

    /**
     * Starts the proxy in front of {@code upstream}, which the test then owns.
     *
     * @param pairs extra settings, name then value
     * @return the proxy's port
     */
    protected int start(CannedUpstream upstream, String... pairs)
    {
        this.upstream = upstream;
        Map<String, String> settings = new HashMap<>(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0",
            "UPSTREAM_URL", upstream.url(), "JWT_SECRET", Tokens.SEED_SECRET));
        for (int i = 0; i < pairs.length; i += 2)
            settings.put(pairs[i], pairs[i + 1]);
        proxy = Main.start(ProxyConfig.load(ConfigSource.of(settings), ProxyConfig.Mode.EMBEDDED));
        return Main.localPort(proxy);
    }
}
