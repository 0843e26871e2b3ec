package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** A uniformly random endpoint per pick. Stateless apart from the random source. */
public final class RandomBalancer implements Balancer {
    /** null means ThreadLocalRandom.current(), read on each pick so every event loop uses its own. */
    private final RandomGenerator seeded;
    private volatile List<Endpoint> endpoints = List.of();

    public RandomBalancer() {
        this(null);
    }

    /** For tests: a seeded, single-threaded source gives a reproducible sequence. */
    RandomBalancer(RandomGenerator seeded) {
        this.seeded = seeded;
    }

    @Override
    public void setEndpoints(List<Endpoint> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public Endpoint pick(String hashKey, Endpoint avoid) {
        List<Endpoint> endpoints = this.endpoints;
        int n = endpoints.size();
        if (n == 0) return null;
        RandomGenerator random = seeded != null ? seeded : ThreadLocalRandom.current();
        int avoided = n > 1 ? RoundRobin.indexOf(endpoints, avoid) : -1;
        if (avoided < 0) return endpoints.get(random.nextInt(n));
        // Draw among the other n-1 and shift past the avoided index, so no redraw loop is needed.
        int i = random.nextInt(n - 1);
        Endpoint chosen = endpoints.get(i >= avoided ? i + 1 : i);
        // The list may hold the same address twice; then fall back to any other.
        return chosen.equals(avoid) ? RoundRobin.firstOther(endpoints, avoid) : chosen;
    }
}
