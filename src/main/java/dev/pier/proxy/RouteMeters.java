package dev.pier.proxy;

import dev.pier.model.ServiceKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * The meters of one route's traffic to one Service (or to none: local answers, unresolved paths,
 * 404s without a route). Built when a table is compiled, but each meter registers on first use,
 * so a route without traffic has no series. The hot path finds its meter by an int key in a short
 * array: no tags are built per request. When the route (or this Service of it) leaves the live
 * table, {@link #retire} removes every meter it registered, so route churn does not grow
 * {@code /metrics}; requests still in flight on it are not counted.
 */
final class RouteMeters {
    static final String REQUESTS = "pier.requests";                        // pier_requests_total
    static final String DURATION = "pier.request.duration";                // pier_request_duration_seconds
    static final String UPSTREAM_DURATION = "pier.upstream.duration";      // pier_upstream_duration_seconds
    static final String CONNECT_FAILURES = "pier.upstream.connect.failures"; // pier_upstream_connect_failures_total
    static final String TIMEOUTS = "pier.timeouts";                        // pier_timeouts_total
    static final String RETRIES = "pier.upstream.retries";                 // pier_upstream_retries_total
    static final String REQUEST_BYTES = "pier.request.body";               // pier_request_body_bytes_total
    static final String RESPONSE_BYTES = "pier.response.body";             // pier_response_body_bytes_total

    /** The route label of requests no route matched. */
    static final String NO_ROUTE = "none";
    /** The service label when no Service was chosen (a filter answered, a path named none, no route). */
    static final String NO_SERVICE = "none";

    /** Twelve bounds from 5 ms to 30 s: enough to see a p99 move, few enough to keep series per route low. */
    static final Duration[] BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    /** The method label's values: the registered methods Pier serves, and OTHER for any other token. */
    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "OTHER"};
    static final String[] STATUS_CLASSES = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};

    enum Timeout { CONNECT("connect"), BACKEND_REQUEST("backend_request"), REQUEST("request");
        final String label;
        Timeout(String label) { this.label = label; }
    }

    enum RetryReason { CONNECT("connect_failure"), RESET("connection_reset"), STATUS("status");
        final String label;
        RetryReason(String label) { this.label = label; }
    }

    /**
     * Where its meters register and the route's namespace label, one instance for many routes: a field each left no
     * room for {@link #serviceKey} within 40 B.
     */
    record Scope(MeterRegistry registry, String namespace) {}

    private final Scope scope;
    /** Replaced by the equal string of each new table that carries these meters over ({@link #carriedOver}). */
    private volatile String routeId;
    /** The service label, also what the access log and the span name. */
    final String service;
    /** The Service these meters count toward; null for the {@code none} ones. The compiled table finds meters by it. */
    final ServiceKey serviceKey;
    /**
     * The slots of the meters registered so far; null until this route's first exchange, so a route
     * without traffic costs a few fields (at 10,000 routes the slots were most of a route's heap).
     * Published once under `this`; read on event loops without a lock.
     */
    private volatile Slots slots;
    private volatile boolean retired;
    /** The route's meters of exchanges that reached no Service, when this is its first target's; made on first use. */
    private volatile RouteMeters unserved;

    /** The {@code none} meters of a route (exchanges that reached no Service), or of requests no route matched. */
    RouteMeters(MeterRegistry registry, String namespace, String routeId) {
        this(new Scope(registry, namespace), routeId, null, NO_SERVICE);
    }

    private RouteMeters(Scope scope, String routeId, ServiceKey serviceKey, String service) {
        this.scope = scope;
        this.routeId = routeId;
        this.serviceKey = serviceKey;
        this.service = service;
    }

    /** What a route that has seen traffic keeps: its tags and the meters it registered, each on first use. */
    private final class Slots {
        final Tags tags = Tags.of("namespace", scope.namespace(), "route", routeId, "service", service);
        final CounterSlots requests = new CounterSlots();
        final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(STATUS_CLASSES.length);
        final AtomicReferenceArray<Counter> timeouts = new AtomicReferenceArray<>(Timeout.values().length);
        final AtomicReferenceArray<Counter> retries = new AtomicReferenceArray<>(RetryReason.values().length);
        volatile Timer upstreamDuration;
        volatile Counter connectFailures;
        volatile Counter requestBytes;
        volatile Counter responseBytes;
        final List<Meter> registered = new ArrayList<>(); // guarded by RouteMeters.this
    }

    private Slots slots() {
        Slots s = slots;
        return s != null ? s : createSlots();
    }

    private synchronized Slots createSlots() {
        if (slots == null) slots = new Slots();
        return slots;
    }

    /**
     * A new table keeps these meters for its route: hold its (equal) id string, so the previous translation's copy
     * can go; else every route kept two id strings (~70 B) after the first rebuild.
     */
    void carriedOver(String id) {
        if (id.equals(routeId)) routeId = id;
        RouteMeters u = unserved;
        if (u != null) u.carriedOver(id);
    }

    /**
     * The meters of this route's exchanges that reached no Service (service label {@code none}), made on first use
     * and retired with this instance; called on the route's first target's meters.
     */
    RouteMeters unserved() {
        RouteMeters u = unserved;
        return u != null ? u : createUnserved();
    }

    /**
     * A new table makes this its route's first target's meters: {@code none} meters retired while it was not are made
     * again on first use.
     */
    synchronized void ownsUnserved() {
        if (unserved != null && unserved.retired) unserved = null;
    }

    /**
     * A new table makes another target its route's first: these {@code none} meters go, so a route never has two
     * sets under one name (exchanges of the old table still on them are not counted, as on a retired route).
     */
    synchronized void disownsUnserved() {
        if (unserved == null) unserved = none(scope, routeId);
        unserved.retire();
    }

    private synchronized RouteMeters createUnserved() {
        if (unserved == null) {
            RouteMeters u = none(scope, routeId);
            if (retired) u.retire();
            unserved = u;
        }
        return unserved;
    }

    /** The meters of a route toward {@code service}; a Service outside the route's namespace is labelled {@code ns/name:port}. */
    static RouteMeters forService(Scope scope, String routeId, ServiceKey service) {
        return new RouteMeters(scope, routeId, service, serviceLabel(scope.namespace(), service));
    }

    /** A route's meters of exchanges that reached no Service (service label {@code none}). */
    static RouteMeters none(Scope scope, String routeId) {
        return new RouteMeters(scope, routeId, null, NO_SERVICE);
    }

    static String serviceLabel(String routeNamespace, ServiceKey service) {
        String local = service.name() + ":" + service.port();
        // Interned: the same few labels repeat across thousands of routes (one string per route was ~48 B).
        return (service.namespace().equals(routeNamespace) ? local : service.namespace() + "/" + local).intern();
    }

    /**
     * One exchange ended: its count by method and status, its duration by status class, the time
     * its backend took ({@code upstreamNanos} < 0: no backend answered) and the body bytes both ways.
     */
    void record(HttpMethod method, int status, long durationNanos, long upstreamNanos, long bytesIn, long bytesOut) {
        if (retired) return;
        Slots s = slots();
        int code = status < 0 || status > 999 ? 0 : status;
        int sc = code >= 100 && code < 600 ? code / 100 : 0;
        Timer d = s.durations.get(sc);
        if (d == null) d = register(s.durations, sc,
                () -> timer(DURATION, "Time from the request head to the end of the answer", s.tags.and("status_class", STATUS_CLASSES[sc])));
        if (d != null) d.record(durationNanos, TimeUnit.NANOSECONDS);
        if (upstreamNanos >= 0) {
            Timer u = s.upstreamDuration;
            if (u == null) u = upstreamDuration(s);
            if (u != null) u.record(upstreamNanos, TimeUnit.NANOSECONDS);
        }
        if (bytesIn > 0) {
            Counter b = s.requestBytes;
            if (b == null) b = requestBytes(s);
            if (b != null) b.increment(bytesIn);
        }
        if (bytesOut > 0) {
            Counter b = s.responseBytes;
            if (b == null) b = responseBytes(s);
            if (b != null) b.increment(bytesOut);
        }
        // Last, so that once a request shows in pier_requests_total everything else about it was recorded.
        int m = methodIndex(method);
        Counter c = s.requests.get((m << 10) | code);
        if (c == null) c = s.requests.add((m << 10) | code, key -> counter(REQUESTS, "Requests answered",
                s.tags.and("method", METHODS[m], "code", Integer.toString(code))));
        if (c != null) c.increment();
    }

    /**
     * A request the edge answered before it reached routing (a head that timed out): its count only,
     * under method {@code OTHER} (none was read); it has no duration and no bytes worth recording.
     */
    void refused(int status) {
        if (retired) return;
        Slots s = slots();
        int code = status < 0 || status > 999 ? 0 : status;
        int m = METHODS.length - 1;
        Counter c = s.requests.get((m << 10) | code);
        if (c == null) c = s.requests.add((m << 10) | code, key -> counter(REQUESTS, "Requests answered",
                s.tags.and("method", METHODS[m], "code", Integer.toString(code))));
        if (c != null) c.increment();
    }

    void connectFailed() {
        Slots s = slots();
        Counter c = s.connectFailures;
        if (c == null) {
            synchronized (this) {
                if (s.connectFailures == null) s.connectFailures = counter(CONNECT_FAILURES,
                        "Connections to a backend endpoint that could not be opened", s.tags);
                c = s.connectFailures;
            }
        }
        if (c != null) c.increment();
    }

    void timedOut(Timeout which) {
        Slots s = slots();
        Counter c = s.timeouts.get(which.ordinal());
        if (c == null) c = register(s.timeouts, which.ordinal(), () -> counter(TIMEOUTS,
                "Requests that hit a timeout: a try's connect or backend_request bound, or the whole request bound",
                s.tags.and("timeout", which.label)));
        if (c != null) c.increment();
    }

    void retried(RetryReason why) {
        Slots s = slots();
        Counter c = s.retries.get(why.ordinal());
        if (c == null) c = register(s.retries, why.ordinal(), () -> counter(RETRIES,
                "Tries started again on another endpoint, by what failed", s.tags.and("reason", why.label)));
        if (c != null) c.increment();
    }

    private synchronized Timer upstreamDuration(Slots s) {
        if (s.upstreamDuration == null) s.upstreamDuration = timer(UPSTREAM_DURATION,
                "Time from the answering try's start to the end of its response", s.tags);
        return s.upstreamDuration;
    }

    private synchronized Counter requestBytes(Slots s) {
        if (s.requestBytes == null) s.requestBytes = bytes(REQUEST_BYTES, "Request body bytes read from clients", s.tags);
        return s.requestBytes;
    }

    private synchronized Counter responseBytes(Slots s) {
        if (s.responseBytes == null) s.responseBytes = bytes(RESPONSE_BYTES, "Response body bytes written to clients", s.tags);
        return s.responseBytes;
    }

    private <M extends Meter> M register(AtomicReferenceArray<M> slots, int i, java.util.function.Supplier<M> create) {
        synchronized (this) {
            M m = slots.get(i);
            if (m == null) {
                m = create.get();
                slots.set(i, m);
            }
            return m;
        }
    }

    // The builders below run under `this`; a retired instance registers nothing (null).

    private Counter counter(String name, String description, Tags tags) {
        if (retired) return null;
        return keep(Counter.builder(name).description(description).tags(tags).register(scope.registry()));
    }

    private Counter bytes(String name, String description, Tags tags) {
        if (retired) return null;
        return keep(Counter.builder(name).description(description).baseUnit("bytes").tags(tags).register(scope.registry()));
    }

    private Timer timer(String name, String description, Tags tags) {
        if (retired) return null;
        return keep(Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(BUCKETS).register(scope.registry()));
    }

    private <M extends Meter> M keep(M meter) {
        slots.registered.add(meter); // only reached through a Slots, so it is set
        return meter;
    }

    /** Removes every meter this instance registered; called once its route (or Service) left the live table. */
    synchronized void retire() {
        retired = true;
        if (unserved != null) unserved.retire();
        Slots s = slots;
        if (s == null) return;
        for (Meter m : s.registered) scope.registry().remove(m);
        s.registered.clear();
    }

    static int methodIndex(HttpMethod method) {
        if (method == HttpMethod.GET) return 0;
        if (method == HttpMethod.HEAD) return 1;
        if (method == HttpMethod.POST) return 2;
        if (method == HttpMethod.PUT) return 3;
        if (method == HttpMethod.DELETE) return 4;
        if (method == HttpMethod.PATCH) return 5;
        if (method == HttpMethod.OPTIONS) return 6;
        if (method == HttpMethod.CONNECT) return 7;
        if (method == HttpMethod.TRACE) return 8;
        return 9;
    }

    /**
     * Counters keyed by a small int (method and status), for the few combinations a route sees:
     * a lookup scans a short array, a new key copies it under the owner's lock.
     */
    private final class CounterSlots {
        private volatile int[] keys = new int[0];
        private volatile Counter[] counters = new Counter[0];

        Counter get(int key) {
            Counter[] cs = counters; // read before keys: a key is published after its counter
            int[] ks = keys;
            for (int i = 0; i < ks.length && i < cs.length; i++) {
                if (ks[i] == key) return cs[i];
            }
            return null;
        }

        Counter add(int key, IntFunction<Counter> create) {
            synchronized (RouteMeters.this) {
                Counter existing = get(key);
                if (existing != null) return existing;
                Counter c = create.apply(key);
                if (c == null) return null;
                int n = keys.length;
                Counter[] cs = java.util.Arrays.copyOf(counters, n + 1);
                cs[n] = c;
                int[] ks = java.util.Arrays.copyOf(keys, n + 1);
                ks[n] = key;
                counters = cs;
                keys = ks;
                return c;
            }
        }
    }
}
