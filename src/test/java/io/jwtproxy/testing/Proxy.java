package io.jwtproxy.testing;

import java.io.IOException;
import java.net.URI;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;

import io.jwtproxy.core.CoreProxyHandler;
import io.jwtproxy.embedded.EmbeddedServer;

/** A proxy a {@link Proxies} fixture started: where to reach it, and its insides for the tests that look at them. */
public final class Proxy implements AutoCloseable
{
    private final Server server;

    Proxy(Server server)
    {
        this.server = server;
    }

    public int port()
    {
        return EmbeddedServer.port(server);
    }

    /** @return the port of the TLS listener (HTTPS_PORT), -1 without one */
    public int httpsPort()
    {
        return EmbeddedServer.port(server, EmbeddedServer.TLS);
    }

    /** @return the proxy's URI on its TLS listener, for a path and query */
    public URI httpsUri(String pathAndQuery)
    {
        return URI.create("https://127.0.0.1:" + httpsPort() + pathAndQuery);
    }

    /** @return the proxy's URI for a path and query, e.g. {@code /a?b=1} */
    public URI uri(String pathAndQuery)
    {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    /** @return a new raw connection to the proxy */
    public RawHttp connect() throws IOException
    {
        return new RawHttp(port());
    }

    public Server server()
    {
        return server;
    }

    /** @return the HTTP client the proxy (its core handler, or its servlet) talks to its upstream with */
    public HttpClient upstreamClient()
    {
        CoreProxyHandler core = server.getDescendant(CoreProxyHandler.class);
        if (core != null)
            return core.httpClient();
        return (HttpClient)server.getDescendant(ServletContextHandler.class).getServletContext().getAttribute("proxy.HttpClient");
    }

    @Override
    public void close() throws Exception
    {
        server.stop();
    }
}
