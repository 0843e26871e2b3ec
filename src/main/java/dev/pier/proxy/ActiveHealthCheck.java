package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.HealthCheck;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One active health check definition for one Service: every {@code interval}, a {@code GET path}
 * to each endpoint through one event loop's health-check client, driven by that loop's timers, so
 * nothing blocks and nothing needs a thread of its own. Each endpoint's state lives on that loop;
 * the set of unhealthy endpoints is published as an immutable snapshot for
 * {@link ServiceHealth#available}.
 */
final class ActiveHealthCheck {
    private static final String USER_AGENT = "pier-health-check";

    final HealthCheck definition;
    private final ServiceHealth service;
    private final BackendHealth owner;
    private final Counter successes;
    private final Counter failures;
    private volatile List<Endpoint> endpoints;
    private volatile Set<Endpoint> unhealthy = Set.of();
    /** Written on the check's event loop; read there and by {@link #view}. */
    private final Map<Endpoint, EndpointState> states = new ConcurrentHashMap<>();
    private volatile ProxyServer server;
    private volatile boolean stopped;

    private static final class EndpointState {
        volatile boolean healthy = true; // endpoints start healthy: Kubernetes lists only ready ones
        volatile int failuresInARow;
        volatile int successesInARow;
        /** The probe in flight, or null. */
        Probe probe;
    }

    private static final class Probe {
        long timer = -1;
        boolean done;
    }

    ActiveHealthCheck(HealthCheck definition, ServiceHealth service, BackendHealth owner, Counter successes, Counter failures) {
        this.definition = definition;
        this.service = service;
        this.owner = owner;
        this.successes = successes;
        this.failures = failures;
        this.endpoints = service.endpoints();
    }

    /** Starts checking on {@code server}'s event loop, after a random part of one interval (checks do not start in step). */
    void start(ProxyServer server) {
        this.server = server;
        long interval = definition.interval().toMillis();
        server.context().runOnContext(v -> server.vertx().setTimer(1 + ThreadLocalRandom.current().nextLong(Math.max(1, interval)),
                id -> tick()));
    }

    boolean started() {
        return server != null;
    }

    void stop() {
        stopped = true; // the next tick does not run, a probe in flight is ignored
    }

    /** The Service's new endpoint list (off the event loops); read at the next tick. */
    void endpoints(List<Endpoint> list) {
        endpoints = list;
    }

    Set<Endpoint> unhealthy() {
        return unhealthy;
    }

    EndpointHealthView.Check view(Endpoint e) {
        EndpointState s = states.get(e);
        return s == null ? new EndpointHealthView.Check(definition.path(), true, 0, 0)
                : new EndpointHealthView.Check(definition.path(), s.healthy, s.failuresInARow, s.successesInARow);
    }

    // ---- on the check's event loop ---------------------------------------------------------------

    private void tick() {
        if (stopped) return;
        List<Endpoint> list = endpoints;
        if (states.keySet().retainAll(new HashSet<>(list))) publish();
        for (Endpoint e : list) probe(e);
        server.vertx().setTimer(definition.interval().toMillis(), id -> tick());
    }

    private void probe(Endpoint endpoint) {
        EndpointState state = states.computeIfAbsent(endpoint, e -> new EndpointState());
        if (state.probe != null) return; // the last one is still waiting for its timeout
        Probe probe = new Probe();
        state.probe = probe;
        long timeout = definition.timeout().toMillis();
        probe.timer = server.vertx().setTimer(Math.max(1, timeout), id -> {
            probe.timer = -1;
            finished(endpoint, state, probe, false);
        });
        RequestOptions options = new RequestOptions()
                .setServer(server.socketAddress(endpoint))
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setMethod(HttpMethod.GET)
                .setURI(definition.path())
                .setConnectTimeout(timeout)
                .setIdleTimeout(timeout)
                .putHeader("user-agent", USER_AGENT);
        server.healthClient().request(options)
                .compose(request -> request.send())
                .compose(response -> response.body().map(body -> isHealthy(response)))
                .onComplete(ar -> finished(endpoint, state, probe, ar.succeeded() && ar.result()));
    }

    private static boolean isHealthy(HttpClientResponse response) {
        return response.statusCode() >= 200 && response.statusCode() < 400;
    }

    private void finished(Endpoint endpoint, EndpointState state, Probe probe, boolean ok) {
        if (probe.done) return;
        probe.done = true;
        if (probe.timer >= 0) server.vertx().cancelTimer(probe.timer);
        if (state.probe == probe) state.probe = null;
        if (stopped || states.get(endpoint) != state) return;
        (ok ? successes : failures).increment();
        if (ok) {
            state.failuresInARow = 0;
            state.successesInARow++;
            if (!state.healthy && state.successesInARow >= definition.healthyThreshold()) {
                state.healthy = true;
                publish();
            }
        } else {
            state.successesInARow = 0;
            state.failuresInARow++;
            if (state.healthy && state.failuresInARow >= definition.unhealthyThreshold()) {
                state.healthy = false;
                publish();
            }
        }
    }

    /** A new snapshot of the unhealthy endpoints; the Service's balancers get new lists from the health thread. */
    private void publish() {
        Set<Endpoint> now = new HashSet<>();
        states.forEach((e, s) -> {
            if (!s.healthy) now.add(e);
        });
        unhealthy = Set.copyOf(now);
        owner.healthChanged(service, 0);
    }
}
