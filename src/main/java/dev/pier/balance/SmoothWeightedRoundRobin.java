package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round-robin over the endpoints' own weights ({@link Endpoint#weight()}, from the
 * EndpointSlice annotation {@code pier.dev/weight}); weight 0 is never picked. The algorithm is
 * sequential, so picks are synchronized. When a new endpoint list arrives, the current (smoothing)
 * weights of endpoints still present carry over, so the sequence does not restart on every churn.
 */
public final class SmoothWeightedRoundRobin implements Balancer {
    private List<Endpoint> endpoints = List.of();
    private WeightedSplit split = new WeightedSplit(new int[0]);

    @Override
    public synchronized Endpoint pick(String hashKey, Endpoint avoid) {
        if (endpoints.isEmpty()) return null;
        int excluded = avoid == null ? -1 : RoundRobin.indexOf(endpoints, avoid);
        int i = split.next(excluded);
        // Every weight is 0: the Service takes no traffic, as for a backendRef of weight 0.
        return i < 0 ? null : endpoints.get(i);
    }

    @Override
    public void setEndpoints(List<Endpoint> endpoints) {
        // The new split is built outside the pick lock, so event loops never wait for a rebuild;
        // a pick landing between the two locked steps only nudges the carried weights.
        Map<String, Integer> carried = new HashMap<>();
        synchronized (this) {
            for (int i = 0; i < this.endpoints.size(); i++) carried.put(address(this.endpoints.get(i)), split.current(i));
        }
        int n = endpoints.size();
        int[] weights = new int[n];
        int[] current = new int[n];
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get(i);
            weights[i] = e.weight();
            // Keyed by address, not the record: an endpoint whose weight changed keeps its position.
            current[i] = carried.getOrDefault(address(e), 0);
        }
        WeightedSplit next = new WeightedSplit(weights, current);
        synchronized (this) {
            split = next;
            this.endpoints = endpoints;
        }
    }

    private static String address(Endpoint e) {
        return e.host() + ":" + e.port();
    }
}
