package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.HealthCheck;
import dev.pier.model.ServiceKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The data plane's view of backend health: one {@link ServiceHealth} per Service port the live table
 * uses, carried across swaps like balancers, each with the active checks its routes ask for. When an
 * endpoint is ejected or returns, or a check flips, the Service's balancers get new endpoint lists
 * from the {@code pier-health} thread (through the data plane's write lock), never from an event loop;
 * an ejection's end is a task scheduled on that thread too.
 */
final class BackendHealth {
    private final OutlierOptions options;
    private final MeterRegistry registry;
    /** Recomputes one Service's balancer lists; the data plane's, under its write lock. */
    private final Consumer<ServiceKey> refresh;
    private final Map<ServiceKey, ServiceHealth> services = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pier-health");
        t.setDaemon(true);
        return t;
    });
    private volatile List<ProxyServer> servers = List.of();
    private final AtomicInteger nextServer = new AtomicInteger();

    BackendHealth(OutlierOptions options, MeterRegistry registry, Consumer<ServiceKey> refresh) {
        this.options = options;
        this.registry = registry;
        this.refresh = refresh;
    }

    /** The health of {@code key} (created with {@code endpoints} when new); called while a table compiles. */
    ServiceHealth service(ServiceKey key, List<Endpoint> endpoints) {
        return services.computeIfAbsent(key, k -> {
            ServiceHealth h = new ServiceHealth(k, options, this, registry);
            h.endpoints(endpoints);
            return h;
        });
    }

    /** Makes sure {@code service} runs {@code definition}; it starts once the servers are up. */
    void check(ServiceHealth service, HealthCheck definition) {
        service.check(definition, d -> {
            String tag = service.service.toString();
            Counter ok = Counter.builder("pier.health.checks").description("Active health check probes, by result")
                    .tag("service", tag).tag("result", "success").register(registry);
            Counter failed = Counter.builder("pier.health.checks").description("Active health check probes, by result")
                    .tag("service", tag).tag("result", "failure").register(registry);
            service.own(ok);
            service.own(failed);
            service.registerCheckMeters();
            ActiveHealthCheck check = new ActiveHealthCheck(d, service, this, ok, failed);
            List<ProxyServer> up = servers;
            if (!up.isEmpty()) check.start(up.get(Math.floorMod(nextServer.getAndIncrement(), up.size())));
            return check;
        });
    }

    /** The servers are listening: checks created before start run from now on, spread over the event loops. */
    void serversStarted(List<ProxyServer> started) {
        servers = List.copyOf(started);
        for (ServiceHealth s : services.values()) {
            for (ActiveHealthCheck c : s.checks()) {
                if (!c.started()) c.start(servers.get(Math.floorMod(nextServer.getAndIncrement(), servers.size())));
            }
        }
    }

    /** Endpoint lists that changed in the index (under the write lock). */
    void endpointsChanged(Map<ServiceKey, List<Endpoint>> changed) {
        changed.forEach((key, list) -> {
            ServiceHealth h = services.get(key);
            if (h != null) h.endpoints(list);
        });
    }

    /** After a swap: Services and checks the live table no longer uses stop and lose their meters. */
    void retain(Map<ServiceKey, Set<HealthCheck>> inUse) {
        services.entrySet().removeIf(e -> {
            Set<HealthCheck> checks = inUse.get(e.getKey());
            if (checks == null) {
                e.getValue().retire();
                return true;
            }
            e.getValue().retainChecks(checks);
            return false;
        });
    }

    /**
     * Something changed for {@code service} (an ejection, a check flipping): its balancers get new
     * lists now, and again once {@code untilNanos} (an ejection's length, 0 for none) has passed.
     */
    void healthChanged(ServiceHealth service, long untilNanos) {
        ServiceKey key = service.service;
        thread.execute(() -> refresh.accept(key));
        if (untilNanos > 0) thread.schedule(() -> refresh.accept(key), untilNanos + TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    }

    /** What the balancer of {@code key} using {@code check} may pick from. */
    List<Endpoint> available(ServiceKey key, HealthCheck check, List<Endpoint> all) {
        ServiceHealth h = services.get(key);
        return h == null ? all : h.available(check, all);
    }

    List<EndpointHealthView> view() {
        List<EndpointHealthView> out = new ArrayList<>();
        for (ServiceHealth h : services.values()) out.addAll(h.view());
        out.sort(Comparator.comparing(EndpointHealthView::service).thenComparing(EndpointHealthView::endpoint));
        return out;
    }

    /** Waits until the balancer updates queued so far have run (tests; the admin view). */
    void settle() {
        try {
            thread.submit(() -> { }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("health updates did not settle", e);
        }
    }

    void close() {
        thread.shutdownNow();
        for (ServiceHealth h : services.values()) h.retire();
        services.clear();
    }
}
