package io.jwtproxy.websocket;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.util.Callback;

/**
 * The client's side of a WebSocket in Jetty: the client connection's {@code EndPoint}, taken over
 * from Jetty's HTTP/1.1 connection once the 101 is written.
 *
 * <p>Not {@link HttpServletRequest#upgrade}: Jetty 12.1's ee10 implementation ends the upgraded
 * input at once for a request without a body, which every handshake is (the client's frames never
 * arrive). Jetty's own way to take a connection over after a response, the one its
 * {@code ConnectHandler} uses for CONNECT, is the request attribute
 * {@code HttpStream.UPGRADE_CONNECTION_ATTRIBUTE} holding the {@code Connection} to switch to.</p>
 *
 * <p>Through reflection, because in jetty-home the server's Jetty classes are not the webapp's
 * (which come from WEB-INF/lib): the connection handed to the server implements the server's
 * {@code Connection} interface as a {@link Proxy}, and the endpoint is driven through the
 * server's {@code EndPoint} interface. In the executable jar both are the same classes.</p>
 */
final class JettySide implements Side
{
    private static final String UPGRADE_CONNECTION = "org.eclipse.jetty.server.HttpStream.upgradeConnection";

    private final WebSocketTunnel tunnel;
    private final Object endPoint;
    private final Method fill;
    private final Method fillInterested;
    private final Method write;
    private final Method shutdownOutput;
    private final Method close;
    private final Method setIdleTimeout;
    private final Object connection;
    private final Object onFillable;
    private final Object onWritten;
    private final long created = System.currentTimeMillis();
    /** What the client sent right after its handshake, read along with it. */
    private final EarlyBytes early = new EarlyBytes();
    private volatile Runnable demand;
    private volatile Callback written;

    /**
     * Has Jetty hand the client's connection to {@code tunnel} once the 101 is written.
     *
     * @return false when the container is not Jetty 12
     */
    static boolean upgrade(HttpServletRequest clientRequest, WebSocketTunnel tunnel) throws ReflectiveOperationException
    {
        // Jetty's own request, under any filter's wrapper.
        ServletRequest jettyRequest = clientRequest;
        while (jettyRequest instanceof ServletRequestWrapper wrapper)
            jettyRequest = wrapper.getRequest();
        Method getRequest;
        try
        {
            getRequest = jettyRequest.getClass().getMethod("getRequest");
        }
        catch (NoSuchMethodException x)
        {
            return false;
        }
        if (!getRequest.getReturnType().getName().equals("org.eclipse.jetty.server.Request"))
            return false;
        clientRequest.setAttribute(UPGRADE_CONNECTION, connection(getRequest.invoke(jettyRequest), getRequest.getReturnType(), tunnel));
        return true;
    }

    /**
     * Has Jetty hand the client's connection to {@code tunnel} once the 101 is written, for the jar's core engine.
     *
     * @param coreRequest Jetty's core {@code Request} of the handshake
     */
    static void upgradeCore(Object coreRequest, WebSocketTunnel tunnel) throws ReflectiveOperationException
    {
        Class<?> coreRequestType = coreRequest.getClass().getClassLoader().loadClass("org.eclipse.jetty.server.Request");
        Object connection = connection(coreRequest, coreRequestType, tunnel);
        coreRequestType.getMethod("setAttribute", String.class, Object.class).invoke(coreRequest, UPGRADE_CONNECTION, connection);
    }

    /** @return the connection, of the server's classes, that takes over the endpoint of {@code coreRequest}'s connection */
    private static Object connection(Object coreRequest, Class<?> coreRequestType, WebSocketTunnel tunnel) throws ReflectiveOperationException
    {
        ClassLoader server = coreRequestType.getClassLoader();
        Object connectionMetaData = coreRequestType.getMethod("getConnectionMetaData").invoke(coreRequest);
        Object httpConnection = server.loadClass("org.eclipse.jetty.server.ConnectionMetaData").getMethod("getConnection").invoke(connectionMetaData);
        Class<?> connectionType = server.loadClass("org.eclipse.jetty.io.Connection");
        Object endPoint = connectionType.getMethod("getEndPoint").invoke(httpConnection);
        return new JettySide(tunnel, server, connectionType, endPoint).connection;
    }

    /** Undoes {@link #upgrade} while the response is still the handshake's: Jetty switches after any response that has it. */
    static void cancel(HttpServletRequest clientRequest)
    {
        clientRequest.removeAttribute(UPGRADE_CONNECTION);
    }

    private JettySide(WebSocketTunnel tunnel, ClassLoader server, Class<?> connectionType, Object endPoint) throws ReflectiveOperationException
    {
        this.tunnel = tunnel;
        this.endPoint = endPoint;
        Class<?> endPointType = server.loadClass("org.eclipse.jetty.io.EndPoint");
        Class<?> callbackType = server.loadClass("org.eclipse.jetty.util.Callback");
        fill = endPointType.getMethod("fill", ByteBuffer.class);
        fillInterested = endPointType.getMethod("fillInterested", callbackType);
        write = endPointType.getMethod("write", callbackType, ByteBuffer[].class);
        shutdownOutput = endPointType.getMethod("shutdownOutput");
        close = endPointType.getMethod("close", Throwable.class);
        setIdleTimeout = endPointType.getMethod("setIdleTimeout", long.class);
        connection = Proxy.newProxyInstance(server, new Class<?>[]{connectionType, server.loadClass("org.eclipse.jetty.io.Connection$UpgradeTo")},
            this::onConnection);
        // Nothing the tunnel does blocks: Jetty may run it on the selector's thread, without a hand-off to another.
        Object nonBlocking = nonBlocking(server);
        onFillable = callback(server, callbackType, nonBlocking, () -> demand.run(), failure -> tunnel.reset(this, failure));
        onWritten = callback(server, callbackType, nonBlocking, () -> written.succeeded(), failure -> written.failed(failure));
    }

    /** The server's calls on the connection that replaces its HTTP/1.1 one. */
    private Object onConnection(Object proxy, Method method, Object[] args) throws Throwable
    {
        switch (method.getName())
        {
            case "onOpen":
                // The tunnel's idle timeout, on the upstream's side, ends a silent WebSocket; the connector's must not.
                invoke(setIdleTimeout, 0L);
                tunnel.start(this);
                return null;
            case "onUpgradeTo":
                early.keep((ByteBuffer)args[0]);
                return null;
            case "onClose":
                // Without a cause it is the tunnel's own doing, or Jetty's once both halves have ended.
                if (args[0] != null)
                    tunnel.reset(this, (Throwable)args[0]);
                return null;
            case "close":
                close(null);
                return null;
            case "onIdleExpired":
                // The timeout is off (onOpen) until the server stops: then the connector gives every connection a short one,
                // and a WebSocket silent that long is closed (a busy one has until the server's stop timeout).
                tunnel.serverStopping();
                return true;
            case "getEndPoint":
                return endPoint;
            case "getCreatedTimeStamp":
                return created;
            case "getMessagesIn":
            case "getMessagesOut":
            case "getBytesIn":
            case "getBytesOut":
                return -1L;
            case "addEventListener":
            case "removeEventListener":
                // Nothing listens to this connection.
                return null;
            default:
                return objectMethod(proxy, method, args, "jwt-proxy WebSocket, client side, on " + endPoint);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object nonBlocking(ClassLoader server) throws ClassNotFoundException
    {
        return Enum.valueOf((Class<? extends Enum>)server.loadClass("org.eclipse.jetty.util.thread.Invocable$InvocationType"), "NON_BLOCKING");
    }

    /** A server {@code Callback} of the given invocation type that runs {@code succeeded} or {@code failed}. */
    private static Object callback(ClassLoader server, Class<?> callbackType, Object invocationType, Runnable succeeded,
                                   Consumer<Throwable> failed)
    {
        return Proxy.newProxyInstance(server, new Class<?>[]{callbackType}, (proxy, method, args) ->
        {
            switch (method.getName())
            {
                case "succeeded":
                    succeeded.run();
                    return null;
                case "failed":
                    failed.accept((Throwable)args[0]);
                    return null;
                case "getInvocationType":
                    return invocationType;
                default:
                    return objectMethod(proxy, method, args, "jwt-proxy WebSocket callback");
            }
        });
    }

    /** Object's methods, and any the interface gives a default for (such as the invocation type). */
    private static Object objectMethod(Object proxy, Method method, Object[] args, String description) throws Throwable
    {
        switch (method.getName())
        {
            case "toString":
                return description;
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                if (method.isDefault())
                    return InvocationHandler.invokeDefault(proxy, method, args);
                throw new UnsupportedOperationException(method + " on " + description);
        }
    }

    @Override
    public String name()
    {
        return "client";
    }

    @Override
    public int read(ByteBuffer buffer) throws IOException
    {
        int moved = early.moveTo(buffer);
        return moved > 0 ? moved : (Integer)invokeIo(fill, buffer);
    }

    @Override
    public void demand(Runnable readable)
    {
        demand = readable;
        try
        {
            invokeIo(fillInterested, onFillable);
        }
        catch (IOException x)
        {
            tunnel.reset(this, x);
        }
    }

    @Override
    public void write(ByteBuffer buffer, Callback written)
    {
        this.written = written;
        try
        {
            invokeIo(write, onWritten, new ByteBuffer[]{buffer});
        }
        catch (IOException x)
        {
            written.failed(x);
        }
    }

    @Override
    public void shutdownOutput()
    {
        invoke(shutdownOutput);
    }

    @Override
    public void close(Throwable cause)
    {
        invoke(close, cause);
    }

    /** Calls an endpoint method that does no I/O of its own. */
    private void invoke(Method method, Object... args)
    {
        try
        {
            invokeIo(method, args);
        }
        catch (IOException x)
        {
            throw new IllegalStateException(x);
        }
    }

    /** Calls an endpoint method; what it throws comes out as itself, not wrapped. */
    private Object invokeIo(Method method, Object... args) throws IOException
    {
        try
        {
            return method.invoke(endPoint, args);
        }
        catch (InvocationTargetException x)
        {
            Throwable cause = x.getCause();
            if (cause instanceof IOException io)
                throw io;
            if (cause instanceof RuntimeException runtime)
                throw runtime;
            if (cause instanceof Error error)
                throw error;
            throw new IOException(cause);
        }
        catch (IllegalAccessException x)
        {
            throw new IllegalStateException(x);
        }
    }
}
