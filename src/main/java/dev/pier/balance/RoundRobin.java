package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Endpoints in list order, one after the other. The position is one counter, independent of the
 * list, so it simply continues when the endpoint list changes. Lock-free.
 */
public final class RoundRobin implements Balancer {
    private final AtomicInteger next = new AtomicInteger();
    private volatile List<Endpoint> endpoints = List.of();

    @Override
    public void setEndpoints(List<Endpoint> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public Endpoint pick(String hashKey, Endpoint avoid) {
        List<Endpoint> list = endpoints;
        int n = list.size();
        if (n == 0) return null;
        Endpoint chosen = list.get(position(n));
        if (n > 1 && chosen.equals(avoid)) {
            // A retry: take the following one, and advance the counter so the sequence stays fair.
            chosen = list.get(position(n));
            if (chosen.equals(avoid)) chosen = firstOther(list, avoid);
        }
        return chosen;
    }

    // The sign bit is masked so the counter wrapping after 2^31 picks never yields a negative index.
    private int position(int n) {
        return (next.getAndIncrement() & Integer.MAX_VALUE) % n;
    }

    /** The first endpoint not equal to {@code avoid}, or {@code avoid} when there is no other. */
    static Endpoint firstOther(List<Endpoint> endpoints, Endpoint avoid) {
        for (int i = 0, n = endpoints.size(); i < n; i++) {
            Endpoint e = endpoints.get(i);
            if (!e.equals(avoid)) return e;
        }
        return avoid;
    }

    /** @return the index of {@code e} in {@code endpoints}, or -1 (linear: used only on retries) */
    static int indexOf(List<Endpoint> endpoints, Endpoint e) {
        if (e == null) return -1;
        for (int i = 0, n = endpoints.size(); i < n; i++) {
            if (endpoints.get(i).equals(e)) return i;
        }
        return -1;
    }
}
