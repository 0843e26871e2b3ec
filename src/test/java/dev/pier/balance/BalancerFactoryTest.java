package dev.pier.balance;

import static dev.pier.balance.LetterEndpoints.ep;
import static dev.pier.balance.LetterEndpoints.serving;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.BalancerPolicy.HashOn;
import dev.pier.model.BalancerPolicy.Type;
import dev.pier.model.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BalancerFactoryTest {

    private static BalancerPolicy policy(Type type) {
        return new BalancerPolicy(type, type == Type.CONSISTENT_HASH ? new HashOn(HashOn.Source.HEADER, "x-user") : null);
    }

    @Test
    void each_policy_type_builds_its_own_class() {
        assertThat(BalancerFactory.create(policy(Type.RANDOM))).isInstanceOf(RandomBalancer.class);
        assertThat(BalancerFactory.create(policy(Type.ROUND_ROBIN))).isInstanceOf(RoundRobin.class);
        assertThat(BalancerFactory.create(policy(Type.WEIGHTED_ROUND_ROBIN))).isInstanceOf(SmoothWeightedRoundRobin.class);
        assertThat(BalancerFactory.create(policy(Type.CONSISTENT_HASH))).isInstanceOf(ConsistentHash.class);
        assertThat(BalancerFactory.create(policy(Type.LEAST_REQUEST))).isInstanceOf(LeastRequest.class);
        assertThat(BalancerFactory.create(BalancerPolicy.ROUND_ROBIN)).isNotSameAs(BalancerFactory.create(BalancerPolicy.ROUND_ROBIN));
    }

    @Test
    void null_policy_is_rejected_with_a_clear_message() {
        assertThatThrownBy(() -> BalancerFactory.create(null)).hasMessageContaining("balancer policy");
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void avoided_endpoint_is_never_returned_when_another_exists(Type type) {
        Balancer balancer = BalancerFactory.create(policy(type));
        List<Endpoint> endpoints = List.of(ep("a", 5), ep("b", 1), ep("c", 1));
        balancer.setEndpoints(endpoints);
        for (int i = 0; i < 3_000; i++) {
            Endpoint avoid = endpoints.get(i % 3);
            String key = i % 2 == 0 ? null : "key-" + i;
            Endpoint chosen = balancer.pick(key, avoid);
            assertThat(chosen).isNotNull().isNotEqualTo(avoid);
            balancer.release(chosen);
        }
        // Two endpoints: the retry must go to the other one.
        List<Endpoint> two = List.of(ep("a"), ep("b"));
        balancer.setEndpoints(two);
        for (int i = 0; i < 100; i++) assertThat(balancer.pick("k" + i, two.get(0))).isEqualTo(two.get(1));
        // One endpoint: it is the only choice, avoided or not.
        assertThat(serving(balancer, List.of(ep("a"))).pick("k", ep("a"))).isEqualTo(ep("a"));
        assertThat(serving(balancer, List.of()).pick("k", null)).isNull();
        assertThat(serving(balancer, List.of()).pick(null, null)).isNull();
    }
}
