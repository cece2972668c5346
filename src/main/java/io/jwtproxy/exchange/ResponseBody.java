package io.jwtproxy.exchange;

import java.io.IOException;
import java.nio.ByteBuffer;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.io.Content;

/**
 * The upstream's body on its way to the client, as it comes. Each chunk is written as soon as the
 * HTTP client has it, and the client's output is flushed whenever no more is at hand, so that a
 * stream (Server-Sent Events, an LLM's tokens, progress lines, long-poll chunks) reaches the client
 * when it is sent; a bulk body, whose chunks are at hand one after another, is written as before.
 * Servlet containers hold small writes back in their response buffer until it fills: that is what
 * the flush undoes.
 *
 * <p>Non-blocking servlet output, one write or flush at a time, and the next chunk read only once
 * the last has been written: the heap holds one chunk's copy per exchange, reused.</p>
 */
public final class ResponseBody implements WriteListener
{
    private final HttpServletResponse proxyResponse;
    private final Exchange exchange;
    /** Announces the trailers to the container, once, before the response commits; null once done. */
    private Runnable trailers;
    private Response serverResponse;
    private Content.Source source;
    private byte[] copy;
    private boolean unflushed;

    /**
     * @param trailers announces the upstream's trailers to the container ({@link ResponseTrailers#relay}),
     *        run before the body's first byte is written; an empty body's end is {@link ResponseTrailers#end}'s
     */
    public ResponseBody(HttpServletResponse proxyResponse, Exchange exchange, Runnable trailers)
    {
        this.proxyResponse = proxyResponse;
        this.exchange = exchange;
        this.trailers = trailers;
    }

    /** Relays the body of {@code serverResponse} from {@code source} (the HTTP client's content source). */
    public void relay(Response serverResponse, Content.Source source)
    {
        this.serverResponse = serverResponse;
        this.source = source;
        try
        {
            // The container calls onWritePossible as soon as the output can take a write.
            proxyResponse.getOutputStream().setWriteListener(this);
        }
        catch (IOException | RuntimeException x)
        {
            onError(x);
        }
    }

    @Override
    public void onWritePossible() throws IOException
    {
        pump();
    }

    /**
     * Writes what the source has at hand for as long as the output takes it; returns when the
     * output is busy (the container calls {@link #onWritePossible} when it is done) or when the
     * source has nothing (after a flush, with a demand that calls back here when it has).
     * Entered from one of those two callbacks at a time, never both.
     */
    private void pump() throws IOException
    {
        ServletOutputStream output = proxyResponse.getOutputStream();
        // Non-blocking servlet output: every write or flush must follow an isReady() that said true.
        while (output.isReady())
        {
            Content.Chunk chunk = source.read();
            if (chunk == null)
            {
                if (!unflushed)
                {
                    source.demand(this::resume);
                    return;
                }
                // Nothing more at hand: what was written goes out now, not when the container's buffer fills.
                unflushed = false;
                output.flush();
                continue;
            }
            if (Content.Chunk.isFailure(chunk))
            {
                serverResponse.abort(chunk.getFailure());
                if (!chunk.isLast())
                    source.fail(chunk.getFailure());
                return;
            }
            ByteBuffer content = chunk.getByteBuffer();
            int length = content.remaining();
            if (length > 0)
            {
                if (copy == null || copy.length < length)
                    copy = new byte[length];
                content.get(copy, 0, length);
            }
            boolean last = chunk.isLast();
            chunk.release();
            if (length > 0)
            {
                announceTrailers();
                exchange.addBytesOut(length);
                output.write(copy, 0, length);
                unflushed = true;
            }
            else if (last)
            {
                // The end: completing the response flushes what is left.
                return;
            }
        }
    }

    private void announceTrailers()
    {
        if (trailers != null)
        {
            trailers.run();
            trailers = null;
        }
    }

    private void resume()
    {
        try
        {
            pump();
        }
        catch (IOException | RuntimeException x)
        {
            onError(x);
        }
    }

    @Override
    public void onError(Throwable failure)
    {
        // The client went away: the upstream exchange ends too.
        serverResponse.abort(failure);
    }
}
