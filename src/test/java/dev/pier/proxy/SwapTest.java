package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.PathMatch;
import dev.pier.model.RoutingTable;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Table swaps under load: a request in flight keeps the table it started with, so none fails. */
class SwapTest {

    @Test
    void twoHundredSwapsUnderConcurrentLoadFailNoRequest() throws Exception {
        try (Fixture f = new Fixture()) {
            f.endpoints("blue", f.backend("blue"));
            f.endpoints("green", f.backend("green"));
            RoutingTable blue = table(host("*", route("r", PathMatch.prefix("/"), "blue")));
            RoutingTable green = table(host("*", route("r", PathMatch.prefix("/"), "green")));
            f.plane.apply(blue);

            int total = 3000;
            int concurrency = 64;
            AtomicInteger started = new AtomicInteger();
            Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Future<Void>> lanes = new ArrayList<>();
            for (int lane = 0; lane < concurrency; lane++) {
                lanes.add(f.onLoop(() -> lane(f, total, started, seen, failures)));
            }
            Thread swapper = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    f.plane.apply(i % 2 == 0 ? green : blue);
                    Thread.onSpinWait();
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            swapper.start();
            Fixture.await(Future.all(lanes));
            swapper.join();

            assertThat(failures).isEmpty();
            assertThat(started.get()).isGreaterThanOrEqualTo(total);
            assertThat(seen.get("blue")).isNotNull();
            assertThat(seen.get("green")).isNotNull();
            assertThat(seen.get("blue").get() + seen.get("green").get()).isEqualTo(total);
            assertThat(f.metrics.counter("pier.table.swaps").count()).isEqualTo(201);
        }
    }

    /** A source takes its next change when told the table serves: a request sent at that moment meets the new table. */
    @Test
    void theNewTableServesWhenApplySaysItIsLive() throws Exception {
        try (Fixture f = new Fixture()) {
            f.endpoints("blue", f.backend("blue"));
            f.endpoints("green", f.backend("green"));
            f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "blue"))));
            List<String> seenWhenLive = new ArrayList<>();
            f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "green"))), () -> seenWhenLive.add(
                    Fixture.await(f.client.request(HttpMethod.GET, "/live").compose(HttpClientRequest::send)
                            .compose(resp -> resp.body().map(b -> resp.getHeader("x-backend"))))));
            assertThat(seenWhenLive).containsExactly("green");
        }
    }

    /** Sends requests one after another until {@code total} were started over all lanes. */
    private static Future<Void> lane(Fixture f, int total, AtomicInteger started, Map<String, AtomicInteger> seen,
                                     List<String> failures) {
        if (started.getAndIncrement() >= total) return Future.succeededFuture();
        return f.client.request(HttpMethod.GET, "/swap")
                .compose(HttpClientRequest::send)
                .compose(resp -> resp.body().map(b -> resp))
                .transform(ar -> {
                    if (ar.failed()) {
                        failures.add(ar.cause().toString());
                    } else {
                        HttpClientResponse resp = ar.result();
                        if (resp.statusCode() != 200) failures.add("status " + resp.statusCode());
                        else seen.computeIfAbsent(resp.getHeader("x-backend"), k -> new AtomicInteger()).incrementAndGet();
                    }
                    return lane(f, total, started, seen, failures);
                });
    }
}
