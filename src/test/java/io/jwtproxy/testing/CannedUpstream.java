package io.jwtproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiFunction;

/**
 * A fault-injecting upstream on a raw server socket: each connection's request head is recorded,
 * then a {@link Behaviour} does what a real server would not (garbage, silence, resets, short
 * bodies, malformed fields), or a {@link #conversation} answers request after request.
 */
public final class CannedUpstream implements AutoCloseable
{
    @FunctionalInterface
    public interface Behaviour
    {
        /** @param head the connection's first request head, already read and recorded */
        void serve(Socket socket, String head) throws IOException;
    }

    private final ServerSocket server;
    public final BlockingQueue<String> requestHeads = new LinkedBlockingQueue<>();

    /** Answers every request with these bytes, then closes the connection. */
    public CannedUpstream(String response) throws IOException
    {
        this((socket, head) -> socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1)));
    }

    public CannedUpstream(Behaviour behaviour) throws IOException
    {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() ->
        {
            while (!server.isClosed())
            {
                try
                {
                    Socket socket = server.accept();
                    Thread serve = new Thread(() ->
                    {
                        try (socket)
                        {
                            socket.setSoTimeout(30_000);
                            String head = readHead(socket.getInputStream());
                            requestHeads.add(head);
                            behaviour.serve(socket, head);
                            socket.getOutputStream().flush();
                        }
                        catch (IOException x)
                        {
                            // The proxy went away: nothing to serve.
                        }
                    }, "canned-upstream-connection");
                    serve.setDaemon(true);
                    serve.start();
                }
                catch (IOException x)
                {
                    // Closed by close().
                }
            }
        }, "canned-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * An upstream that keeps each connection open and answers its requests in turn, each with what
     * {@code answer} gives for its head and its number on the connection (0 for the first); a null
     * answer closes the connection without a word. A body framed by Content-Length is read after the answer.
     */
    public static CannedUpstream conversation(BiFunction<String, Integer, String> answer) throws IOException
    {
        CannedUpstream[] self = new CannedUpstream[1];
        self[0] = new CannedUpstream((socket, first) ->
        {
            InputStream in = socket.getInputStream();
            String head = first;
            for (int number = 0; ; number++)
            {
                String response = answer.apply(head, number);
                if (response == null)
                    return;
                socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                // Answered first, as an upstream refusing a body would; the body, if it comes, before the next head.
                in.readNBytes(contentLength(head));
                try
                {
                    head = readHead(in);
                }
                catch (java.io.EOFException x)
                {
                    return;
                }
                self[0].requestHeads.add(head);
            }
        });
        return self[0];
    }

    private static int contentLength(String head)
    {
        for (String line : head.split("\n"))
        {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
        }
        return 0;
    }

    /** @return the path of a recorded request head's request line */
    public static String path(String head)
    {
        return head.split(" ", 3)[1];
    }

    /** Reads nothing more and answers nothing, until the proxy closes the connection. */
    public static void staySilent(Socket socket, String head) throws IOException
    {
        while (socket.getInputStream().read() >= 0)
        {
            // Swallow whatever arrives.
        }
    }

    /** Closes with a TCP reset instead of a FIN. */
    public static void reset(Socket socket, String head) throws IOException
    {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    public String url()
    {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private static String readHead(InputStream in) throws IOException
    {
        StringBuilder head = new StringBuilder();
        for (String line = RawHttp.readLine(in); !line.isEmpty(); line = RawHttp.readLine(in))
            head.append(line).append('\n');
        return head.toString();
    }

    @Override
    public void close() throws IOException
    {
        server.close();
    }
}
