package io.jwtproxy.exchange;

import java.io.IOException;
import java.nio.ByteBuffer;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * Forwards the client's body as it arrives, one read at a time, each read waiting until the HTTP
 * client has taken the last. Jetty's own reader allocates a full request buffer per request (64 KiB
 * here, for large bodies); this one is no larger than a known Content-Length, so a small POST costs
 * a small array.
 */
public final class BodyReader extends IteratingCallback implements ReadListener
{
    private final HttpServletRequest clientRequest;
    private final AsyncRequestContent content;
    private final Exchange exchange;
    private final byte[] buffer;
    private boolean anyByte;

    /** @param bufferSize the largest read, the HTTP client's request buffer */
    public BodyReader(HttpServletRequest clientRequest, AsyncRequestContent content, int bufferSize)
    {
        this.clientRequest = clientRequest;
        this.content = content;
        this.exchange = Exchange.of(clientRequest);
        long length = clientRequest.getContentLengthLong();
        this.buffer = new byte[length >= 0 && length < bufferSize ? (int)Math.max(1, length) : bufferSize];
    }

    @Override
    public void onDataAvailable()
    {
        iterate();
    }

    @Override
    public void onAllDataRead()
    {
        if (!anyByte)
            exchange.bodyEndedEmpty();
        content.close();
    }

    @Override
    public void onError(Throwable failure)
    {
        content.fail(failure);
    }

    @Override
    protected Action process() throws IOException
    {
        ServletInputStream input = clientRequest.getInputStream();
        while (input.isReady())
        {
            int read = input.read(buffer);
            if (read < 0)
                return Action.SUCCEEDED;
            if (read > 0)
            {
                anyByte = true;
                exchange.addBytesIn(read);
                content.write(ByteBuffer.wrap(buffer, 0, read), this);
                return Action.SCHEDULED;
            }
        }
        return Action.IDLE;
    }

    @Override
    protected void onFailure(Throwable failure)
    {
        onError(failure);
    }

    @Override
    public InvocationType getInvocationType()
    {
        return InvocationType.NON_BLOCKING;
    }
}
