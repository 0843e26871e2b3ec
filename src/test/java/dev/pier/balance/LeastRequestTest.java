package dev.pier.balance;

import static dev.pier.balance.LetterEndpoints.ep;
import static dev.pier.balance.LetterEndpoints.serving;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeastRequestTest {
    private final Endpoint slow = ep("slow"), f1 = ep("f1"), f2 = ep("f2"), f3 = ep("f3");
    private final List<Endpoint> four = List.of(slow, f1, f2, f3);

    @Test
    void slow_endpoint_holding_requests_receives_far_fewer_picks() {
        LeastRequest lr = serving(new LeastRequest(new SplittableRandom(42)), four);
        // Fast endpoints finish each request 6 picks later; the slow one never finishes.
        ArrayDeque<Endpoint> fastInFlight = new ArrayDeque<>();
        Map<Endpoint, Integer> picks = new HashMap<>();
        int total = 10_000;
        for (int i = 0; i < total; i++) {
            Endpoint e = lr.pick(null, null);
            picks.merge(e, 1, Integer::sum);
            if (!e.equals(slow)) fastInFlight.add(e);
            if (fastInFlight.size() > 6) lr.release(fastInFlight.poll());
        }
        // Measured with seed 42: slow 6 picks, fast ~3,330 each (round-robin would give slow 2,500).
        assertThat(picks.getOrDefault(slow, 0)).isLessThan(total / 100);
        for (Endpoint fast : List.of(f1, f2, f3)) assertThat(picks.get(fast)).isGreaterThan(total * 3 / 10);
        assertThat(lr.inFlight(slow)).isEqualTo(picks.get(slow));
    }

    @Test
    void same_seed_gives_same_sequence() {
        LeastRequest x = serving(new LeastRequest(new SplittableRandom(7)), four);
        LeastRequest y = serving(new LeastRequest(new SplittableRandom(7)), four);
        for (int i = 0; i < 100; i++) assertThat(x.pick(null, null)).isEqualTo(y.pick(null, null));
    }

    @Test
    void counts_survive_a_list_change_and_late_release_of_a_removed_endpoint_touches_only_it() {
        LeastRequest lr = new LeastRequest(new SplittableRandom(1));
        List<Endpoint> two = List.of(slow, f1);
        lr.setEndpoints(two);
        Endpoint first = lr.pick(null, null);
        Endpoint second = lr.pick(null, null);
        assertThat(List.of(first, second)).containsExactlyInAnyOrder(slow, f1); // 1 vs 0 decides
        Endpoint third = lr.pick(null, null); // both at 1 now

        // New list without `slow`: f1's count carries over; slow's pending requests are kept.
        List<Endpoint> withoutSlow = List.of(f1, f2);
        int f1Before = lr.inFlight(f1);
        lr.setEndpoints(withoutSlow);
        assertThat(lr.pick(null, null)).isEqualTo(f2); // f1 busy, f2 idle
        assertThat(lr.inFlight(f1)).isEqualTo(f1Before);
        int slowPending = lr.inFlight(slow);
        assertThat(slowPending).isPositive();
        lr.release(slow);
        assertThat(lr.inFlight(slow)).isEqualTo(slowPending - 1);
        assertThat(lr.inFlight(f1)).isEqualTo(f1Before);
        assertThat(lr.inFlight(f2)).isEqualTo(1);
        assertThat(third).isIn(slow, f1);
    }

    @Test
    void release_never_drives_a_count_below_zero() {
        LeastRequest lr = serving(new LeastRequest(new SplittableRandom(3)), four);
        Endpoint e = lr.pick(null, null);
        lr.release(e);
        lr.release(e);
        lr.release(ep("never-picked"));
        assertThat(lr.inFlight(e)).isZero();
    }

    @Test
    void many_threads_picking_and_releasing_leave_every_count_at_zero() throws Exception {
        // Two list objects with the same endpoints: one thread keeps swapping them in mid-flight.
        List<Endpoint> listA = List.of(slow, f1, f2, f3);
        List<Endpoint> listB = List.copyOf(new java.util.ArrayList<>(listA));
        LeastRequest lr = serving(new LeastRequest(), listA);
        int threads = 8, rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    start.await();
                    ArrayDeque<Endpoint> held = new ArrayDeque<>();
                    for (int r = 0; r < rounds; r++) {
                        if (id == 0 && r % 64 == 0) lr.setEndpoints(r % 128 == 0 ? listB : listA);
                        held.add(lr.pick(null, null));
                        if (held.size() > 3) lr.release(held.poll());
                    }
                    while (!held.isEmpty()) lr.release(held.poll());
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        for (Endpoint e : listA) assertThat(lr.inFlight(e)).as("in flight on %s", e).isZero();
    }
}
