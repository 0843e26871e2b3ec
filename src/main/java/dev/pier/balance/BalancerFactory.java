package dev.pier.balance;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds the balancer a policy names. */
public final class BalancerFactory {
    private BalancerFactory() {
    }

    public static Balancer create(BalancerPolicy policy) {
        // TODO(balance): one class per algorithm; round-robin stands in for all until then.
        AtomicInteger next = new AtomicInteger();
        return (List<Endpoint> endpoints, String hashKey, Endpoint avoid) -> {
            if (endpoints.isEmpty()) return null;
            return endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
        };
    }
}
