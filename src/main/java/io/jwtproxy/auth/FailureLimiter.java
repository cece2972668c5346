package io.jwtproxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Counts password checks before they are made. Each check is reserved, atomically, before its
 * bcrypt runs, and settled after it as a failure or not; a reservation is refused while the failures
 * and the checks under way of the last minute reach a bound:
 * <ul>
 * <li>{@code maxFailures} for one user name from one client address, so that an attacker's guesses
 * lock out neither other users nor the same user elsewhere;</li>
 * <li>{@value #SPRAY_FACTOR} times that for one address whatever the user names, so that guessing
 * across many users is bounded too;</li>
 * <li>{@code maxFailures} checks under way at once from one address.</li>
 * </ul>
 * IPv6 addresses count by their /64, which one host commonly has whole. Windows are fixed, one
 * minute from a key's first reservation. The table holds at most {@code capacity} keys, the oldest
 * leaving first, each key of bounded size (a user name is kept as a digest): its memory does not
 * grow with the number of addresses that fail, nor with the length of the names they try.
 */
final class FailureLimiter
{
    static final int CAPACITY = 10_000;
    static final int SPRAY_FACTOR = 4;
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Pattern IPV4_WITH_PORT = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}:\\d{1,5}");

    private static final class Window
    {
        private long openedNanos;
        private int failures;
        private int underWay;

        private Window(long openedNanos)
        {
            this.openedNanos = openedNanos;
        }

        /** @return nanoseconds until this window lets {@code bound} be reached no longer, 0 if it is not reached */
        private long blockedFor(long now, int bound)
        {
            return failures + underWay >= bound ? Math.max(1, openedNanos + WINDOW_NANOS - now) : 0;
        }

        /** @return as {@link #blockedFor}, counting the failures alone, in a window whose minute is not over */
        private long failedFor(long now, int bound)
        {
            long left = openedNanos + WINDOW_NANOS - now;
            return failures >= bound && left > 0 ? left : 0;
        }
    }

    private final int maxFailures;
    private final int maxPerAddress;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows;

    FailureLimiter(int maxFailures, LongSupplier nanoTime)
    {
        this(maxFailures, CAPACITY, nanoTime);
    }

    FailureLimiter(int maxFailures, int capacity, LongSupplier nanoTime)
    {
        this.maxFailures = maxFailures;
        this.maxPerAddress = (int)Math.min(Integer.MAX_VALUE, (long)maxFailures * SPRAY_FACTOR);
        this.nanoTime = nanoTime;
        this.windows = new LinkedHashMap<>(16, 0.75f, false)
        {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest)
            {
                return size() > capacity;
            }
        };
    }

    /**
     * Reserves one check of {@code user}'s password from {@code address}; a reservation must be
     * {@link #settle settled}.
     *
     * @return 0 if reserved, else the seconds until a check may be made (for {@code Retry-After})
     */
    long reserve(String address, String user)
    {
        // The keys (a digest among them) are made outside the lock, which every Basic request takes.
        String addressKey = addressKey(address);
        String pairKey = pairKey(addressKey, user);
        synchronized (this)
        {
            long now = nanoTime.getAsLong();
            Window byAddress = window(addressKey, now);
            Window byUser = window(pairKey, now);
            if (byAddress.underWay >= maxFailures)
                return 1;
            long blocked = Math.max(byUser.blockedFor(now, maxFailures), byAddress.blockedFor(now, maxPerAddress));
            if (blocked > 0)
                return seconds(blocked);
            byAddress.underWay++;
            byUser.underWay++;
            return 0;
        }
    }

    /**
     * For a credential that needs no check (one verified before): whether the failures alone, not
     * the checks under way, bar {@code user} from {@code address}.
     *
     * @return 0 if not, else the seconds until they no longer do
     */
    long barredFor(String address, String user)
    {
        String addressKey = addressKey(address);
        String pairKey = pairKey(addressKey, user);
        long blocked;
        synchronized (this)
        {
            long now = nanoTime.getAsLong();
            Window byAddress = windows.get(addressKey);
            Window byUser = windows.get(pairKey);
            blocked = Math.max(byUser == null ? 0 : byUser.failedFor(now, maxFailures),
                byAddress == null ? 0 : byAddress.failedFor(now, maxPerAddress));
        }
        return blocked == 0 ? 0 : seconds(blocked);
    }

    // Rounded up: a Retry-After that comes early would be refused again.
    private static long seconds(long nanos)
    {
        return TimeUnit.NANOSECONDS.toSeconds(nanos + TimeUnit.SECONDS.toNanos(1) - 1);
    }

    /** Ends a reservation: the check is no longer under way, and counts as a failure if it {@code failed}. */
    void settle(String address, String user, boolean failed)
    {
        String addressKey = addressKey(address);
        String pairKey = pairKey(addressKey, user);
        synchronized (this)
        {
            long now = nanoTime.getAsLong();
            for (Window window : new Window[] {window(addressKey, now), window(pairKey, now)})
            {
                // A window that left the table while its check was under way came back new, with none.
                window.underWay = Math.max(0, window.underWay - 1);
                if (failed)
                    window.failures++;
            }
        }
    }

    /** @return how many keys are remembered */
    synchronized int size()
    {
        return windows.size();
    }

    /** @return the key's open window, a new one if it had none or its minute is over; called holding the lock */
    private Window window(String key, long now)
    {
        Window window = windows.get(key);
        if (window == null)
        {
            window = new Window(now);
            windows.put(key, window);
        }
        else if (now - window.openedNanos >= WINDOW_NANOS)
        {
            window.openedNanos = now;
            window.failures = 0;
        }
        return window;
    }

    /**
     * An address and a user name in a key of bounded size: a user name may be as long as the request
     * head allows, and 10,000 of them must not take 10,000 times that.
     */
    private static String pairKey(String addressKey, String user)
    {
        return addressKey + ' ' + digest(user);
    }

    private static String digest(String text)
    {
        try
        {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 16));
        }
        catch (NoSuchAlgorithmException x)
        {
            throw new IllegalStateException("SHA-256 is part of every JDK", x);
        }
    }

    /** An IPv6 address's /64 (its first four groups), an IPv4 address as it is, either without a port; anything longer by its digest. */
    static String addressKey(String address)
    {
        if (address.length() > 64)
            // Not an address: a trusted balancer's X-Forwarded-For holds what a client wrote there when it sets none itself.
            return digest(address);
        // Some balancers write the client's port too ("192.0.2.1:51234", "[2001:db8::1]:51234"): a new one each connection.
        String bare = address;
        if (bare.startsWith("[") && bare.indexOf(']') > 0)
            bare = bare.substring(1, bare.indexOf(']'));
        else if (IPV4_WITH_PORT.matcher(bare).matches())
            bare = bare.substring(0, bare.indexOf(':'));
        if (bare.indexOf(':') < 0)
            return bare;
        int zone = bare.indexOf('%');
        if (zone >= 0)
            bare = bare.substring(0, zone);
        int[] groups = new int[8];
        String[] halves = bare.split("::", -1);
        if (halves.length > 2)
            return bare;
        String[] head = halves[0].isEmpty() ? new String[0] : halves[0].split(":");
        String[] tail = halves.length < 2 || halves[1].isEmpty() ? new String[0] : halves[1].split(":");
        if (head.length + tail.length > 8 || (halves.length == 1 && head.length != 8))
            return bare;
        try
        {
            for (int i = 0; i < head.length; i++)
                groups[i] = group(head[i]);
            for (int i = 0; i < tail.length; i++)
                groups[8 - tail.length + i] = group(tail[i]);
        }
        catch (NumberFormatException x)
        {
            // Not an IPv6 literal (an IPv4-mapped tail, or no address at all): counted as written.
            return bare;
        }
        return String.format("%x:%x:%x:%x::/64", groups[0], groups[1], groups[2], groups[3]);
    }

    private static int group(String hex)
    {
        if (hex.isEmpty() || hex.length() > 4)
            throw new NumberFormatException(hex);
        return Integer.parseInt(hex, 16);
    }
}
