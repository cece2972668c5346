package io.jwtproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A stream an upstream writes a piece at a time, with pauses between (Server-Sent Events, a body
 * written in pieces, a body that ends when the connection closes), and a client that notes when each
 * piece arrived: how late a proxy delivers what was sent.
 */
public final class EventStream
{
    /** How the stream is framed. */
    public enum Framing
    {
        CHUNKED, CONTENT_LENGTH, UNTIL_CLOSE
    }

    private final int events;
    private final long pauseMillis;
    private final Framing framing;
    /** When each event left the upstream, by its number. */
    private final Map<Integer, Long> sentNanos = new ConcurrentHashMap<>();

    public EventStream(int events, long pauseMillis, Framing framing)
    {
        this.events = events;
        this.pauseMillis = pauseMillis;
        this.framing = framing;
    }

    private static String event(int number)
    {
        // 30 bytes, the probe's size.
        return String.format("data: event %03d of the day\n\n", number);
    }

    /** @return an upstream that answers every request with this stream */
    public CannedUpstream upstream() throws IOException
    {
        return new CannedUpstream((socket, head) -> write(socket));
    }

    /** Writes the stream as a servlet upstream does: the container frames it (chunked), each event flushed. */
    public void write(HttpServletResponse response) throws IOException
    {
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        ServletOutputStream out = response.getOutputStream();
        out.flush();
        for (int number = 0; number < events; number++)
        {
            if (!pause())
                return;
            sentNanos.put(number, System.nanoTime());
            out.write(event(number).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    // The pause between two events is what is under test. @return false when interrupted
    private boolean pause()
    {
        try
        {
            Thread.sleep(pauseMillis);
            return true;
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void write(Socket socket) throws IOException
    {
        OutputStream out = socket.getOutputStream();
        String type = "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n";
        String framingField = switch (framing)
        {
            case CHUNKED -> "Transfer-Encoding: chunked\r\n";
            case CONTENT_LENGTH -> "Content-Length: " + events * event(0).length() + "\r\n";
            case UNTIL_CLOSE -> "Connection: close\r\n";
        };
        out.write(("HTTP/1.1 200 OK\r\n" + type + framingField + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        for (int number = 0; number < events; number++)
        {
            if (!pause())
                return;
            String data = event(number);
            String piece = framing == Framing.CHUNKED ? Integer.toHexString(data.length()) + "\r\n" + data + "\r\n" : data;
            sentNanos.put(number, System.nanoTime());
            out.write(piece.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        if (framing == Framing.CHUNKED)
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Reads the stream's response from {@code in} until every event has arrived.
     *
     * @return for each event, in milliseconds, how long after it was sent it arrived
     */
    public List<Double> delaysMillis(InputStream in) throws IOException
    {
        List<Double> delays = new ArrayList<>();
        StringBuilder received = new StringBuilder();
        byte[] buffer = new byte[4096];
        int next = 0;
        while (next < events)
        {
            int read = in.read(buffer);
            if (read < 0)
                throw new IOException("the stream ended after " + next + " of " + events + " events: " + received);
            long now = System.nanoTime();
            received.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
            while (next < events && received.indexOf(event(next)) >= 0)
            {
                delays.add((now - sentNanos.get(next)) / 1e6);
                next++;
            }
        }
        return delays;
    }
}
