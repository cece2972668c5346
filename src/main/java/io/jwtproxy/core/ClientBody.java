package io.jwtproxy.core;

import org.eclipse.jetty.client.ContentSourceRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;

/**
 * The client's body as the HTTP client reads it: counted, its end noted, and its failure (a malformed chunk, a timeout)
 * recorded as the client's before the upstream request fails with it.
 */
final class ClientBody extends ContentSourceRequestContent
{
    private final Exchange exchange;
    private boolean anyByte;
    private Content.Chunk peeked;

    ClientBody(Request clientToProxyRequest, Exchange exchange)
    {
        super(clientToProxyRequest, clientToProxyRequest.getHeaders().get(HttpHeader.CONTENT_TYPE));
        this.exchange = exchange;
    }

    /** Runs {@code then} once the body's first piece, or its end, has arrived (and is kept for {@link #read}). */
    void whenKnown(Runnable then)
    {
        demand(() ->
        {
            Content.Chunk chunk = read();
            if (chunk == null)
            {
                whenKnown(then);
                return;
            }
            peeked = chunk;
            then.run();
        });
    }

    @Override
    public Content.Chunk read()
    {
        if (peeked != null)
        {
            Content.Chunk chunk = peeked;
            peeked = null;
            return chunk;
        }
        Content.Chunk chunk = super.read();
        if (chunk == null)
            return null;
        if (Content.Chunk.isFailure(chunk))
        {
            exchange.fail(Failure.ofClientRequest(chunk.getFailure()));
            return chunk;
        }
        int bytes = chunk.remaining();
        if (bytes > 0)
        {
            anyByte = true;
            exchange.addBytesIn(bytes);
        }
        if (chunk.isLast() && !anyByte)
            exchange.bodyEndedEmpty();
        return chunk;
    }
}
