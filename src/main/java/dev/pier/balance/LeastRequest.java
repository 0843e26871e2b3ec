package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Power of two random choices: draw two distinct endpoints, take the one with fewer requests in
 * flight (the first drawn on a tie, which is itself random). {@link #release} decrements. Counts
 * live per endpoint, not per list, so they survive endpoint-list changes; a request released
 * after its endpoint left the list decrements that endpoint's own counter and nothing else.
 */
public final class LeastRequest implements Balancer {
    /** null means ThreadLocalRandom.current(), read on each pick so every event loop uses its own. */
    private final RandomGenerator seeded;
    /** In-flight count per endpoint; kept after an endpoint leaves the list until it reaches 0. */
    private final Map<Endpoint, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private volatile Counters counters = new Counters(List.of(), new AtomicInteger[0]);

    public LeastRequest() {
        this(null);
    }

    /** For tests: a seeded, single-threaded source gives a reproducible sequence. */
    LeastRequest(RandomGenerator seeded) {
        this.seeded = seeded;
    }

    @Override
    public Endpoint pick(String hashKey, Endpoint avoid) {
        Counters c = counters;
        List<Endpoint> endpoints = c.endpoints;
        int n = endpoints.size();
        if (n == 0) return null;
        int avoided = n > 1 ? RoundRobin.indexOf(endpoints, avoid) : -1;
        int candidates = avoided < 0 ? n : n - 1;
        int chosen;
        if (candidates == 1) {
            chosen = 0;
        } else {
            RandomGenerator random = seeded != null ? seeded : ThreadLocalRandom.current();
            int a = random.nextInt(candidates);
            int b = random.nextInt(candidates - 1);
            if (b >= a) b++; // two distinct draws
            chosen = c.counts[b].get() < c.counts[a].get() ? b : a;
        }
        if (avoided >= 0 && chosen >= avoided) chosen++; // skip past the avoided index
        c.counts[chosen].incrementAndGet();
        return endpoints.get(chosen);
    }

    @Override
    public void release(Endpoint endpoint) {
        AtomicInteger count = inFlight.get(endpoint);
        // Never below zero, even if a caller releases twice.
        if (count != null) count.getAndUpdate(v -> v > 0 ? v - 1 : 0);
    }

    /** In-flight requests on {@code endpoint} as this balancer counts them (for tests and metrics). */
    public int inFlight(Endpoint endpoint) {
        AtomicInteger count = inFlight.get(endpoint);
        return count == null ? 0 : count.get();
    }

    @Override
    public synchronized void setEndpoints(List<Endpoint> endpoints) {
        AtomicInteger[] counts = new AtomicInteger[endpoints.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = inFlight.computeIfAbsent(endpoints.get(i), e -> new AtomicInteger());
        }
        // Forget endpoints that left the list and have nothing in flight. A pick still running on
        // the old list may bump such a dropped counter; it is garbage then and can corrupt nothing.
        Set<Endpoint> present = new HashSet<>(endpoints);
        inFlight.entrySet().removeIf(e -> e.getValue().get() == 0 && !present.contains(e.getKey()));
        counters = new Counters(endpoints, counts);
    }

    private static final class Counters {
        final List<Endpoint> endpoints;
        final AtomicInteger[] counts; // counts[i] is inFlight's counter for endpoints.get(i)

        Counters(List<Endpoint> endpoints, AtomicInteger[] counts) {
            this.endpoints = endpoints;
            this.counts = counts;
        }
    }
}
