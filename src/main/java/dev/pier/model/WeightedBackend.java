package dev.pier.model;

import java.util.Objects;

/**
 * One Service a route forwards to, its share of the split (0 takes no traffic), its balancer, its
 * active health check (null: none; passive outlier detection applies either way) and how Pier
 * speaks to it.
 */
public record WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer, HealthCheck healthCheck,
                              BackendProtocol protocol) {
    public WeightedBackend {
        if (weight < 0) throw new IllegalArgumentException("weight < 0");
        Objects.requireNonNull(protocol, "protocol");
    }

    /** Without active health checks, spoken to in HTTP/1.1. */
    public WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer) {
        this(service, weight, balancer, null, BackendProtocol.HTTP1);
    }

    /** Spoken to in HTTP/1.1. */
    public WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer, HealthCheck healthCheck) {
        this(service, weight, balancer, healthCheck, BackendProtocol.HTTP1);
    }

    /** Without active health checks. */
    public WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer, BackendProtocol protocol) {
        this(service, weight, balancer, null, protocol);
    }
}
