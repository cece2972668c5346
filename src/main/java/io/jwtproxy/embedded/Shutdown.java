package io.jwtproxy.embedded;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.config.Setting;

/**
 * What SIGTERM or SIGINT does to the jar, in three phases. First, for SHUTDOWN_DELAY, the proxy is
 * not ready ({@code /readyz} 503) but serves as before, each HTTP/1.1 response with
 * {@code Connection: close}: the time a balancer's health check or a Kubernetes endpoint controller
 * needs to stop sending. Then the listeners close and in-flight requests get up to SHUTDOWN_DRAIN.
 * Then the process exits, 0 for a stop that went as asked. A second signal ends the first phase early.
 */
final class Shutdown
{
    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    private final Server server;
    private final Duration delay;
    private final AtomicBoolean begun = new AtomicBoolean();
    private final CountDownLatch hurry = new CountDownLatch(1);

    Shutdown(Server server, Duration delay)
    {
        this.server = server;
        this.delay = delay;
    }

    /** Installs the handlers of SIGTERM and SIGINT. */
    void onSignals()
    {
        sun.misc.SignalHandler handler = signal -> stop("SIG" + signal.getName());
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
    }

    /** Runs the three phases and exits; called again while the first lasts, ends it. The JVM runs each signal's handler on a thread of its own. */
    void stop(String cause)
    {
        if (!begun.compareAndSet(false, true))
        {
            LOG.info("{} again: closing the listeners now", cause);
            hurry.countDown();
            return;
        }
        ProxyRuntime runtime = EmbeddedServer.runtime(server);
        runtime.startDrain();
        int status = 0;
        try
        {
            if (!delay.isZero())
            {
                LOG.info("{}: not ready; serving {} more ({}), each HTTP/1.1 response with Connection: close", cause, delay, Setting.SHUTDOWN_DELAY);
                hurry.await(delay.toMillis(), TimeUnit.MILLISECONDS);
            }
            LOG.info("{}: refusing new connections, draining in-flight requests for up to {} ({})", cause,
                Duration.ofMillis(server.getStopTimeout()), Setting.SHUTDOWN_DRAIN);
            server.stop();
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
            status = 1;
        }
        catch (Exception x)
        {
            LOG.warn("stop failed: {}", x.toString());
            status = 1;
        }
        System.exit(status);
    }
}
