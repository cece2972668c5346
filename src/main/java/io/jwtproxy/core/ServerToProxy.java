package io.jwtproxy.core;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.exchange.Failure;
import io.jwtproxy.exchange.ResponseHead;
import io.jwtproxy.exchange.ResponseTrailers;
import io.jwtproxy.exchange.Retries;
import io.jwtproxy.exchange.UnrelayableResponseException;
import io.jwtproxy.http.Headers;
import io.jwtproxy.pipeline.Forwarding;

/** The upstream's answer, relayed as it comes: its head field by field, its body chunk by chunk, its trailers. */
final class ServerToProxy implements org.eclipse.jetty.client.Response.Listener
{
    private static final Logger LOG = LoggerFactory.getLogger(ServerToProxy.class);

    private final CoreProxyHandler handler;
    private final Forwarding forwarding;
    private final Leg leg;
    private final String target;

    ServerToProxy(CoreProxyHandler handler, Leg leg, String target)
    {
        this.handler = handler;
        this.forwarding = handler.forwarding();
        this.leg = leg;
        this.target = target;
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response serverToProxyResponse)
    {
        int status = serverToProxyResponse.getStatus();
        leg.exchange().upstreamAnswered(status);
        HttpFields head = serverToProxyResponse.getHeaders();
        List<HttpField> relayed = ResponseHead.relayed(head, status, field -> forwarding.relayable(head, field));
        try
        {
            ResponseHead.checkSize(relayed, handler.maxResponseHeaderBytes());
        }
        catch (UnrelayableResponseException x)
        {
            serverToProxyResponse.abort(x);
            return;
        }
        leg.proxyToClientResponse().setStatus(status);
        HttpFields.Mutable fields = leg.proxyToClientResponse().getHeaders();
        Set<String> names = new HashSet<>();
        for (HttpField field : relayed)
        {
            // The first of a name replaces what the server set itself (its Date); the others follow in the upstream's order.
            if (names.add(field.getLowerCaseName()))
                fields.put(field);
            else
                fields.add(field);
        }
        if (ResponseTrailers.mayHaveTrailers(serverToProxyResponse, HttpMethod.HEAD.is(leg.clientToProxyRequest().getMethod())))
            leg.proxyToClientResponse().setTrailersSupplier(() -> trailers(serverToProxyResponse));
    }

    private HttpFields trailers(org.eclipse.jetty.client.Response serverToProxyResponse)
    {
        HttpFields trailers = serverToProxyResponse.getTrailers();
        if (trailers == null || trailers.size() == 0)
            return null;
        HttpFields.Mutable relayed = HttpFields.build();
        for (HttpField field : trailers)
        {
            if (!Headers.isHopByHop(field.getName()) && forwarding.relayable(serverToProxyResponse.getHeaders(), field))
                relayed.add(field);
        }
        return relayed;
    }

    @Override
    public void onContent(org.eclipse.jetty.client.Response serverToProxyResponse, Content.Chunk chunk, Runnable demander)
    {
        int bytes = chunk.remaining();
        if (bytes == 0)
        {
            demander.run();
            return;
        }
        chunk.retain();
        leg.proxyToClientResponse().write(false, chunk.getByteBuffer(), Callback.from(Invocable.InvocationType.NON_BLOCKING, () ->
        {
            chunk.release();
            leg.exchange().addBytesOut(bytes);
            demander.run();
        }, x ->
        {
            chunk.release();
            serverToProxyResponse.abort(x);
        }));
    }

    @Override
    public void onComplete(Result result)
    {
        // The upstream answered in full before it took the whole body (a 417 to Expect: 100-continue, a 413): that answer is
        // the client's as it was.
        if (result.isSucceeded() || (result.getResponseFailure() == null && result.getRequestFailure() != null && leg.exchange().failure() == null))
        {
            org.eclipse.jetty.client.Response serverToProxyResponse = result.getResponse();
            int status = serverToProxyResponse.getStatus();
            if (status == HttpStatus.NOT_MODIFIED_304 && !serverToProxyResponse.getHeaders().contains(HttpHeader.CONTENT_LENGTH)
                && !leg.proxyToClientResponse().isCommitted())
            {
                // Committed first: Jetty gives a response completed without Content-Length one of 0, and a 304's would claim that
                // the 200 it stands for has an empty body (RFC 9110 §8.6).
                leg.proxyToClientResponse().write(false, BufferUtil.EMPTY_BUFFER, Callback.from(Invocable.InvocationType.NON_BLOCKING,
                    () -> complete(status), x -> completeFailed(status, x)));
                return;
            }
            complete(status);
            return;
        }
        failed(result.getResponse(), result.getFailure());
    }

    private void complete(int status)
    {
        leg.proxyToClientResponse().write(true, BufferUtil.EMPTY_BUFFER, Callback.from(Invocable.InvocationType.NON_BLOCKING, () ->
        {
            leg.exchange().finish(status, false);
            leg.proxyToClientCallback().succeeded();
        }, x -> completeFailed(status, x)));
    }

    private void completeFailed(int status, Throwable x)
    {
        leg.exchange().fail(new Failure(HttpStatus.BAD_GATEWAY_502, "client went away: " + Failure.describe(x)));
        leg.exchange().finish(status, true);
        leg.proxyToClientCallback().failed(x);
    }

    private void failed(org.eclipse.jetty.client.Response serverToProxyResponse, Throwable failure)
    {
        if (Retries.retry(leg.exchange(), leg.hasBody(), leg.proxyToClientResponse().isCommitted(), serverToProxyResponse, failure))
        {
            retryOnNewConnection();
            return;
        }
        leg.failBeforeResponse(Failure.ofUpstream(failure));
    }

    /** Sends the request again, with a fresh token, on a connection of its own that is closed afterwards. */
    private void retryOnNewConnection()
    {
        org.eclipse.jetty.client.Request proxyToServerRequest;
        try
        {
            proxyToServerRequest = handler.newProxyToServerRequest(leg, target);
        }
        catch (Forwarding.MintingFailed x)
        {
            LOG.error("request not retried, token minting failed: {}", x.getCause().toString());
            leg.failBeforeResponse(Failure.MINTING_FAILED);
            return;
        }
        Retries.sendOnNewConnection(handler.destination(proxyToServerRequest), proxyToServerRequest, this, connectFailure -> failed(null, connectFailure));
    }
}
