package dev.pier.balance;

import static dev.pier.balance.LetterEndpoints.ep;
import static dev.pier.balance.LetterEndpoints.serving;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomBalancerTest {
    private final List<Endpoint> three = List.of(ep("a"), ep("b"), ep("c"));

    @Test
    void seeded_picks_cover_every_endpoint_about_equally() {
        RandomBalancer random = serving(new RandomBalancer(new SplittableRandom(11)), three);
        Map<Endpoint, Integer> share = new HashMap<>();
        for (int i = 0; i < 30_000; i++) share.merge(random.pick(null, null), 1, Integer::sum);
        // Binomial(30000, 1/3): standard deviation ~82; 10,000 +- 500 is beyond 6 sigma.
        assertThat(share.values()).hasSize(3).allSatisfy(n -> assertThat(n).isBetween(9_500, 10_500));
    }

    @Test
    void same_seed_same_sequence() {
        RandomBalancer x = serving(new RandomBalancer(new SplittableRandom(5)), three);
        RandomBalancer y = serving(new RandomBalancer(new SplittableRandom(5)), three);
        for (int i = 0; i < 100; i++) assertThat(x.pick(null, null)).isEqualTo(y.pick(null, null));
    }
}
