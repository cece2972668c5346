package io.jwtproxy.background;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A task run every period on a daemon thread of its own until {@link #close()}, which returns once
 * that thread has ended: a container checks for threads a web application left behind as soon as
 * it is undeployed (an executor's {@code awaitTermination} returns before its thread has died). A
 * run under way finishes first: it is never interrupted, so a key file is never left half written.
 */
public final class Periodic implements AutoCloseable
{
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;

    private Periodic(String threadName, Duration period, Runnable task)
    {
        thread = new Thread(() ->
        {
            try
            {
                while (!closed.await(period.toMillis(), TimeUnit.MILLISECONDS))
                    task.run();
            }
            catch (InterruptedException x)
            {
                Thread.currentThread().interrupt();
            }
        }, threadName);
        thread.setDaemon(true);
    }

    /** @return the task, first run one {@code period} from now */
    public static Periodic start(String threadName, Duration period, Runnable task)
    {
        Periodic periodic = new Periodic(threadName, period, task);
        periodic.thread.start();
        return periodic;
    }

    /** Stops the runs and waits (up to 5 s) for the thread to end. */
    @Override
    public void close()
    {
        closed.countDown();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
        }
    }
}
