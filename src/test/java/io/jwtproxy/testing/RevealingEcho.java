package io.jwtproxy.testing;

import java.io.IOException;
import java.util.Collections;
import java.util.Locale;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import io.jwtproxy.embedded.EchoServlet;

/**
 * The echo upstream, over HTTP/1.1 and h2c, plus what a test needs to see past the proxy's response filtering: the token
 * values it received ({@code x-upstream-token}, joined by " | ") and the names of every request
 * header it received ({@code x-upstream-headers}, lower case); and on request an {@link EventStream} at
 * {@code /events}, written the way a servlet upstream streams.
 */
public final class RevealingEcho
{
    private RevealingEcho()
    {
    }

    public static Server start(String tokenHeader) throws Exception
    {
        return start(tokenHeader, null);
    }

    /** @param events the stream {@code /events} answers with, or null */
    public static Server start(String tokenHeader, EventStream events) throws Exception
    {
        Server server = new Server();
        // HTTP/1.1, and HTTP/2 in the clear for the tests of UPSTREAM_PROTOCOL=h2c.
        HttpConfiguration http = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new EchoServlet()
        {
            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException
            {
                response.setHeader("x-upstream-token", String.join(" | ", Collections.list(request.getHeaders(tokenHeader))));
                response.setHeader("x-upstream-headers", Collections.list(request.getHeaderNames()).stream()
                    .map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.joining(",")));
                if (events != null && request.getRequestURI().endsWith("/events"))
                    events.write(response);
                else
                    super.service(request, response);
            }
        }), "/*");
        server.setHandler(context);
        server.start();
        return server;
    }
}
