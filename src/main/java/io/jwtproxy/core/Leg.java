package io.jwtproxy.core;

import java.nio.ByteBuffer;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.pipeline.FrontDoor;

/** One request's trip: the client's side of it, its exchange and its caller. */
record Leg(ClientRequest request, Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback,
           Exchange exchange, FrontDoor.Authenticated authenticated)
{
    boolean http2()
    {
        return clientToProxyRequest.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2;
    }

    /** HTTP/2 frames a body itself: a request without Content-Length may still have one. */
    boolean hasBody()
    {
        long length = clientToProxyRequest.getLength();
        return length > 0 || (length < 0 && (http2() || clientToProxyRequest.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)));
    }

    /**
     * Nothing of the upstream's answer reaches the client but the failure's status; once the response has begun, the
     * client's connection is cut instead (no final chunk, short of any Content-Length), so that a truncated body never
     * looks complete.
     */
    void failBeforeResponse(Failure failure)
    {
        exchange.fail(failure);
        if (proxyToClientResponse.isCommitted())
        {
            exchange.finish(proxyToClientResponse.getStatus(), true);
            proxyToClientCallback.failed(new IllegalStateException(exchange.failure().reason()));
            return;
        }
        int status = exchange.failure().status();
        proxyToClientResponse.reset();
        proxyToClientResponse.setStatus(status);
        if (!http2())
            proxyToClientResponse.getHeaders().put(HttpHeader.CONNECTION, "close");
        proxyToClientResponse.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        proxyToClientResponse.write(true, BufferUtil.EMPTY_BUFFER, Callback.from(Invocable.InvocationType.NON_BLOCKING, () ->
        {
            exchange.finish(status, false);
            proxyToClientCallback.succeeded();
        }, x ->
        {
            exchange.finish(status, true);
            proxyToClientCallback.failed(x);
        }));
    }

    /** Writes an answer the proxy decided on itself, then ends its exchange (none for an operators' endpoint). */
    static void answer(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback, Answer answer,
                       Exchange exchange)
    {
        proxyToClientResponse.setStatus(answer.status());
        HttpFields.Mutable fields = proxyToClientResponse.getHeaders();
        for (HttpField field : answer.fields())
            fields.add(field);
        // RFC 9110 §8.6: a 304's Content-Length would be the representation's; a 204 has none.
        if (answer.status() != HttpStatus.NOT_MODIFIED_304 && answer.status() != HttpStatus.NO_CONTENT_204)
            fields.put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        boolean bodiless = answer.body().length == 0 || HttpMethod.HEAD.is(clientToProxyRequest.getMethod());
        proxyToClientResponse.write(true, bodiless ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(answer.body()), exchange == null ? proxyToClientCallback
            : Callback.from(Invocable.InvocationType.NON_BLOCKING, () ->
            {
                exchange.finish(answer.status(), false);
                proxyToClientCallback.succeeded();
            }, x ->
            {
                exchange.finish(answer.status(), true);
                proxyToClientCallback.failed(x);
            }));
    }
}
