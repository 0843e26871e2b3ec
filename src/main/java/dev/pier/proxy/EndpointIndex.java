package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Current endpoints per Service port, swapped on their own so that pod churn never rebuilds routes.
 * Lists are immutable; an unchanged list keeps its identity, so its balancers are not rebuilt.
 * Read only when a table is compiled and written by endpoint updates, both under the data plane's
 * write lock: event loops never read it (balancers hold their Service's list).
 */
final class EndpointIndex {
    private final Map<ServiceKey, List<Endpoint>> byService = new HashMap<>();

    /** @return the endpoints, or an empty list when the Service has none or is unknown */
    List<Endpoint> get(ServiceKey key) {
        List<Endpoint> endpoints = byService.get(key);
        return endpoints == null ? List.of() : endpoints;
    }

    /** Replaces every Service; @return the Services whose list changed, with their new list (empty: none left) */
    Map<ServiceKey, List<Endpoint>> replaceAll(Map<ServiceKey, List<Endpoint>> all) {
        Map<ServiceKey, List<Endpoint>> changed = new HashMap<>();
        byService.keySet().removeIf(key -> {
            if (all.containsKey(key)) return false;
            changed.put(key, List.of());
            return true;
        });
        changed.putAll(update(all));
        return changed;
    }

    /** Updates only these Services (empty or null: none); @return those whose list changed, with their new list */
    Map<ServiceKey, List<Endpoint>> update(Map<ServiceKey, List<Endpoint>> updates) {
        Map<ServiceKey, List<Endpoint>> changed = new HashMap<>();
        updates.forEach((key, endpoints) -> {
            if (endpoints == null || endpoints.isEmpty()) {
                if (byService.remove(key) != null) changed.put(key, List.of());
                return;
            }
            List<Endpoint> copy = List.copyOf(endpoints);
            if (!copy.equals(byService.get(key))) {
                byService.put(key, copy);
                changed.put(key, copy);
            }
        });
        return changed;
    }
}
