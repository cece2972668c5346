package io.jwtproxy.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * The upstream's side of a WebSocket: the HTTP client's connection to it, taken over when its 101
 * arrives. Its idle timeout is the tunnel's: every byte either way crosses this connection, so
 * silence here is silence both ways. Nothing the tunnel does blocks, so Jetty may run it on the
 * selector's thread ({@link AbstractConnection.NonBlocking}), without a hand-off to another.
 */
final class UpstreamSide extends AbstractConnection.NonBlocking implements Side, Connection.UpgradeTo
{
    private final WebSocketTunnel tunnel;
    /** What the upstream sent right after its 101, read along with it. */
    private final EarlyBytes early = new EarlyBytes();
    private volatile Runnable demand;

    /**
     * Takes over {@code endPoint} at once, with the upstream idle timeout until the tunnel starts:
     * a client that never gets its 101 does not hold the upstream's connection open.
     */
    static UpstreamSide takeOver(EndPoint endPoint, Executor executor, WebSocketTunnel tunnel, Duration beforeStart)
    {
        UpstreamSide side = new UpstreamSide(endPoint, executor, tunnel);
        endPoint.setIdleTimeout(beforeStart.toMillis());
        endPoint.upgrade(side);
        return side;
    }

    private UpstreamSide(EndPoint endPoint, Executor executor, WebSocketTunnel tunnel)
    {
        super(endPoint, executor);
        this.tunnel = tunnel;
    }

    /** From now on the endpoint's idle timeout is the WebSocket's. */
    void started(Duration idleTimeout)
    {
        getEndPoint().setIdleTimeout(idleTimeout.toMillis());
    }

    @Override
    public String name()
    {
        return "upstream";
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer)
    {
        early.keep(buffer);
    }

    @Override
    public int read(ByteBuffer buffer) throws IOException
    {
        int moved = early.moveTo(buffer);
        return moved > 0 ? moved : getEndPoint().fill(buffer);
    }

    @Override
    public void demand(Runnable readable)
    {
        demand = readable;
        fillInterested();
    }

    @Override
    public void onFillable()
    {
        Runnable readable = demand;
        demand = null;
        readable.run();
    }

    @Override
    public void onFillInterestedFailed(Throwable cause)
    {
        tunnel.reset(this, cause);
    }

    @Override
    public void write(ByteBuffer buffer, Callback written)
    {
        getEndPoint().write(written, buffer);
    }

    @Override
    public void shutdownOutput()
    {
        getEndPoint().shutdownOutput();
    }

    @Override
    public void close(Throwable cause)
    {
        getEndPoint().close(cause);
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout)
    {
        tunnel.idle(timeout);
        return true;
    }

    @Override
    public void onClose(Throwable cause)
    {
        super.onClose(cause);
        if (cause != null)
            tunnel.reset(this, cause);
    }
}
