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
    private List<Endpoint> cachedList;
    private WeightedSplit split;

    @Override
    public synchronized Endpoint pick(List<Endpoint> endpoints, String hashKey, Endpoint avoid) {
        if (endpoints.isEmpty()) return null;
        if (endpoints != cachedList) rebuild(endpoints);
        int excluded = avoid == null ? -1 : RoundRobin.indexOf(endpoints, avoid);
        int i = split.next(excluded);
        // Every weight is 0: the Service takes no traffic, as for a backendRef of weight 0.
        return i < 0 ? null : endpoints.get(i);
    }

    private void rebuild(List<Endpoint> endpoints) {
        Map<String, Integer> carried = new HashMap<>();
        if (cachedList != null) {
            for (int i = 0; i < cachedList.size(); i++) carried.put(address(cachedList.get(i)), split.current(i));
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
        split = new WeightedSplit(weights, current);
        cachedList = endpoints;
    }

    private static String address(Endpoint e) {
        return e.host() + ":" + e.port();
    }
}
