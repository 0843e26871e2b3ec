package dev.pier.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checks of one backend Service's endpoints: {@code GET path} to each endpoint every
 * {@code interval}; a 200-399 answer within {@code timeout} is a success. An endpoint turns unhealthy
 * after {@code unhealthyThreshold} consecutive failures and healthy again after
 * {@code healthyThreshold} consecutive successes; endpoints start healthy.
 */
public record HealthCheck(String path, Duration interval, Duration timeout, int unhealthyThreshold, int healthyThreshold) {
    public HealthCheck {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (!path.startsWith("/")) throw new IllegalArgumentException("health check path \"" + path + "\" does not start with /");
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '#')
                throw new IllegalArgumentException("health check path \"" + path + "\" has a character a request target cannot hold");
        }
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero())
            throw new IllegalArgumentException("health check interval and timeout must be positive");
        if (timeout.compareTo(interval) >= 0) throw new IllegalArgumentException("health check timeout must be less than interval");
        if (unhealthyThreshold < 1 || healthyThreshold < 1) throw new IllegalArgumentException("health check thresholds must be at least 1");
    }
}
