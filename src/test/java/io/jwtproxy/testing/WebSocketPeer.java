package io.jwtproxy.testing;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A real WebSocket client (Jetty's): connects through the proxy and collects what arrives, each
 * kind in its own queue, with a deadline on every wait.
 */
public final class WebSocketPeer extends Session.Listener.AbstractAutoDemanding implements AutoCloseable
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    public final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    public final BlockingQueue<ByteBuffer> binaries = new LinkedBlockingQueue<>();
    public final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    /** The close code and reason the client got, or the failure that ended it. */
    public final CompletableFuture<String> closed = new CompletableFuture<>();
    private final WebSocketClient client = new WebSocketClient();

    public WebSocketPeer() throws Exception
    {
        client.setMaxBinaryMessageSize(8 << 20);
        client.setIdleTimeout(Duration.ofMinutes(5));
        client.start();
    }

    /** @return the open session, once the handshake succeeded */
    public Session connect(URI uri, ClientUpgradeRequest request) throws Exception
    {
        return client.connect(this, uri, request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Session connect(URI uri) throws Exception
    {
        return connect(uri, new ClientUpgradeRequest());
    }

    @Override
    public void onWebSocketText(String message)
    {
        texts.add(message);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback)
    {
        binaries.add(ByteBuffer.allocate(payload.remaining()).put(payload).flip());
        callback.succeed();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload)
    {
        pongs.add(ByteBuffer.allocate(payload.remaining()).put(payload).flip());
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason)
    {
        closed.complete(statusCode + " " + reason);
    }

    @Override
    public void onWebSocketError(Throwable cause)
    {
        closed.complete("error " + cause);
    }

    /** @return the next of {@code queue}, waiting for it */
    public static <T> T next(BlockingQueue<T> queue) throws InterruptedException
    {
        T next = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null)
            throw new AssertionError("nothing arrived within " + WAIT);
        return next;
    }

    @Override
    public void close() throws Exception
    {
        client.stop();
    }
}
