package io.jwtproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;

/**
 * A body of any size, generated rather than stored: the byte at each position is fixed, so the
 * receiver checks every byte against the same function without holding either copy. A lost,
 * repeated or moved block shows, since each MiB is also marked with its index.
 */
public final class BigBody
{
    private static final int BLOCK = 1 << 20;
    private static final byte[] PATTERN = new byte[BLOCK];

    static
    {
        new Random(20260701).nextBytes(PATTERN);
    }

    private BigBody()
    {
    }

    public static byte at(long position)
    {
        long mib = position >>> 20;
        return (byte)(PATTERN[(int)(position & (BLOCK - 1))] ^ mib ^ (mib >>> 8) ^ (mib >>> 16));
    }

    public static void write(OutputStream out, long length) throws IOException
    {
        byte[] buffer = new byte[64 * 1024];
        for (long position = 0; position < length; )
        {
            int n = (int)Math.min(buffer.length, length - position);
            for (int i = 0; i < n; i++)
                buffer[i] = at(position + i);
            out.write(buffer, 0, n);
            position += n;
        }
        out.flush();
    }

    /**
     * Reads {@code length} bytes and checks each one.
     *
     * @return a description of the first difference, or null when all {@code length} bytes are right
     */
    public static String check(InputStream in, long length) throws IOException
    {
        byte[] buffer = new byte[64 * 1024];
        long position = 0;
        while (position < length)
        {
            int read = in.read(buffer, 0, (int)Math.min(buffer.length, length - position));
            if (read < 0)
                return "body ended after " + position + " of " + length + " bytes";
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != at(position + i))
                    return "byte " + (position + i) + " differs";
            }
            position += read;
        }
        return null;
    }
}
