package io.jwtproxy.testing;

import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A test's own HTTP peer: one servlet at {@code /*} on a free loopback port. */
public final class ServletServer
{
    private ServletServer()
    {
    }

    /** @return the server, not started yet; its port is {@code EmbeddedServer.port(server)} once it is */
    public static Server on(HttpServlet servlet)
    {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(servlet), "/*");
        server.setHandler(context);
        return server;
    }
}
