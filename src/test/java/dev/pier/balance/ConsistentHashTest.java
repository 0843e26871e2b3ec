package dev.pier.balance;

import static dev.pier.balance.LetterEndpoints.names;
import static dev.pier.balance.LetterEndpoints.serving;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsistentHashTest {
    private static final int KEYS = 10_000;

    private static List<Endpoint> endpoints(int n) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) list.add(Endpoint.of("10.0.0." + i, 8080));
        return List.copyOf(list);
    }

    /** Where each of {@link #KEYS} keys goes once {@code endpoints} are the Service's endpoints. */
    private static Map<String, Endpoint> assign(ConsistentHash ch, List<Endpoint> endpoints) {
        ch.setEndpoints(endpoints);
        Map<String, Endpoint> owner = new HashMap<>();
        for (int k = 0; k < KEYS; k++) owner.put("user-" + k, ch.pick("user-" + k, null));
        return owner;
    }

    @Test
    void same_key_goes_to_same_endpoint_across_instances_and_list_order() {
        List<Endpoint> list = endpoints(5);
        List<Endpoint> reversed = new ArrayList<>(list);
        Collections.reverse(reversed);
        Map<String, Endpoint> first = assign(new ConsistentHash(), list);
        assertThat(assign(new ConsistentHash(), list)).isEqualTo(first);
        assertThat(assign(new ConsistentHash(), List.copyOf(reversed))).isEqualTo(first);
    }

    @Test
    void removing_one_endpoint_moves_only_the_keys_that_were_on_it() {
        ConsistentHash ch = new ConsistentHash();
        List<Endpoint> five = endpoints(5);
        Endpoint removed = five.get(2);
        Map<String, Endpoint> before = assign(ch, five);
        List<Endpoint> four = five.stream().filter(e -> !e.equals(removed)).toList();
        Map<String, Endpoint> after = assign(ch, four);

        int movedFromSurvivors = 0, movedFromRemoved = 0;
        for (String key : before.keySet()) {
            if (before.get(key).equals(removed)) movedFromRemoved++;
            else if (!before.get(key).equals(after.get(key))) movedFromSurvivors++;
        }
        assertThat(movedFromSurvivors).isZero();
        assertThat(movedFromRemoved).isPositive();
        assertThat(after.values()).doesNotContain(removed);
        // The removed endpoint's keys spread over the survivors rather than piling onto one.
        Map<Endpoint, Integer> newHomes = new HashMap<>();
        before.forEach((key, e) -> {
            if (e.equals(removed)) newHomes.merge(after.get(key), 1, Integer::sum);
        });
        assertThat(newHomes).hasSize(4);
    }

    @Test
    void keys_spread_evenly_over_endpoints() {
        // Deterministic (the hash is fixed): 10,000 keys over 5 endpoints with 160 virtual nodes
        // each; measured shares are 1,915..2,053, so 15% off the mean of 2,000 catches a broken hash.
        Map<Endpoint, Integer> share = new HashMap<>();
        assign(new ConsistentHash(), endpoints(5)).values().forEach(e -> share.merge(e, 1, Integer::sum));
        assertThat(share).hasSize(5);
        assertThat(share.values()).allSatisfy(count -> assertThat(count).isBetween(1_700, 2_300));
    }

    @Test
    void missing_key_falls_back_to_round_robin() {
        List<Endpoint> list = endpoints(3);
        ConsistentHash ch = serving(new ConsistentHash(), list);
        assertThat(names(ch, 6)).isEqualTo("10.0.0.110.0.0.210.0.0.3" + "10.0.0.110.0.0.210.0.0.3");
    }

    @Test
    void avoided_endpoint_gives_the_next_one_on_the_ring_consistently() {
        List<Endpoint> five = endpoints(5);
        ConsistentHash ch = serving(new ConsistentHash(), five);
        for (int k = 0; k < 1_000; k++) {
            String key = "user-" + k;
            Endpoint first = ch.pick(key, null);
            Endpoint retry = ch.pick(key, first);
            assertThat(retry).isNotEqualTo(first);
            // The retry goes where the key would live if `first` were gone.
            List<Endpoint> withoutFirst = five.stream().filter(e -> !e.equals(first)).toList();
            assertThat(retry).isEqualTo(serving(new ConsistentHash(), withoutFirst).pick(key, null));
        }
    }

    @Test
    void the_ring_is_built_when_endpoints_are_set_and_picks_only_read_it() {
        List<Endpoint> five = endpoints(5);
        ConsistentHash ch = serving(new ConsistentHash(), five);
        assertThat(ch.ringEndpoints()).isSameAs(five);
        for (int k = 0; k < 100; k++) ch.pick("user-" + k, null);
        assertThat(ch.ringEndpoints()).isSameAs(five);
        assertThat(new ConsistentHash().pick("user-1", null)).isNull(); // no endpoints yet
    }

    @Test
    void hash_spreads_near_identical_strings() {
        assertThat(ConsistentHash.hash("10.0.0.1:8080#1")).isNotEqualTo(ConsistentHash.hash("10.0.0.1:8080#2"));
        assertThat(ConsistentHash.hash("")).isEqualTo(ConsistentHash.hash(""));
    }
}
