package dev.pier.proxy;

import java.time.Duration;

/**
 * Passive outlier detection, as Envoy's {@code outlier_detection} (with Envoy Gateway's defaults): an
 * endpoint whose tries fail {@code consecutiveFailures} times in a row (a 5xx answer, a refused or
 * timed-out connect, a connection broken before the response head, a per-try timeout) is ejected:
 * no balancer picks it for {@code baseEjection} times the number of times it was ejected, at most
 * {@code maxEjection}. At most {@code maxEjectionPercent} of a Service's endpoints are ejected at
 * once (always at least one may be).
 *
 * @param consecutiveFailures failures in a row that eject an endpoint; 0 turns detection off
 */
public record OutlierOptions(int consecutiveFailures, Duration baseEjection, Duration maxEjection, int maxEjectionPercent) {
    public static final OutlierOptions DEFAULTS = new OutlierOptions(5, Duration.ofSeconds(30), Duration.ofSeconds(300), 10);

    public OutlierOptions {
        if (consecutiveFailures < 0) throw new IllegalArgumentException("outlier consecutive failures < 0");
        if (baseEjection == null || baseEjection.isNegative() || baseEjection.isZero())
            throw new IllegalArgumentException("outlier base ejection time must be positive");
        if (maxEjection == null || maxEjection.compareTo(baseEjection) < 0)
            throw new IllegalArgumentException("outlier max ejection time must be at least the base ejection time");
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100)
            throw new IllegalArgumentException("outlier max ejection percent must be in 0-100");
    }

    boolean enabled() {
        return consecutiveFailures > 0;
    }
}
