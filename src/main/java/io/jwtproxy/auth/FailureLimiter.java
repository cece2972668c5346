package io.jwtproxy.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Failed attempts per client address in fixed one-minute windows, each opened by an address's first
 * failure: past {@code maxFailures} in its window, an address is limited until the window closes.
 * Only failing addresses are remembered, and windows that closed are dropped as others open.
 */
final class FailureLimiter
{
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Past this many addresses, closed windows are swept before another opens. */
    private static final int SWEEP_AT = 10_000;

    private record Window(long openedNanos, int failures)
    {
    }

    private final int maxFailures;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    FailureLimiter(int maxFailures, LongSupplier nanoTime)
    {
        this.maxFailures = maxFailures;
        this.nanoTime = nanoTime;
    }

    /** @return the seconds until {@code address} may try again, or 0 if it may now */
    long limitedFor(String address)
    {
        Window window = windows.get(address);
        if (window == null || window.failures() < maxFailures)
            return 0;
        long left = window.openedNanos() + WINDOW_NANOS - nanoTime.getAsLong();
        if (left <= 0)
        {
            windows.remove(address, window);
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left + TimeUnit.SECONDS.toNanos(1) - 1));
    }

    void failed(String address)
    {
        long now = nanoTime.getAsLong();
        if (windows.size() >= SWEEP_AT)
            windows.values().removeIf(window -> now - window.openedNanos() >= WINDOW_NANOS);
        windows.merge(address, new Window(now, 1), (open, first) -> now - open.openedNanos() >= WINDOW_NANOS ? first
            : new Window(open.openedNanos(), open.failures() + 1));
    }
}
