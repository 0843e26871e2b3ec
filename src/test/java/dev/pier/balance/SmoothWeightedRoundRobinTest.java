package dev.pier.balance;

import static dev.pier.balance.LetterEndpoints.ep;
import static dev.pier.balance.LetterEndpoints.names;
import static dev.pier.balance.LetterEndpoints.serving;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {
    private final List<Endpoint> fiveOneOne = List.of(ep("a", 5), ep("b", 1), ep("c", 1));

    @Test
    void endpoint_weights_5_1_1_give_a_a_b_a_c_a_a_twice_over() {
        assertThat(names(serving(new SmoothWeightedRoundRobin(), fiveOneOne), 14)).isEqualTo("aabacaa" + "aabacaa");
    }

    @Test
    void a_new_list_with_the_same_endpoints_continues_the_sequence() {
        SmoothWeightedRoundRobin wrr = new SmoothWeightedRoundRobin();
        assertThat(names(serving(wrr, fiveOneOne), 3)).isEqualTo("aab");
        List<Endpoint> sameEndpointsNewList = List.copyOf(new ArrayList<>(fiveOneOne));
        assertThat(sameEndpointsNewList).isNotSameAs(fiveOneOne);
        assertThat(names(serving(wrr, sameEndpointsNewList), 11)).isEqualTo("acaa" + "aabacaa");
    }

    @Test
    void current_weights_carry_over_for_endpoints_still_present() {
        SmoothWeightedRoundRobin wrr = new SmoothWeightedRoundRobin();
        assertThat(names(serving(wrr, fiveOneOne), 3)).isEqualTo("aab"); // current now a=1, b=-4, c=3
        // c leaves: a keeps its lead over b (a restart at zero would give "aaab...").
        List<Endpoint> withoutC = List.of(ep("a", 5), ep("b", 1));
        assertThat(names(serving(wrr, withoutC), 6)).isEqualTo("aaaaab");
    }

    @Test
    void weight_zero_endpoint_is_never_picked_and_all_zero_gives_null() {
        SmoothWeightedRoundRobin wrr = new SmoothWeightedRoundRobin();
        assertThat(names(serving(wrr, List.of(ep("a", 0), ep("b", 2), ep("c", 1))), 9)).isEqualTo("bcb" + "bcb" + "bcb");
        assertThat(serving(wrr, List.of(ep("a", 0))).pick(null, null)).isNull();
    }
}
