package io.jwtproxy.websocket;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SocketChannel;

import jakarta.servlet.ServletOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket under a connection Tomcat upgraded, for the two things its {@code WebConnection}
 * cannot do: half-close (the Servlet API has no such call; closing the output only flushes it), and
 * close from a thread that is not the container's (Tomcat closes an upgraded connection only when it
 * next dispatches an event for it, and a silent client causes none).
 *
 * <p>Reached through the upgraded output's {@code socketWrapper}, Tomcat's
 * {@code SocketWrapperBase}, whose {@code close()} Tomcat's own WebSocket implementation calls
 * from application threads; the half-close goes to the NIO or NIO.2 channel under it. Elsewhere,
 * or if Tomcat changes these internals, the connection is closed instead of half-closed, through
 * the Servlet API, and one warning says so.</p>
 */
final class TomcatSocket
{
    private static final Logger LOG = LoggerFactory.getLogger(TomcatSocket.class);
    private static volatile boolean warned;

    private final ServletOutputStream output;
    /** Tomcat's {@code SocketWrapperBase}, or null when out of reach. */
    private final Object wrapper;

    private TomcatSocket(ServletOutputStream output, Object wrapper)
    {
        this.output = output;
        this.wrapper = wrapper;
    }

    static TomcatSocket of(ServletOutputStream upgradedOutput)
    {
        try
        {
            Field field = upgradedOutput.getClass().getDeclaredField("socketWrapper");
            field.setAccessible(true);
            return new TomcatSocket(upgradedOutput, field.get(upgradedOutput));
        }
        catch (ReflectiveOperationException | RuntimeException x)
        {
            warnOnce(x);
            return new TomcatSocket(upgradedOutput, null);
        }
    }

    /** Sends the client an end of stream; without Tomcat's socket, closes the connection. */
    void shutdownOutput() throws IOException
    {
        Object channel = wrapper == null ? null : call(call(wrapper, "getSocket"), "getIOChannel");
        if (channel instanceof SocketChannel nio)
            nio.shutdownOutput();
        else if (channel instanceof AsynchronousSocketChannel nio2)
            nio2.shutdownOutput();
        else
            output.close();
    }

    void close()
    {
        if (wrapper != null)
            call(wrapper, "close");
    }

    /** Calls a public no-argument method of Tomcat's; null if it is out of reach. */
    private static Object call(Object target, String name)
    {
        if (target == null)
            return null;
        try
        {
            Method method = target.getClass().getMethod(name);
            method.setAccessible(true);
            return method.invoke(target);
        }
        catch (ReflectiveOperationException | RuntimeException x)
        {
            warnOnce(x);
            return null;
        }
    }

    private static void warnOnce(Exception x)
    {
        if (warned)
            return;
        warned = true;
        LOG.warn("this container's upgraded connections cannot be half-closed: a WebSocket upstream's end of stream waits for the client's"
            + " ({})", x.toString());
    }
}
