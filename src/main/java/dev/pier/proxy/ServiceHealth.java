package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.HealthCheck;
import dev.pier.model.ServiceKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The health of one Service port's endpoints: passive outlier state, fed by every try's outcome on
 * the event loops, and the active checks routes asked for. Balancers never read it on a pick: when
 * an endpoint is ejected, returns or flips under a check, {@link BackendHealth} hands the Service's
 * balancers new endpoint lists off the event loops.
 */
final class ServiceHealth {
    final ServiceKey service;
    private final OutlierOptions options;
    private final BackendHealth owner;
    /**
     * An endpoint's entry is created on its first failure; a success only reads it. The shared empty map until this
     * Service's first failure, like {@link #checks} until its first check: most Services have neither (~64 B each).
     */
    private volatile Map<Endpoint, Outlier> outliers = NO_OUTLIERS;
    private static final Map<Endpoint, Outlier> NO_OUTLIERS = Map.of();
    /** One checker per distinct check definition among the routes using this Service (written under {@code this}). */
    private volatile Map<HealthCheck, ActiveHealthCheck> checks = Map.of();
    /** The Service's endpoints, as the index has them (written under the data plane's write lock). */
    private volatile List<Endpoint> endpoints = List.of();
    private final MeterRegistry registry;
    /**
     * Null until an endpoint of this Service first fails (with outlier detection on): the ejection counter and the
     * ejected gauge register then, at 0, before any ejection can count. Most Services never fail, and three meters
     * each cost ~480 B per Service (issue 13).
     */
    private volatile Counter ejectionsTotal;
    /** The meters registered for this Service so far (guarded by {@code this}); null until the first. */
    private List<Meter> meters;
    private boolean checkMetersRegistered; // guarded by this
    private boolean retired; // guarded by this: a retired Service registers nothing more

    private static final class Outlier {
        final AtomicInteger consecutive = new AtomicInteger();
        // Written under the ServiceHealth's lock; read anywhere.
        volatile long ejectedUntil;
        volatile int ejections;
    }

    ServiceHealth(ServiceKey service, OutlierOptions options, BackendHealth owner, MeterRegistry registry) {
        this.service = service;
        this.options = options;
        this.owner = owner;
        this.registry = registry;
    }

    /**
     * This Service's first failure: its outlier map and meters are made. Rare, so a short lock on an event loop is
     * fine; returns the map.
     */
    private synchronized Map<Endpoint, Outlier> firstFailure() {
        if (outliers == NO_OUTLIERS) outliers = new ConcurrentHashMap<>();
        if (ejectionsTotal != null || retired) return outliers;
        String tag = service.toString();
        Counter counter = Counter.builder("pier.outlier.ejections").description("Endpoints ejected by outlier detection")
                .tag("service", tag).register(registry);
        own(counter);
        own(Gauge.builder("pier.outlier.ejected", this, h -> h.ejectedCount(System.nanoTime()))
                .description("Endpoints ejected by outlier detection now").tag("service", tag).register(registry));
        ejectionsTotal = counter;
        return outliers;
    }

    /** Registers the unhealthy gauge when a route first asks for an active check of this Service. */
    synchronized void registerCheckMeters() {
        if (checkMetersRegistered || retired) return;
        checkMetersRegistered = true;
        own(Gauge.builder("pier.health.unhealthy", this, h -> h.unhealthyByChecks().size())
                .description("Endpoints that fail an active health check now").tag("service", service.toString()).register(registry));
    }

    // ---- on the event loops: every try's outcome ----------------------------------------------

    void succeeded(Endpoint endpoint) {
        Outlier o = outliers.get(endpoint);
        if (o != null && o.consecutive.get() != 0) o.consecutive.set(0);
    }

    void failed(Endpoint endpoint) {
        if (!options.enabled()) return;
        Map<Endpoint, Outlier> all = outliers;
        if (all == NO_OUTLIERS) all = firstFailure();
        Outlier o = all.computeIfAbsent(endpoint, e -> new Outlier());
        if (o.consecutive.incrementAndGet() >= options.consecutiveFailures()) eject(endpoint, o);
    }

    /** Rare (a threshold reached): a short lock, no I/O; the balancers are told from the health thread. */
    private void eject(Endpoint endpoint, Outlier o) {
        long now = System.nanoTime();
        long duration;
        synchronized (this) {
            if (o.ejectedUntil - now > 0) return;
            List<Endpoint> all = endpoints;
            if (!all.contains(endpoint)) return;
            int allowed = Math.max(1, all.size() * options.maxEjectionPercent() / 100);
            if (ejectedCount(now) >= allowed) return; // keep counting: it is ejected once a place frees up
            long base = options.baseEjection().toNanos();
            // The multiplier drops by one for each base time served since the last ejection ended.
            int ejections = o.ejections;
            if (ejections > 0 && o.ejectedUntil != 0) ejections = (int) Math.max(0, ejections - (now - o.ejectedUntil) / base);
            ejections++;
            duration = Math.min(base * ejections, options.maxEjection().toNanos());
            o.ejections = ejections;
            o.ejectedUntil = now + duration;
            o.consecutive.set(0);
        }
        Counter counter = ejectionsTotal;
        if (counter != null) counter.increment(); // null only once retired before its first failure
        owner.healthChanged(this, duration);
    }

    // ---- off the event loops -------------------------------------------------------------------

    /** The index's new list for this Service; state of endpoints that left is dropped. */
    void endpoints(List<Endpoint> list) {
        endpoints = list;
        Set<Endpoint> present = new HashSet<>(list);
        Map<Endpoint, Outlier> o = outliers;
        if (!o.isEmpty()) o.keySet().retainAll(present);
        for (ActiveHealthCheck check : checks.values()) check.endpoints(list);
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }

    boolean isEjected(Endpoint endpoint, long now) {
        Outlier o = outliers.get(endpoint);
        return o != null && o.ejectedUntil - now > 0;
    }

    private int ejectedCount(long now) {
        int n = 0;
        for (Endpoint e : endpoints) if (isEjected(e, now)) n++;
        return n;
    }

    /**
     * What a balancer using {@code check} (null: none) may pick from: {@code all} without ejected
     * endpoints and those failing the check. The same list when nothing is left out; all of them
     * when nothing would be left (trying a failing endpoint beats answering 503 at once).
     */
    List<Endpoint> available(HealthCheck check, List<Endpoint> all) {
        long now = System.nanoTime();
        ActiveHealthCheck active = check == null ? null : checks.get(check);
        Set<Endpoint> unhealthy = active == null ? Set.of() : active.unhealthy();
        List<Endpoint> out = null;
        for (int i = 0; i < all.size(); i++) {
            Endpoint e = all.get(i);
            boolean excluded = isEjected(e, now) || unhealthy.contains(e);
            if (excluded && out == null) out = new ArrayList<>(all.subList(0, i));
            else if (!excluded && out != null) out.add(e);
        }
        if (out == null) return all;
        return out.isEmpty() ? all : List.copyOf(out);
    }

    private Set<Endpoint> unhealthyByChecks() {
        Set<Endpoint> union = new HashSet<>();
        for (ActiveHealthCheck c : checks.values()) union.addAll(c.unhealthy());
        return union;
    }

    /** One view per endpoint, for {@code /routes}. */
    List<EndpointHealthView> view() {
        long now = System.nanoTime();
        List<EndpointHealthView> out = new ArrayList<>();
        for (Endpoint e : endpoints) {
            Outlier o = outliers.get(e);
            long left = o == null ? 0 : Math.max(0, o.ejectedUntil - now);
            List<EndpointHealthView.Check> checkViews = new ArrayList<>();
            for (ActiveHealthCheck c : checks.values()) checkViews.add(c.view(e));
            out.add(new EndpointHealthView(service.toString(), e.toString(), left > 0, TimeUnit.NANOSECONDS.toMillis(left),
                    o == null ? 0 : o.ejections, o == null ? 0 : o.consecutive.get(), checkViews));
        }
        return out;
    }

    /** A meter of this Service (an active check's counters) that leaves the registry with it. */
    synchronized void own(Meter meter) {
        if (retired) {
            registry.remove(meter); // registered as the Service retired: it must not stay behind
            return;
        }
        if (meters == null) meters = new ArrayList<>(4);
        if (!meters.contains(meter)) meters.add(meter);
    }

    /** The Service left every table: its checks stop and its meters leave the registry. */
    synchronized void retire() {
        for (ActiveHealthCheck c : checks.values()) c.stop();
        checks = Map.of();
        retired = true;
        if (meters != null) for (Meter m : meters) registry.remove(m);
        meters = null;
    }

    /** Checks no route of the live table asks for any more are stopped. */
    synchronized void retainChecks(Set<HealthCheck> wanted) {
        if (checks.isEmpty()) return;
        Map<HealthCheck, ActiveHealthCheck> gone = new HashMap<>(checks);
        gone.keySet().removeAll(wanted);
        gone.forEach((definition, check) -> {
            checks.remove(definition);
            check.stop();
        });
    }

    /** The checkers running for this Service. */
    Collection<ActiveHealthCheck> checks() {
        return checks.values();
    }

    /** The checker of {@code definition}, made by {@code create} (under this Service's lock) when there is none yet. */
    synchronized ActiveHealthCheck check(HealthCheck definition, Function<HealthCheck, ActiveHealthCheck> create) {
        ActiveHealthCheck existing = checks.get(definition);
        if (existing != null) return existing;
        if (checks.isEmpty()) checks = new ConcurrentHashMap<>(); // the shared empty map until the first
        ActiveHealthCheck made = create.apply(definition);
        checks.put(definition, made);
        return made;
    }
}
