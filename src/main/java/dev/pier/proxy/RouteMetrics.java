package dev.pier.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One route's meters, built at compile time so the hot path allocates no tags. Status counters are
 * created on first use per status; a race creates the same registered meter twice, which is harmless.
 * When the route leaves the live table its meters leave the registry ({@link #retire}), so route
 * churn does not grow memory or {@code /metrics}; requests still in flight on it are not counted.
 */
final class RouteMetrics {
    static final String REQUESTS = "pier.requests";            // Prometheus: pier_requests_total
    static final String DURATION = "pier.request.duration";    // Prometheus: pier_request_duration_seconds
    static final String NO_ROUTE = "none";

    private final MeterRegistry registry;
    private final String routeId;
    private final Timer duration;
    // Read on event loops, retired from the rebuild thread: volatile slots, so retire sees every counter.
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);
    private volatile boolean retired;

    RouteMetrics(MeterRegistry registry, String routeId) {
        this.registry = registry;
        this.routeId = routeId;
        this.duration = Timer.builder(DURATION)
                .description("Time from request received to response end")
                .tag("route", routeId)
                .publishPercentileHistogram()
                .register(registry);
    }

    void record(int status, long startNanos) {
        if (retired) return;
        duration.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        Counter c = counter(status);
        if (c != null) c.increment();
    }

    private Counter counter(int status) {
        if (status < 0 || status >= byStatus.length()) status = 0;
        Counter c = byStatus.get(status);
        if (c != null || retired) return c;
        c = Counter.builder(REQUESTS)
                .description("Requests answered, by route and status")
                .tag("route", routeId)
                .tag("status", Integer.toString(status))
                .register(registry);
        byStatus.set(status, c);
        if (retired) registry.remove(c); // retire() ran meanwhile and may have missed this one
        return c;
    }

    /** Removes this route's meters from the registry; called once its route left the live table. */
    void retire() {
        retired = true;
        registry.remove(duration);
        for (int i = 0; i < byStatus.length(); i++) {
            Counter c = byStatus.get(i);
            if (c != null) registry.remove(c);
        }
    }
}
