package io.jwtproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.hpack.HpackDecoder;

/**
 * An HTTP/2 client that writes a request's fields exactly as given, as HPACK literals (h2c with
 * prior knowledge): HTTP/2 libraries refuse to send what RFC 9113 calls malformed, which is what a
 * test of the proxy's refusal needs to send. It reads back the stream's response status.
 */
public final class RawH2
{
    private RawH2()
    {
    }

    /**
     * @param fields names (lower case) and values, pseudo-fields first
     * @return the status of stream 1's response, or -1 if the stream was reset or the connection ended instead
     */
    public static int status(int port, String... fields) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(out, 0x4, 0, 0, new byte[0]);
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            for (int i = 0; i < fields.length; i += 2)
            {
                // Literal header field without indexing, new name (RFC 7541 §6.2.2), no Huffman coding.
                block.write(0);
                literal(block, fields[i]);
                literal(block, fields[i + 1]);
            }
            // END_STREAM | END_HEADERS on stream 1.
            frame(out, 0x1, 0x5, 1, block.toByteArray());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            HpackDecoder decoder = new HpackDecoder(64 * 1024, System::nanoTime);
            while (true)
            {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7FFFFFFF;
                byte[] payload = in.readNBytes(length);
                if (type == 0x4 && (flags & 0x1) == 0)
                    frame(out, 0x4, 0x1, 0, new byte[0]);
                else if (type == 0x1 && stream == 1)
                    return ((MetaData.Response)decoder.decode(ByteBuffer.wrap(payload))).getStatus();
                else if ((type == 0x3 && stream == 1) || type == 0x7)
                    return -1;
            }
        }
        catch (java.io.EOFException x)
        {
            return -1;
        }
        catch (org.eclipse.jetty.http2.hpack.HpackException x)
        {
            throw new IOException(x);
        }
    }

    private static void literal(ByteArrayOutputStream block, String text)
    {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length >= 127)
            throw new IllegalArgumentException("keep test fields under 127 bytes");
        block.write(bytes.length);
        block.writeBytes(bytes);
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException
    {
        out.write(new byte[] {(byte)(payload.length >> 16), (byte)(payload.length >> 8), (byte)payload.length, (byte)type, (byte)flags,
            (byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream});
        out.write(payload);
    }
}
