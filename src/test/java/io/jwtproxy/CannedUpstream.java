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
 * An upstream that answers every connection with the same raw bytes, whatever it is sent, and
 * records each request head: for responses a real server would not produce.
 */
final class CannedUpstream implements AutoCloseable
{
    private final ServerSocket server;
    private final Thread acceptor;
    final BlockingQueue<String> requestHeads = new LinkedBlockingQueue<>();

    CannedUpstream(String response) throws IOException
    {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        acceptor = new Thread(() ->
        {
            while (!server.isClosed())
            {
                try (Socket socket = server.accept())
                {
                    socket.setSoTimeout(10_000);
                    requestHeads.add(readHead(socket.getInputStream()));
                    socket.getOutputStream().write(bytes);
                    socket.getOutputStream().flush();
                }
                catch (IOException x)
                {
                    // Closed by close(), or a client that went away: serve the next one.
                }
            }
        }, "canned-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
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
