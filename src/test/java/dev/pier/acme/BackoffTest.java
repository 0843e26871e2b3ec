package dev.pier.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private static Duration wait(double random, int failures, Instant retryAfter) {
        return Duration.between(NOW, new Backoff(Duration.ofMinutes(1), Duration.ofHours(6), () -> random).next(NOW, failures, retryAfter));
    }

    @Test
    void doubles_per_failure_within_the_upper_half_and_stops_at_the_maximum() {
        assertThat(wait(0.0, 1, null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(wait(0.999_999, 1, null)).isBetween(Duration.ofSeconds(59), Duration.ofSeconds(60));
        assertThat(wait(0.0, 2, null)).isEqualTo(Duration.ofMinutes(1));
        assertThat(wait(0.0, 3, null)).isEqualTo(Duration.ofMinutes(2));
        assertThat(wait(0.0, 10, null)).isEqualTo(Duration.ofHours(3));
        assertThat(wait(0.999_999, 10, null)).isBetween(Duration.ofMinutes(359), Duration.ofHours(6));
        assertThat(wait(0.5, 1000, null)).as("no overflow after many failures").isEqualTo(Duration.ofMinutes(270));
    }

    @Test
    void never_before_the_cas_retry_after() {
        assertThat(wait(0.0, 1, NOW.plus(Duration.ofHours(1)))).isEqualTo(Duration.ofHours(1));
        assertThat(wait(0.0, 1, NOW.minusSeconds(5))).as("a Retry-After in the past changes nothing").isEqualTo(Duration.ofSeconds(30));
    }
}
