package io.jwtproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately small HTTP/1.x client over a plain socket, for what {@code java.net.http}
 * refuses to send (Connection, Expect, HTTP/1.0, underscores) and for reading framing exactly.
 */
public final class RawHttp implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException
    {
        this(port, null);
    }

    /** @param from the loopback address to connect from (127.0.0.2, ...), a client of its own; null for any */
    public RawHttp(int port, String from) throws IOException
    {
        socket = from == null ? new Socket("127.0.0.1", port) : new Socket(java.net.InetAddress.getLoopbackAddress(), port,
            java.net.InetAddress.getByName(from), 0);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /**
     * One GET on a connection of its own, closed after it, with {@code Host: 127.0.0.1:port}.
     *
     * @param from the loopback address to connect from, or null
     * @param target the request target as written: a path, or absolute-form
     * @param fields more field lines ({@code Name: value}), their chars the bytes sent (ISO-8859-1)
     */
    public static Response get(int port, String from, String target, String... fields) throws IOException
    {
        try (RawHttp http = new RawHttp(port, from))
        {
            // Jetty refuses an absolute-form target whose authority is not the Host's.
            StringBuilder head = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port)
                .append("\r\nConnection: close\r\n");
            for (String field : fields)
                head.append(field).append("\r\n");
            http.send(head.append("\r\n").toString());
            return http.readResponse(false);
        }
    }

    public void send(String head) throws IOException
    {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public void send(byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    public Socket socket()
    {
        return socket;
    }

    public OutputStream output()
    {
        return out;
    }

    public InputStream input()
    {
        return in;
    }

    /** Reads one response head (status line and fields). */
    public Head readHead() throws IOException
    {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        Map<String, List<String>> fields = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in))
        {
            lines.add(line);
            int colon = line.indexOf(':');
            fields.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(line.substring(colon + 1).trim());
        }
        return new Head(parts[0], Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", fields, lines);
    }

    /** Reads one whole response; a body framed by neither length nor chunks is read to EOF. */
    public Response readResponse(boolean head) throws IOException
    {
        Head h = readHead();
        byte[] body;
        if (head || h.status() == 204 || h.status() == 304 || h.status() < 200)
            body = new byte[0];
        else if ("chunked".equalsIgnoreCase(h.first("transfer-encoding")))
            body = readChunked(in);
        else if (h.first("content-length") != null)
            body = in.readNBytes(Integer.parseInt(h.first("content-length")));
        else
            body = in.readAllBytes();
        return new Response(h, body);
    }

    /** @return true if the server closed the connection (EOF) before the socket timeout */
    public boolean closedByServer() throws IOException
    {
        try
        {
            return in.read() < 0;
        }
        catch (java.net.SocketException x)
        {
            // A reset is a close too.
            return true;
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }

    public static String readLine(InputStream in) throws IOException
    {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read())
        {
            if (b < 0)
                throw new EOFException("connection closed after " + line.size() + " bytes of a line: " + line);
            if (b != '\r')
                line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readChunked(InputStream in) throws IOException
    {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true)
        {
            String size = readLine(in);
            int semicolon = size.indexOf(';');
            int length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (length == 0)
            {
                while (!readLine(in).isEmpty())
                {
                    // Trailer fields are not used here.
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(length));
            readLine(in);
        }
    }

    /** @param lines the field lines as received (ISO-8859-1, one char per byte), without their CRLF */
    public record Head(String protocol, int status, String reason, Map<String, List<String>> fields, List<String> lines)
    {
        public String first(String name)
        {
            List<String> values = fields.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        public List<String> all(String name)
        {
            return fields.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }

    public record Response(Head head, byte[] body)
    {
        public int status()
        {
            return head.status();
        }

        public String header(String name)
        {
            return head.first(name);
        }

        public String text()
        {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
