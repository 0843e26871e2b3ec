package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How one Service's endpoints are chosen. */
public enum LoadBalancerType {
    @JsonProperty("Random")
    RANDOM,
    @JsonProperty("RoundRobin")
    ROUND_ROBIN,
    @JsonProperty("WeightedRoundRobin")
    WEIGHTED_ROUND_ROBIN,
    @JsonProperty("ConsistentHash")
    CONSISTENT_HASH,
    @JsonProperty("LeastRequest")
    LEAST_REQUEST;

    /** The name as written in YAML. */
    public String wireName() {
        try {
            return getDeclaringClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
