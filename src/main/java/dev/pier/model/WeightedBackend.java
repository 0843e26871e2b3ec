package dev.pier.model;

import java.util.Objects;

/**
 * One Service a route forwards to, its share of the split (0 takes no traffic), its balancer and
 * how Pier speaks to it.
 */
public record WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer, BackendProtocol protocol) {
    public WeightedBackend {
        if (weight < 0) throw new IllegalArgumentException("weight < 0");
        Objects.requireNonNull(protocol, "protocol");
    }

    /** A backend spoken to in HTTP/1.1. */
    public WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer) {
        this(service, weight, balancer, BackendProtocol.HTTP1);
    }
}
