package dev.pier.model;

/** One Service a route forwards to, its share of the split (0 takes no traffic) and its balancer. */
public record WeightedBackend(ServiceKey service, int weight, BalancerPolicy balancer) {
    public WeightedBackend {
        if (weight < 0) throw new IllegalArgumentException("weight < 0");
    }
}
