package io.jwtproxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * When the proxy started, how many requests it received (those it answered itself included) and
 * forwarded, how many tokens it minted, and how many WebSockets are open; exact under concurrency.
 */
public final class ProxyStats
{
    private final Clock clock;
    private final Instant startedAt;
    private final LongAdder received = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder tokens = new LongAdder();
    private final LongAdder webSockets = new LongAdder();
    private final LongAdder forwardAuthAllowed = new LongAdder();
    private final LongAdder forwardAuthDenied = new LongAdder();

    private final RecentTraffic recent;

    public ProxyStats(Clock clock)
    {
        this.clock = clock;
        this.startedAt = clock.instant();
        this.recent = new RecentTraffic(clock);
    }

    /** @return the last 15 minutes of traffic, for the status page */
    RecentTraffic recent()
    {
        return recent;
    }

    public void requestReceived()
    {
        received.increment();
    }

    public void requestForwarded()
    {
        forwarded.increment();
    }

    public void tokenMinted()
    {
        tokens.increment();
    }

    public long tokensMinted()
    {
        return tokens.sum();
    }

    public Instant startedAt()
    {
        return startedAt;
    }

    public Duration uptime()
    {
        return Duration.between(startedAt, clock.instant());
    }

    public long requestsReceived()
    {
        return received.sum();
    }

    public long requestsForwarded()
    {
        return forwarded.sum();
    }

    public void webSocketOpened()
    {
        webSockets.increment();
    }

    public void webSocketClosed()
    {
        webSockets.decrement();
    }

    /** Counts one decision of /forward-auth. */
    public void forwardAuthDecided(boolean allowed)
    {
        (allowed ? forwardAuthAllowed : forwardAuthDenied).increment();
    }

    public long forwardAuthAllowed()
    {
        return forwardAuthAllowed.sum();
    }

    public long forwardAuthDenied()
    {
        return forwardAuthDenied.sum();
    }

    /** @return the WebSockets open now */
    public long webSocketsOpen()
    {
        return webSockets.sum();
    }
}
