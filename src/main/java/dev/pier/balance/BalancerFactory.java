package dev.pier.balance;

import dev.pier.model.BalancerPolicy;
import java.util.Objects;

/**
 * Builds the balancer a policy names. Each call returns a new instance with fresh state; the data
 * plane keeps the instance across table swaps for a Service whose definition did not change.
 */
public final class BalancerFactory {
    private BalancerFactory() {
    }

    public static Balancer create(BalancerPolicy policy) {
        Objects.requireNonNull(policy, "balancer policy");
        Objects.requireNonNull(policy.type(), "balancer policy type");
        return switch (policy.type()) {
            case RANDOM -> new RandomBalancer();
            case ROUND_ROBIN -> new RoundRobin();
            case WEIGHTED_ROUND_ROBIN -> new SmoothWeightedRoundRobin();
            // The hash key (header, cookie, source IP, query parameter) is read by the data plane.
            case CONSISTENT_HASH -> new ConsistentHash();
            case LEAST_REQUEST -> new LeastRequest();
        };
    }
}
