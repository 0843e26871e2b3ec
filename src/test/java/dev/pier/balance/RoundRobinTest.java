package dev.pier.balance;

import static dev.pier.balance.Endpoints.names;
import static dev.pier.balance.Endpoints.ep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
    private final Endpoint a = ep("a"), b = ep("b"), c = ep("c"), d = ep("d");

    @Test
    void follows_list_order_exactly() {
        RoundRobin rr = new RoundRobin();
        assertThat(names(rr, List.of(a, b, c), 7)).isEqualTo("abcabca");
    }

    @Test
    void position_continues_when_the_endpoint_list_changes() {
        RoundRobin rr = new RoundRobin();
        assertThat(names(rr, List.of(a, b, c), 2)).isEqualTo("ab");
        // A new list (one endpoint added): the third pick is the third endpoint, not a restart at a.
        assertThat(names(rr, List.of(a, b, c, d), 3)).isEqualTo("cda");
    }

    @Test
    void empty_list_gives_null_and_single_endpoint_is_returned_even_if_avoided() {
        RoundRobin rr = new RoundRobin();
        assertThat(rr.pick(List.of(), null, null)).isNull();
        assertThat(rr.pick(List.of(a), null, a)).isEqualTo(a);
    }
}
