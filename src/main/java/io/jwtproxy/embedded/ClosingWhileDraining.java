package io.jwtproxy.embedded;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import io.jwtproxy.runtime.ProxyRuntime;

/**
 * From the start of a drain, each HTTP/1.1 response says {@code Connection: close} (RFC 9112 §9.6),
 * and Jetty closes the connection after it: a balancer's pooled connections end one by one while the
 * replica still serves, instead of being cut when the listener closes. A WebSocket handshake keeps its
 * {@code Connection: Upgrade}; HTTP/2 connections get their GOAWAY when the listeners close.
 */
final class ClosingWhileDraining extends Handler.Wrapper
{
    private final ProxyRuntime runtime;

    ClosingWhileDraining(ProxyRuntime runtime, Handler handler)
    {
        super(handler);
        this.runtime = runtime;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception
    {
        if (runtime.draining() && request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1
            && !request.getHeaders().contains(HttpHeader.UPGRADE))
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        return super.handle(request, response, callback);
    }
}
