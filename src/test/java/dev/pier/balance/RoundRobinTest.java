package dev.pier.balance;

import static dev.pier.balance.LetterEndpoints.names;
import static dev.pier.balance.LetterEndpoints.serving;
import static dev.pier.balance.LetterEndpoints.ep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
    private final Endpoint a = ep("a"), b = ep("b"), c = ep("c"), d = ep("d");

    @Test
    void follows_list_order_exactly() {
        RoundRobin rr = new RoundRobin();
        assertThat(names(serving(rr, List.of(a, b, c)), 7)).isEqualTo("abcabca");
    }

    @Test
    void position_continues_when_the_endpoint_list_changes() {
        RoundRobin rr = new RoundRobin();
        assertThat(names(serving(rr, List.of(a, b, c)), 2)).isEqualTo("ab");
        // A new list (one endpoint added): the third pick is the third endpoint, not a restart at a.
        assertThat(names(serving(rr, List.of(a, b, c, d)), 3)).isEqualTo("cda");
    }

    @Test
    void empty_list_gives_null_and_single_endpoint_is_returned_even_if_avoided() {
        RoundRobin rr = new RoundRobin();
        assertThat(rr.pick(null, null)).isNull();
        assertThat(serving(rr, List.of(a)).pick(null, a)).isEqualTo(a);
        assertThat(serving(rr, List.of()).pick(null, null)).isNull();
    }
}
