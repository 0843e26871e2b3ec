package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.PathMatch;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The names a Prometheus scrape shows, as docs/dataplane.md lists them. */
class MetricsTest {

    @Test
    void prometheusScrapeHasRequestAndSwapMetrics() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofSeconds(30))) {
            f.endpoints("svc", f.backend("a"));
            f.plane.apply(table(host("shop.test", route("ingress/web/shop/rule/0/path/0", PathMatch.prefix("/"), "svc"))));
            assertThat(f.get("shop.test", "/").status()).isEqualTo(200);
            assertThat(f.get("shop.test", "/?status=500").status()).isEqualTo(500);
            assertThat(f.get("other.test", "/").status()).isEqualTo(404);

            String scrape = registry.scrape();
            assertThat(scrape)
                    .contains("pier_requests_total{route=\"ingress/web/shop/rule/0/path/0\",status=\"200\"} 1.0")
                    .contains("pier_requests_total{route=\"ingress/web/shop/rule/0/path/0\",status=\"500\"} 1.0")
                    .contains("pier_requests_total{route=\"none\",status=\"404\"} 1.0")
                    .contains("pier_request_duration_seconds_bucket{route=\"ingress/web/shop/rule/0/path/0\"")
                    .contains("pier_request_duration_seconds_count{route=\"ingress/web/shop/rule/0/path/0\"} 2")
                    .contains("pier_table_swaps_total 1.0")
                    .contains("pier_table_swap_duration_seconds ");
        }
    }

    @Test
    void metersOfRoutesThatLeftTheTableGoWithTheSwap() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofSeconds(30))) {
            f.endpoints("svc", f.backend("a"));
            f.plane.apply(table(host("*", route("keep", PathMatch.prefix("/keep"), "svc"),
                    route("gone", PathMatch.prefix("/"), "svc"))));
            assertThat(f.get("x", "/keep").status()).isEqualTo(200);
            assertThat(f.get("x", "/other").status()).isEqualTo(200);
            awaitCounted(registry, "gone");
            awaitCounted(registry, "keep");

            f.plane.apply(table(host("*", route("keep", PathMatch.prefix("/keep"), "svc"))));

            assertThat(registry.find(RouteMetrics.REQUESTS).tag("route", "gone").meters()).isEmpty();
            assertThat(registry.find(RouteMetrics.DURATION).tag("route", "gone").meters()).isEmpty();
            assertThat(registry.scrape()).doesNotContain("route=\"gone\"")
                    // a route that stays keeps its meters and counts
                    .contains("pier_requests_total{route=\"keep\",status=\"200\"} 1.0");
        }
    }

    @Test
    void routeChurnDoesNotGrowTheRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofSeconds(30))) {
            f.endpoints("svc", f.backend("a"));
            f.plane.apply(table(host("*", route("r-0", PathMatch.prefix("/"), "svc"))));
            assertThat(f.get("x", "/").status()).isEqualTo(200);
            awaitCounted(registry, "r-0");
            int meters = registry.getMeters().size();
            for (int i = 1; i <= 30; i++) {
                f.plane.apply(table(host("*", route("r-" + i, PathMatch.prefix("/"), "svc"))));
                assertThat(f.get("x", "/").status()).isEqualTo(200);
                awaitCounted(registry, "r-" + i);
            }
            assertThat(registry.getMeters()).hasSize(meters);
        }
    }

    @Test
    void aRequestInFlightOnARemovedRouteDoesNotBringItsMetersBack() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofSeconds(30))) {
            f.endpoints("svc", f.backend("a"));
            f.plane.apply(table(host("*", route("gone", PathMatch.prefix("/"), "svc"))));
            // One connection, so the second request is served after the first exchange ended.
            HttpClient one = f.vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(f.port), new PoolOptions().setHttp1MaxSize(1));
            var slow = f.onLoop(() -> send(one, "/?delay=400&status=201"));
            Fixture.await(f.vertx.timer(150)); // the backend holds the request now
            f.plane.apply(table(host("*", route("other", PathMatch.prefix("/"), "svc"))));
            assertThat(Fixture.await(slow)).isEqualTo(201);
            assertThat(Fixture.await(f.onLoop(() -> send(one, "/")))).isEqualTo(200);
            awaitCounted(registry, "other");
            assertThat(registry.find(RouteMetrics.REQUESTS).tag("route", "gone").meters()).isEmpty();
            assertThat(registry.find(RouteMetrics.DURATION).tag("route", "gone").meters()).isEmpty();
        }
    }

    private static Future<Integer> send(HttpClient client, String uri) {
        return client.request(HttpMethod.GET, uri).compose(HttpClientRequest::send)
                .compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    /** The status counter appears when the exchange ends, just after the client saw the response. */
    private static void awaitCounted(MeterRegistry registry, String route) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (registry.find(RouteMetrics.REQUESTS).tag("route", route).counter() == null) {
            if (System.nanoTime() > deadline) throw new AssertionError("no request counted for route " + route);
            Thread.onSpinWait();
        }
    }
}
