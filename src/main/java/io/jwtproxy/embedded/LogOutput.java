package io.jwtproxy.embedded;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.eclipse.jetty.logging.JettyLoggerFactory;
import org.eclipse.jetty.logging.StdErrAppender;
import org.slf4j.LoggerFactory;

/**
 * The jar's log lines, written to stderr by one thread in batches. Jetty's SLF4J provider writes
 * each line with its own write(2) while holding the stream's lock; with the access line on and 256
 * connections, the request threads queued on that lock (twice the context switches per request, and
 * a 99th percentile of 300 ms instead of 70-160 ms without the access line). Here a line is copied
 * into a buffer under a lock held for the copy alone, and a writer thread writes what has gathered
 * 20 ms after the first line (or at once past 64 KiB): many lines in one write under load, and no
 * wake-up per line (waking the writer for each line cost more context switches than the lock).
 * A writer waits when 1 MiB is pending (stderr not read fast enough), so memory stays bounded; what
 * is pending is written before the JVM exits.
 */
final class LogOutput extends OutputStream
{
    private static final int MAX_PENDING = 1 << 20;
    /** How long the writer gathers lines after the first: no wake-up per line. */
    private static final long GATHER_MILLIS = 20;
    private static final int EARLY_WRITE = 1 << 16;

    private final OutputStream target;
    private byte[] pending = new byte[1 << 16];
    private int length;
    private boolean writing;
    private boolean idle;

    LogOutput(OutputStream target)
    {
        this.target = target;
    }

    /**
     * Puts stderr, and Jetty's SLF4J provider (the jar's logging) that holds on to it, on a LogOutput,
     * with its writer thread and an exit hook: one stream, so lines keep their order.
     */
    static void install()
    {
        LogOutput output = new LogOutput(new FileOutputStream(FileDescriptor.err));
        Thread writer = new Thread(output::writeBatches, "jwt-proxy-log");
        writer.setDaemon(true);
        writer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(output::drain, "jwt-proxy-log-drain"));
        PrintStream stream = new PrintStream(output, false, StandardCharsets.UTF_8);
        System.setErr(stream);
        if (LoggerFactory.getILoggerFactory() instanceof JettyLoggerFactory factory
            && factory.getJettyLogger("").getAppender() instanceof StdErrAppender appender)
            appender.setStream(stream);
    }

    @Override
    public void write(int b) throws IOException
    {
        write(new byte[]{(byte)b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int count) throws IOException
    {
        try
        {
            while (length > 0 && length + count > MAX_PENDING)
                wait();
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for the log writer");
        }
        if (length + count > pending.length)
            pending = Arrays.copyOf(pending, Math.max(length + count, 2 * pending.length));
        System.arraycopy(bytes, offset, pending, length, count);
        length += count;
        // The writer is woken for the first line after a quiet spell and when much has gathered, not for every line.
        if (idle || length >= EARLY_WRITE)
            notifyAll();
    }

    /** Writes what has gathered, in batches, for as long as the JVM runs. */
    void writeBatches()
    {
        try
        {
            byte[] spare = new byte[pending.length];
            while (true)
            {
                byte[] batch;
                int count;
                synchronized (this)
                {
                    while (length == 0)
                    {
                        idle = true;
                        wait();
                    }
                    idle = false;
                    if (length < EARLY_WRITE)
                        wait(GATHER_MILLIS);
                    batch = pending;
                    count = length;
                    pending = spare.length >= batch.length ? spare : new byte[batch.length];
                    length = 0;
                    writing = true;
                    notifyAll();
                }
                writeQuietly(batch, count);
                synchronized (this)
                {
                    writing = false;
                    spare = batch;
                    notifyAll();
                }
            }
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns once everything written so far is out, the writer thread's batch included. */
    synchronized void drain()
    {
        try
        {
            while (writing)
                wait();
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
        }
        writeQuietly(pending, length);
        length = 0;
        notifyAll();
    }

    private void writeQuietly(byte[] bytes, int count)
    {
        try
        {
            target.write(bytes, 0, count);
        }
        catch (IOException x)
        {
            // stderr is gone: nowhere left to say so.
        }
    }
}
