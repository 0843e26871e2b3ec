package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Current endpoints per Service port, swapped on their own so that pod churn never rebuilds routes.
 * Lists are immutable; an unchanged list keeps its identity so balancers caching on it stay warm.
 */
final class EndpointIndex {
    private final ConcurrentHashMap<ServiceKey, List<Endpoint>> byService = new ConcurrentHashMap<>();

    /** @return the endpoints, or an empty list when the Service has none or is unknown */
    List<Endpoint> get(ServiceKey key) {
        List<Endpoint> endpoints = byService.get(key);
        return endpoints == null ? List.of() : endpoints;
    }

    void replaceAll(Map<ServiceKey, List<Endpoint>> all) {
        byService.keySet().retainAll(all.keySet());
        update(all);
    }

    void update(Map<ServiceKey, List<Endpoint>> changed) {
        changed.forEach((key, endpoints) -> {
            if (endpoints == null || endpoints.isEmpty()) {
                byService.remove(key);
                return;
            }
            List<Endpoint> copy = List.copyOf(endpoints);
            byService.compute(key, (k, old) -> copy.equals(old) ? old : copy);
        });
    }
}
