package io.jwtproxy.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.eclipse.jetty.util.Callback;

/**
 * One side of a WebSocket tunnel, the client's or the upstream's: a connection the tunnel reads
 * from and writes to without blocking, one read and one write in flight at a time.
 */
interface Side
{
    /** @return "client" or "upstream", for the access line */
    String name();

    /**
     * Appends what is at hand to {@code buffer} (in flush mode, as Jetty's {@code EndPoint.fill}).
     *
     * @return the bytes read; 0 when none are at hand ({@link #demand} then); -1 once the peer half-closed
     */
    int read(ByteBuffer buffer) throws IOException;

    /** Runs {@code readable} once, when {@link #read} has something to return, after it returned 0. */
    void demand(Runnable readable);

    /** Writes all of {@code buffer} and pushes it out at once; completes {@code written} then. */
    void write(ByteBuffer buffer, Callback written);

    /** Sends the peer an end of stream: nothing more will be written. */
    void shutdownOutput();

    /** Closes the connection both ways; {@code cause} is null for an orderly end. */
    void close(Throwable cause);
}
