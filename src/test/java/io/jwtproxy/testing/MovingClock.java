package io.jwtproxy.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock the test moves by hand. */
public final class MovingClock extends Clock
{
    private volatile Instant now;

    public MovingClock(Instant now)
    {
        this.now = now;
    }

    public void set(Instant instant)
    {
        now = instant;
    }

    public void advance(Duration duration)
    {
        now = now.plus(duration);
    }

    @Override
    public Instant instant()
    {
        return now;
    }

    @Override
    public ZoneId getZone()
    {
        return ZoneOffset.UTC;
    }

    /** @return the current instant, fixed, in that zone: later moves of this clock do not move it */
    @Override
    public Clock withZone(ZoneId zone)
    {
        return Clock.fixed(now, zone);
    }
}
