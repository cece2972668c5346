package io.jwtproxy.testing;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import io.jwtproxy.embedded.EmbeddedServer;

/**
 * A real WebSocket server (Jetty's, RFC 6455) as the upstream: {@code /echo} echoes every message
 * and picks {@code chat.v2} from the subprotocols offered; {@code /close} closes with 4001 "going
 * away now" when a message comes; {@code /refuse} answers its handshake 403. Every handshake's
 * request fields are recorded.
 */
public final class WebSocketUpstream implements AutoCloseable
{
    public static final int CLOSE_CODE = 4001;
    public static final String CLOSE_REASON = "going away now";

    private final Server server = new Server();
    /** The fields of each handshake that reached this server. */
    public final BlockingQueue<HttpFields> handshakes = new LinkedBlockingQueue<>();

    public WebSocketUpstream() throws Exception
    {
        this(0);
    }

    /** @param port where to listen on 127.0.0.1; 0 for any free port */
    public WebSocketUpstream(int port) throws Exception
    {
        // HTTP/1.1, and h2c for WebSockets over HTTP/2 (RFC 8441), which Jetty's server takes.
        HttpConfiguration http = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container ->
        {
            container.setIdleTimeout(Duration.ofMinutes(5));
            container.setMaxBinaryMessageSize(8 << 20);
            container.addMapping("/echo", (request, response, callback) ->
            {
                handshakes.add(HttpFields.build(request.getHeaders()).asImmutable());
                List<String> offered = request.getSubProtocols();
                if (offered.contains("chat.v2"))
                    response.setAcceptedSubProtocol("chat.v2");
                return new Echo();
            });
            container.addMapping("/close", (request, response, callback) ->
            {
                handshakes.add(HttpFields.build(request.getHeaders()).asImmutable());
                return new Closer();
            });
            container.addMapping("/refuse", (request, response, callback) ->
            {
                handshakes.add(HttpFields.build(request.getHeaders()).asImmutable());
                Response.writeError(request, response, callback, 403, "no WebSockets for you");
                return null;
            });
        }));
        server.start();
    }

    /** @return the upstream's URL, to give the proxy as UPSTREAM_URL */
    public String url()
    {
        return "http://127.0.0.1:" + EmbeddedServer.port(server);
    }

    @Override
    public void close() throws Exception
    {
        server.stop();
    }

    /** Echoes each message back as it came, text as text and binary as binary. */
    public static final class Echo extends Session.Listener.AbstractAutoDemanding
    {
        @Override
        public void onWebSocketText(String message)
        {
            getSession().sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback)
        {
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
            callback.succeed();
            getSession().sendBinary(copy, Callback.NOOP);
        }
    }

    /** Closes with {@link #CLOSE_CODE} when the first message comes. */
    public static final class Closer extends Session.Listener.AbstractAutoDemanding
    {
        @Override
        public void onWebSocketText(String message)
        {
            getSession().close(CLOSE_CODE, CLOSE_REASON, Callback.NOOP);
        }
    }
}
