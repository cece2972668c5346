package io.jwtproxy.websocket;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.IteratingCallback;

import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;

/**
 * A WebSocket after its handshake: the client's connection and the upstream's joined, bytes
 * copied both ways as they come and unchanged (frames, pings, close frames are all just bytes)
 * until both sides have closed. A half-close is passed on; a reset, or silence both ways for
 * WEBSOCKET_IDLE_TIMEOUT, ends both sides at once. The handshake's access line is written then,
 * with the bytes each way and how the WebSocket ended.
 *
 * <p>Non-blocking, one read and one write in flight per direction. A buffer is taken from the
 * HTTP client's pool for each piece and returned once it is written, so an idle WebSocket holds
 * none.</p>
 */
final class WebSocketTunnel
{
    /** The largest piece moved at once in either direction. */
    private static final int PIECE = 64 * 1024;

    private final AtomicBoolean ended = new AtomicBoolean();
    private final Exchange exchange;
    private final Duration idleTimeout;
    private final ByteBufferPool pool;
    private final Listener listener;
    private UpstreamSide upstream;
    private volatile Side client;
    private Side firstToClose;
    private boolean oneClosed;

    /** Told when a tunnel ends (its exchange's events say when a WebSocket opens and closes). */
    interface Listener
    {
        void ended(WebSocketTunnel tunnel);
    }

    WebSocketTunnel(Exchange exchange, Duration idleTimeout, ByteBufferPool pool, Listener listener)
    {
        this.exchange = exchange;
        this.idleTimeout = idleTimeout;
        this.pool = pool;
        this.listener = listener;
    }

    /** The upstream's side, taken over when its 101 arrived. */
    void upstream(UpstreamSide side)
    {
        upstream = side;
    }

    /** The client's side is open, its 101 written: bytes start to flow both ways. */
    void start(Side clientSide)
    {
        client = clientSide;
        if (ended.get())
        {
            // The upstream went away while the 101 was on its way to the client.
            clientSide.close(null);
            return;
        }
        exchange.webSocketOpened();
        upstream.started(idleTimeout);
        new Pump(clientSide, upstream).iterate();
        new Pump(upstream, clientSide).iterate();
    }

    /** A side failed: the WebSocket is over both ways. */
    void reset(Side side, Throwable failure)
    {
        end("reset by the " + side.name() + ": " + Failure.describe(failure), failure);
    }

    /** The server is stopping: the WebSocket is closed (it had its drain period if it was busy). */
    void serverStopping()
    {
        end("closed as the server stops", null);
    }

    /** Nothing crossed for WEBSOCKET_IDLE_TIMEOUT (or the client never got its 101, in the upstream timeout). */
    void idle(TimeoutException timeout)
    {
        end(client == null ? "never opened: the client's connection did not switch" : "idle for " + idleTimeout.toSeconds() + " s both ways",
            timeout);
    }

    /** Closes the upstream's side before the tunnel started: the client's connection could not switch, and gets an error instead. */
    void abandon(Throwable failure)
    {
        if (ended.getAndSet(true))
            return;
        listener.ended(this);
        if (upstream != null)
            upstream.close(failure);
    }

    /**
     * {@code source} sent its end of stream: it goes on to {@code sink}, and the tunnel ends once
     * both sides have sent theirs. Recorded first, so the access line names the side that ended first.
     */
    private void endOfStream(Side source, Side sink)
    {
        boolean both;
        synchronized (this)
        {
            both = oneClosed;
            oneClosed = true;
            if (firstToClose == null)
                firstToClose = source;
        }
        // The second end of stream ends the tunnel, which closes both connections: the sink's has nothing in flight.
        if (both)
            end("closed by the " + firstToClose.name() + " first", null);
        else
            sink.shutdownOutput();
    }

    /** Once: both connections closed, the access line written. */
    private void end(String how, Throwable failure)
    {
        if (ended.getAndSet(true))
            return;
        Side clientSide = client;
        if (clientSide != null)
            exchange.webSocketClosed();
        exchange.note("websocket " + how);
        exchange.finish(101, false);
        listener.ended(this);
        if (clientSide != null)
            clientSide.close(failure);
        if (upstream != null)
            upstream.close(failure);
    }

    /** One direction: reads a piece from {@code source}, writes it to {@code sink}, and again, until an end of stream. */
    private final class Pump extends IteratingCallback
    {
        private final Side source;
        private final Side sink;
        private final boolean towardsUpstream;
        private RetainableByteBuffer piece;
        /** The side the operation in flight is on, which a failure is blamed on. */
        private Side busy;

        private Pump(Side source, Side sink)
        {
            this.source = source;
            this.sink = sink;
            towardsUpstream = sink == upstream;
        }

        @Override
        protected Action process() throws Exception
        {
            release();
            if (ended.get())
                return Action.SUCCEEDED;
            busy = source;
            piece = pool.acquire(PIECE, false);
            ByteBuffer buffer = piece.getByteBuffer();
            int read = source.read(buffer);
            if (read == 0)
            {
                release();
                source.demand(this::iterate);
                return Action.IDLE;
            }
            if (read < 0)
            {
                release();
                endOfStream(source, sink);
                return Action.SUCCEEDED;
            }
            if (towardsUpstream)
                exchange.addBytesIn(read);
            else
                exchange.addBytesOut(read);
            busy = sink;
            sink.write(buffer, this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause)
        {
            release();
            WebSocketTunnel.this.reset(busy, cause);
        }

        private void release()
        {
            if (piece != null)
            {
                piece.release();
                piece = null;
            }
        }
    }
}
