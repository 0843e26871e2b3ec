package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How one Service's endpoints are chosen for each request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.hashOn) == (has(self.type) && self.type == 'ConsistentHash')",
        message = "hashOn is required for type ConsistentHash and not allowed for other types")
public class LoadBalancerPolicy {

    @JsonPropertyDescription("The algorithm. Random: uniform choice. RoundRobin (the default): each endpoint in turn."
            + " WeightedRoundRobin: in turn, in proportion to endpoint weights (EndpointSlice annotation"
            + " pier.dev/weight, default 1). ConsistentHash: the same hashOn value goes to the same endpoint"
            + " while the endpoints stay. LeastRequest: of two endpoints picked at random, the one with fewer"
            + " requests in flight.")
    @Default("RoundRobin")
    private LoadBalancerType type;

    @JsonPropertyDescription("What ConsistentHash hashes; required for ConsistentHash, not allowed otherwise.")
    private HashOn hashOn;

    public LoadBalancerType getType() {
        return type;
    }

    public void setType(LoadBalancerType type) {
        this.type = type;
    }

    public HashOn getHashOn() {
        return hashOn;
    }

    public void setHashOn(HashOn hashOn) {
        this.hashOn = hashOn;
    }
}
