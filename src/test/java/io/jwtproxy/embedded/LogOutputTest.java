package io.jwtproxy.embedded;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogOutputTest
{
    /** A stderr that counts its writes. */
    private static final class Target extends OutputStream
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public void write(int b)
        {
            throw new AssertionError("LogOutput writes arrays");
        }

        @Override
        public synchronized void write(byte[] b, int offset, int length)
        {
            writes.incrementAndGet();
            bytes.write(b, offset, length);
        }

        synchronized String text()
        {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static LogOutput started(Target target)
    {
        LogOutput output = new LogOutput(target);
        Thread writer = new Thread(output::writeBatches, "test-log-writer");
        writer.setDaemon(true);
        writer.start();
        return output;
    }

    @Test
    void linesFromManyThreadsArriveWholeInTheirOrderInFewWritesAndTheRestAtDrain() throws Exception
    {
        Target target = new Target();
        LogOutput output = started(target);
        PrintStream stream = new PrintStream(output, false, StandardCharsets.UTF_8);

        int threads = 8;
        int lines = 5_000;
        List<Thread> loggers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            Thread logger = new Thread(() ->
            {
                for (int i = 0; i < lines; i++)
                    stream.println("thread " + id + " line " + i + " " + "x".repeat(i % 100));
            });
            loggers.add(logger);
            logger.start();
        }
        for (Thread logger : loggers)
            logger.join();
        output.drain();

        String[] got = target.text().split("\n", -1);
        assertThat(got).hasSize(threads * lines + 1);
        assertThat(got[got.length - 1]).as("nothing after the last newline").isEmpty();
        int[] next = new int[threads];
        for (int n = 0; n < got.length - 1; n++)
        {
            String[] words = got[n].split(" ");
            int id = Integer.parseInt(words[1]);
            int i = Integer.parseInt(words[3]);
            assertThat(i).as("thread %d's lines in order", id).isEqualTo(next[id]++);
            assertThat(got[n]).as("a whole line").isEqualTo("thread " + id + " line " + i + " " + "x".repeat(i % 100));
        }
        assertThat(target.writes.get()).as("writes for %d lines", threads * lines).isLessThan(threads * lines / 10);
    }

    @Test
    void aLoneLineIsWrittenWithoutWaitingForMore() throws Exception
    {
        Target target = new Target();
        LogOutput output = started(target);
        PrintStream stream = new PrintStream(output, false, StandardCharsets.UTF_8);

        stream.println("the only line");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (target.text().isEmpty() && System.nanoTime() < deadline)
            Thread.sleep(5);
        assertThat(target.text()).isEqualTo("the only line\n");
    }
}
