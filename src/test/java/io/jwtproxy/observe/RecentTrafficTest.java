package io.jwtproxy.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jwtproxy.testing.MovingClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class RecentTrafficTest
{
    @Test
    void theLatestFiguresKeepTheRequestsOfASlotThatHasJustEnded()
    {
        MovingClock clock = new MovingClock(Instant.parse("2026-12-02T10:00:08Z"));
        RecentTraffic traffic = new RecentTraffic(clock);
        for (int i = 0; i < 20; i++)
            traffic.record(Duration.ofMillis(2).toNanos());
        clock.advance(Duration.ofSeconds(3));

        List<RecentTraffic.Point> points = traffic.points();
        assertThat(points).hasSize(RecentTraffic.SLOTS);
        assertThat(points.get(RecentTraffic.SLOTS - 1).perSecond()).as("the slot just begun").isZero();
        assertThat(points.get(RecentTraffic.SLOTS - 2).perSecond()).as("the slot just ended").isEqualTo(2.0);

        RecentTraffic.Point latest = traffic.latest();
        assertThat(latest.startMillis()).isEqualTo(Instant.parse("2026-12-02T10:00:00Z").toEpochMilli());
        assertThat(latest.perSecond()).as("20 requests in the last 11 s").isCloseTo(20 / 11.0, offset(1e-9));
        // 2 ms falls in the bucket up to 0.1 ms × √2^9 ≈ 2.26 ms.
        assertThat(latest.p50Millis()).isBetween(2.0, 2.9);
        assertThat(latest.p99Millis()).isEqualTo(latest.p50Millis());

        clock.advance(Duration.ofSeconds(10));
        assertThat(traffic.latest().perSecond()).as("two slots later").isZero();
    }
}
