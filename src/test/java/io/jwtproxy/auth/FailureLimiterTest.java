package io.jwtproxy.auth;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailureLimiterTest
{
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void checksUnderWayCountBeforeTheyFail()
    {
        FailureLimiter limiter = new FailureLimiter(5, now::get);

        int reserved = 0;
        for (int i = 0; i < 30; i++)
        {
            if (limiter.reserve("192.0.2.1", "alice") == 0)
                reserved++;
        }

        assertThat(reserved).as("30 guesses at once, 5 allowed").isEqualTo(5);
    }

    @Test
    void oneAddressFailingForOneUserLocksOutNeitherOtherUsersNorOtherAddresses()
    {
        FailureLimiter limiter = new FailureLimiter(3, now::get);
        for (int i = 0; i < 3; i++)
            fail(limiter, "192.0.2.66", "alice");

        assertThat(limiter.reserve("192.0.2.66", "alice")).as("the attacker, for alice").isBetween(1L, 60L);
        assertThat(limiter.barredFor("192.0.2.66", "alice")).as("even a remembered password").isBetween(1L, 60L);
        assertThat(limiter.reserve("192.0.2.7", "alice")).as("alice from her own address").isZero();
        assertThat(limiter.reserve("192.0.2.66", "bob")).as("another user from the same address").isZero();
    }

    @Test
    void guessingAcrossUserNamesIsBoundedPerAddress()
    {
        FailureLimiter limiter = new FailureLimiter(2, now::get);
        for (int i = 0; i < 2 * FailureLimiter.SPRAY_FACTOR; i++)
            fail(limiter, "192.0.2.66", "user" + i);

        assertThat(limiter.reserve("192.0.2.66", "yet-another")).isPositive();
        assertThat(limiter.reserve("192.0.2.67", "yet-another")).isZero();
    }

    @Test
    void aWindowClosesAfterAMinute()
    {
        FailureLimiter limiter = new FailureLimiter(1, now::get);
        fail(limiter, "192.0.2.66", "alice");
        assertThat(limiter.reserve("192.0.2.66", "alice")).isEqualTo(60);

        now.addAndGet(TimeUnit.SECONDS.toNanos(59) + 1);
        assertThat(limiter.reserve("192.0.2.66", "alice")).isEqualTo(1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(limiter.reserve("192.0.2.66", "alice")).isZero();
    }

    @Test
    void anIpv6HostCountsByItsSlash64()
    {
        FailureLimiter limiter = new FailureLimiter(2, now::get);
        fail(limiter, "2001:db8:1:2::1", "alice");
        fail(limiter, "[2001:db8:1:2:ffff:0:0:9]", "alice");

        assertThat(limiter.reserve("2001:db8:1:2:aaaa::5", "alice")).isPositive();
        assertThat(limiter.reserve("2001:db8:1:3::1", "alice")).isZero();
        assertThat(FailureLimiter.addressKey("::1")).isEqualTo("0:0:0:0::/64");
        assertThat(FailureLimiter.addressKey("not an address")).isEqualTo("not an address");
        assertThat(FailureLimiter.addressKey("[2001:db8:1:2::1]:51234")).as("a balancer that writes the port").isEqualTo("2001:db8:1:2::/64");
        assertThat(FailureLimiter.addressKey("192.0.2.1:51234")).isEqualTo("192.0.2.1");
    }

    @Test
    void theTableKeepsItsCapacityWhateverTheNumberOfFailingAddresses()
    {
        FailureLimiter limiter = new FailureLimiter(3, 1_000, now::get);

        for (int i = 0; i < 50_000; i++)
            fail(limiter, "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), "alice");
        for (int i = 0; i < 3; i++)
            fail(limiter, "192.0.2.66", "alice");

        assertThat(limiter.size()).isLessThanOrEqualTo(1_000);
        assertThat(limiter.reserve("192.0.2.66", "alice")).as("the latest attacker is still limited").isPositive();
    }

    @Test
    void longUserNamesTakeNoMoreRoomThanShortOnes()
    {
        FailureLimiter limiter = new FailureLimiter(3, 1_000, now::get);
        String longName = "x".repeat(8_000);

        for (int i = 0; i < 3; i++)
            fail(limiter, "192.0.2.66", longName);

        assertThat(limiter.reserve("192.0.2.66", longName)).as("counted all the same").isPositive();
        assertThat(limiter.reserve("192.0.2.66", longName + "y")).isZero();
        assertThat(FailureLimiter.addressKey("y".repeat(8_000))).hasSizeLessThan(64);
    }

    private static void fail(FailureLimiter limiter, String address, String user)
    {
        assertThat(limiter.reserve(address, user)).isZero();
        limiter.settle(address, user, true);
    }
}
