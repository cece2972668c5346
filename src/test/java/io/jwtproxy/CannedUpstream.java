package io.jwtproxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A fault-injecting upstream on a raw server socket: each connection's request head is recorded,
 * then a {@link Behaviour} does what a real server would not (garbage, silence, resets, short bodies).
 */
final class CannedUpstream implements AutoCloseable
{
    @FunctionalInterface
    interface Behaviour
    {
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket server;
    final BlockingQueue<String> requestHeads = new LinkedBlockingQueue<>();

    /** Answers every request with these bytes, then closes the connection. */
    CannedUpstream(String response) throws IOException
    {
        this(socket -> socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1)));
    }

    CannedUpstream(Behaviour behaviour) throws IOException
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
                            requestHeads.add(readHead(socket.getInputStream()));
                            behaviour.serve(socket);
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

    /** Reads nothing more and answers nothing, until the proxy closes the connection. */
    static void staySilent(Socket socket) throws IOException
    {
        while (socket.getInputStream().read() >= 0)
        {
            // Swallow whatever arrives.
        }
    }

    /** Closes with a TCP reset instead of a FIN. */
    static void reset(Socket socket) throws IOException
    {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    String url()
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
