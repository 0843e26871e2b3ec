package dev.pier.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * One route's meters, built at compile time so the hot path allocates no tags. Status counters are
 * created on first use per status; a race creates the same registered meter twice, which is harmless.
 */
final class RouteMetrics {
    static final String REQUESTS = "pier.requests";            // Prometheus: pier_requests_total
    static final String DURATION = "pier.request.duration";    // Prometheus: pier_request_duration_seconds
    static final String NO_ROUTE = "none";

    private final MeterRegistry registry;
    private final String routeId;
    private final Timer duration;
    private final Counter[] byStatus = new Counter[600];

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
        duration.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        counter(status).increment();
    }

    private Counter counter(int status) {
        if (status < 0 || status >= byStatus.length) status = 0;
        Counter c = byStatus[status];
        if (c == null) {
            c = Counter.builder(REQUESTS)
                    .description("Requests answered, by route and status")
                    .tag("route", routeId)
                    .tag("status", Integer.toString(status))
                    .register(registry);
            byStatus[status] = c;
        }
        return c;
    }
}
