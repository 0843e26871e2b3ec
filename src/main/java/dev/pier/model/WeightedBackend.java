package dev.pier.model;

/**
 * One Service a route forwards to, its share of the split (0 takes no traffic), its balancer and its
 * active health check (null: none; passive outlier detection applies either way).
 */
public record WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer, HealthCheck healthCheck) {
    public WeightedBackend {
        if (weight < 0) throw new IllegalArgumentException("weight < 0");
    }

    /** Without active health checks. */
    public WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer) {
        this(service, weight, balancer, null);
    }
}
