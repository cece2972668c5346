package io.jwtproxy.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.ExchangeEvents;

/**
 * When the proxy started, how many requests it received (those it answered itself included) and
 * forwarded, how many tokens it minted, how many WebSockets are open and what /forward-auth decided,
 * and the last 15 minutes of traffic: exact under concurrency, from the exchanges' events.
 */
public final class ProxyStats implements ExchangeEvents
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

    @Override
    public void received(Exchange exchange)
    {
        // A gateway's question is not a request to the upstream.
        if (!exchange.decision())
            received.increment();
    }

    @Override
    public void finished(Exchange exchange, int status, long nanos, String outcome)
    {
        recent.record(nanos);
    }

    @Override
    public void forwarded(Exchange exchange)
    {
        forwarded.increment();
    }

    @Override
    public void minted(Exchange exchange, String kid, long nanos)
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

    @Override
    public void webSocketOpened(Exchange exchange)
    {
        webSockets.increment();
    }

    @Override
    public void webSocketClosed(Exchange exchange)
    {
        webSockets.decrement();
    }

    @Override
    public void forwardAuthDecided(Exchange exchange, boolean allowed)
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
