package io.jwtproxy.observe;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The last 15 minutes of traffic in 10-second slots, for the status page's chart: requests per
 * second and the median and 99th-percentile duration of each slot (from buckets a factor of √2
 * wide, so a percentile is within 41 % of the truth).
 */
final class RecentTraffic
{
    static final int SLOTS = 90;
    static final long SLOT_MILLIS = 10_000;
    /** Bucket i holds durations up to 0.1 ms × √2^i: 0.1 ms to about 100 s. */
    private static final int BUCKETS = 41;

    /** One slot: when it began, requests per second in it, and its percentiles in milliseconds (0 without requests). */
    record Point(long startMillis, double perSecond, double p50Millis, double p99Millis)
    {
    }

    private final Clock clock;
    private final long[] slotOf = new long[SLOTS];
    private final int[][] counts = new int[SLOTS][BUCKETS];

    RecentTraffic(Clock clock)
    {
        this.clock = clock;
        java.util.Arrays.fill(slotOf, -1);
    }

    synchronized void record(long nanos)
    {
        long slot = clock.millis() / SLOT_MILLIS;
        int index = (int)(slot % SLOTS);
        if (slotOf[index] != slot)
        {
            slotOf[index] = slot;
            java.util.Arrays.fill(counts[index], 0);
        }
        double millis = nanos / 1e6;
        int bucket = millis <= 0.1 ? 0 : (int)Math.min(BUCKETS - 1, Math.ceil(2 * Math.log(millis / 0.1) / Math.log(2)));
        counts[index][bucket]++;
    }

    /** @return the slots of the last 15 minutes, oldest first, the current one (still filling) last */
    synchronized List<Point> points()
    {
        long millis = clock.millis();
        long now = millis / SLOT_MILLIS;
        List<Point> points = new ArrayList<>(SLOTS);
        for (long slot = now - SLOTS + 1; slot <= now; slot++)
        {
            double seconds = slot == now ? Math.max(1, (millis % SLOT_MILLIS) / 1000.0) : SLOT_MILLIS / 1000.0;
            points.add(point(slot * SLOT_MILLIS, seconds, countsOf(slot)));
        }
        return points;
    }

    /**
     * @return the current slot together with the one before it: between 10 and 20 seconds, so the
     * figures do not drop to nothing each time a slot begins
     */
    synchronized Point latest()
    {
        long millis = clock.millis();
        long now = millis / SLOT_MILLIS;
        int[] previous = countsOf(now - 1);
        int[] current = countsOf(now);
        int[] both = new int[BUCKETS];
        for (int bucket = 0; bucket < BUCKETS; bucket++)
            both[bucket] = previous[bucket] + current[bucket];
        return point((now - 1) * SLOT_MILLIS, (SLOT_MILLIS + millis % SLOT_MILLIS) / 1000.0, both);
    }

    private int[] countsOf(long slot)
    {
        int index = (int)(slot % SLOTS);
        return slotOf[index] == slot ? counts[index] : new int[BUCKETS];
    }

    private static Point point(long startMillis, double seconds, int[] counts)
    {
        long total = 0;
        for (int count : counts)
            total += count;
        return new Point(startMillis, total / seconds, percentile(counts, total, 0.50), percentile(counts, total, 0.99));
    }

    private static double percentile(int[] counts, long total, double quantile)
    {
        if (total == 0)
            return 0;
        long rank = (long)Math.ceil(quantile * total);
        long seen = 0;
        for (int bucket = 0; bucket < counts.length; bucket++)
        {
            seen += counts[bucket];
            if (seen >= rank)
                return 0.1 * Math.pow(Math.sqrt(2), bucket);
        }
        return 0.1 * Math.pow(Math.sqrt(2), counts.length - 1);
    }
}
