package dev.pier.acme;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * When to try again after failures in a row: {@code base} doubled per failure up to {@code max}, each
 * wait drawn uniformly from its upper half (jitter, so replicas and restarts do not line up), and never
 * before the CA's own Retry-After. A failure can never make the next try come sooner than {@code base}/2.
 */
final class Backoff {
    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;

    Backoff(Duration base, Duration max, DoubleSupplier random) {
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** @param failures failed tries in a row, at least 1; {@code retryAfter} the CA's earliest next try, or null */
    Instant next(Instant now, int failures, Instant retryAfter) {
        long ceiling = base.toMillis() << Math.min(Math.max(failures, 1) - 1, 30);
        if (ceiling <= 0 || ceiling > max.toMillis()) ceiling = max.toMillis();
        long wait = ceiling / 2 + (long) (random.getAsDouble() * (ceiling - ceiling / 2));
        Instant at = now.plusMillis(wait);
        return retryAfter != null && retryAfter.isAfter(at) ? retryAfter : at;
    }
}
