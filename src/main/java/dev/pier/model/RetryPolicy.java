package dev.pier.model;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Retries for idempotent methods only, before any response byte went downstream.
 * {@code attempts} counts retries after the first try.
 */
public record RetryPolicy(int attempts, Duration backoff, Set<Integer> codes) {
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Set.of());

    public RetryPolicy {
        Objects.requireNonNull(backoff, "backoff");
        if (attempts < 0 || backoff.isNegative()) throw new IllegalArgumentException("attempts or backoff negative");
        codes = Set.copyOf(codes);
    }
}
