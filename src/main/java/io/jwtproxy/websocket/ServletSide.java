package io.jwtproxy.websocket;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * The client's side of a WebSocket through the Servlet API's portable upgrade,
 * {@link HttpServletRequest#upgrade}: non-blocking servlet input and output on the
 * {@link WebConnection} the container hands over once its 101 is written. What Tomcat uses.
 *
 * <p>Tomcat turns the read and write timeouts of an upgraded connection off; the tunnel's own
 * idle timeout ends a silent WebSocket. What the Servlet API cannot do, half-close the connection
 * and close it from a thread of the tunnel's, is done on Tomcat's socket ({@link TomcatSocket}).</p>
 */
public final class ServletSide implements HttpUpgradeHandler, Side, ReadListener
{
    /** What {@link #demand} holds when the container said "readable" before anyone asked. */
    private static final Runnable READABLE = () -> {};

    private final AtomicReference<Runnable> demand = new AtomicReference<>();
    private final Output output = new Output();
    private WebSocketTunnel tunnel;
    private WebConnection connection;
    private ServletInputStream fromClient;
    private ServletOutputStream toClient;
    private TomcatSocket socket;
    /** The client half-closed: Tomcat says so with an EOFException rather than an end of input. */
    private volatile boolean endOfInput;

    /** Called by the container, which creates the handler for {@code HttpServletRequest.upgrade}. */
    public ServletSide()
    {
    }

    /** Upgrades the client's connection once {@code service} returns, then starts {@code tunnel}. */
    static void upgrade(HttpServletRequest clientRequest, WebSocketTunnel tunnel) throws IOException, ServletException
    {
        clientRequest.upgrade(ServletSide.class).tunnel = tunnel;
    }

    @Override
    public void init(WebConnection webConnection)
    {
        connection = webConnection;
        try
        {
            fromClient = webConnection.getInputStream();
            toClient = webConnection.getOutputStream();
        }
        catch (IOException x)
        {
            tunnel.reset(this, x);
            return;
        }
        socket = TomcatSocket.of(toClient);
        // Listeners first: the servlet streams refuse isReady() without them.
        fromClient.setReadListener(this);
        toClient.setWriteListener(output);
        tunnel.start(this);
    }

    @Override
    public void destroy()
    {
        // The container is done with the connection: the tunnel closed it, or the container is stopping.
        tunnel.serverStopping();
    }

    @Override
    public String name()
    {
        return "client";
    }

    @Override
    public int read(ByteBuffer buffer) throws IOException
    {
        try
        {
            if (endOfInput)
                return -1;
            // Each read follows an isReady() that said true; a false one has the container call onDataAvailable.
            if (!fromClient.isReady())
                return 0;
            if (fromClient.isFinished())
                return -1;
            int read = fromClient.read(buffer.array(), buffer.arrayOffset() + buffer.limit(), buffer.capacity() - buffer.limit());
            if (read > 0)
                buffer.limit(buffer.limit() + read);
            return read;
        }
        catch (EOFException x)
        {
            endOfInput = true;
            return -1;
        }
    }

    @Override
    public void demand(Runnable readable)
    {
        if (demand.getAndUpdate(held -> held == READABLE ? null : readable) == READABLE)
            readable.run();
    }

    @Override
    public void onDataAvailable()
    {
        Runnable readable = demand.getAndUpdate(held -> held == null ? READABLE : null);
        if (readable != null)
            readable.run();
    }

    @Override
    public void onAllDataRead()
    {
        onDataAvailable();
    }

    /** A failure reading from the client. */
    @Override
    public void onError(Throwable failure)
    {
        if (failure instanceof EOFException)
        {
            endOfInput = true;
            onDataAvailable();
            return;
        }
        tunnel.reset(this, failure);
    }

    @Override
    public void write(ByteBuffer buffer, Callback written)
    {
        output.write(buffer, written);
    }

    /** Called once every piece written has been flushed: the tunnel writes the next only then. */
    @Override
    public void shutdownOutput()
    {
        try
        {
            socket.shutdownOutput();
        }
        catch (IOException x)
        {
            tunnel.reset(this, x);
        }
    }

    @Override
    public void close(Throwable cause)
    {
        try
        {
            connection.close();
        }
        catch (Exception x)
        {
            // Closed already.
        }
        // Tomcat acts on WebConnection.close() at the connection's next event only, which may never come.
        socket.close();
    }

    /**
     * Writes a piece, then flushes it (containers hold small writes back, and a WebSocket frame
     * must not wait for more), each step after an isReady() that said true; the piece is written
     * once the flush is done. The iterations are serialised: the container's onWritePossible and
     * the tunnel's next write never overlap.
     */
    private final class Output extends IteratingCallback implements WriteListener
    {
        private ByteBuffer pending;
        private Callback written;
        private boolean wrote;
        private boolean flushed;

        void write(ByteBuffer buffer, Callback callback)
        {
            written = callback;
            pending = buffer;
            iterate();
        }

        @Override
        protected Action process() throws IOException
        {
            if (pending == null || !toClient.isReady())
                return Action.IDLE;
            if (!wrote)
            {
                toClient.write(pending.array(), pending.arrayOffset() + pending.position(), pending.remaining());
                wrote = true;
                if (!toClient.isReady())
                    return Action.IDLE;
            }
            if (!flushed)
            {
                toClient.flush();
                flushed = true;
                if (!toClient.isReady())
                    return Action.IDLE;
            }
            Callback callback = written;
            pending = null;
            written = null;
            wrote = false;
            flushed = false;
            // The tunnel's next write may come from here: it iterates again once this returns.
            callback.succeeded();
            return Action.IDLE;
        }

        @Override
        public void onWritePossible()
        {
            iterate();
        }

        @Override
        public void onError(Throwable failure)
        {
            tunnel.reset(ServletSide.this, failure);
        }

        @Override
        protected void onCompleteFailure(Throwable cause)
        {
            Callback callback = written;
            pending = null;
            written = null;
            if (callback != null)
                callback.failed(cause);
        }
    }
}
