package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import java.util.List;
import java.util.Set;
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

/** The names and labels a Prometheus scrape shows, as docs/metrics.md lists them, and their removal with their routes. */
class MetricsTest {

    private static final String SHOP = "ingress/web/shop/rule/0/path/0";
    /** The labels every per-route series of the shop route carries (Fixture's routes come from namespace "test"). */
    private static final String SHOP_LABELS = "namespace=\"test\",route=\"" + SHOP + "\",service=\"svc:80\"";

    @Test
    void prometheusScrapeHasRequestsByRouteServiceMethodAndCode() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofSeconds(30))) {
            f.endpoints("svc", f.backend("a"));
            f.plane.apply(table(host("shop.test", route(SHOP, PathMatch.prefix("/"), "svc"))));
            assertThat(f.get("shop.test", "/").status()).isEqualTo(200);
            assertThat(f.get("shop.test", "/?status=500").status()).isEqualTo(500);
            assertThat(f.send(HttpMethod.POST, "shop.test", "/", io.vertx.core.MultiMap.caseInsensitiveMultiMap(), "0123456789")
                    .status()).isEqualTo(200);
            assertThat(f.get("other.test", "/").status()).isEqualTo(404);
            awaitCount(registry, SHOP, 3);

            String scrape = registry.scrape();
            assertThat(scrape)
                    .contains("pier_requests_total{code=\"200\",method=\"GET\"," + SHOP_LABELS + "} 1.0")
                    .contains("pier_requests_total{code=\"500\",method=\"GET\"," + SHOP_LABELS + "} 1.0")
                    .contains("pier_requests_total{code=\"200\",method=\"POST\"," + SHOP_LABELS + "} 1.0")
                    .contains("pier_requests_total{code=\"404\",method=\"GET\",namespace=\"\",route=\"none\",service=\"none\"} 1.0")
                    // durations by status class, twelve bounds plus +Inf
                    .contains("pier_request_duration_seconds_count{" + SHOP_LABELS + ",status_class=\"2xx\"} 2")
                    .contains("pier_request_duration_seconds_count{" + SHOP_LABELS + ",status_class=\"5xx\"} 1")
                    .contains("pier_upstream_duration_seconds_count{" + SHOP_LABELS + "} 3")
                    .contains("pier_request_body_bytes_total{" + SHOP_LABELS + "} 10.0")
                    .contains("pier_response_body_bytes_total{" + SHOP_LABELS + "}")
                    .contains("pier_active_connections ")
                    .contains("pier_active_requests 0.0")
                    .contains("pier_table_swaps_total 1.0")
                    .contains("pier_table_swap_duration_seconds ");
            assertThat(scrape.lines().filter(l -> l.startsWith("pier_request_duration_seconds_bucket{")
                    && l.contains("status_class=\"2xx\"")).count()).isEqualTo(RouteMeters.BUCKETS.length + 1);
            // The 5 ms bound is there under its Prometheus name.
            assertThat(scrape).contains("pier_request_duration_seconds_bucket{" + SHOP_LABELS + ",status_class=\"2xx\",le=\"0.005\"}");
            // Nothing per route before it has traffic: no idle series.
            assertThat(scrape).doesNotContain("pier_upstream_retries_total").doesNotContain("pier_timeouts_total");
        }
    }

    @Test
    void connectFailuresRetriesAndTimeoutsAreCountedPerRouteAndService() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofMillis(300))) {
            f.endpoints("dead", Fixture.closedPort());
            f.endpoints("svc", f.backend("a"));
            Route retrying = new Route("retry", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/dead")),
                    new RouteAction.Forward(List.of(Fixture.to("dead"))), List.of(), Timeouts.NONE,
                    new RetryPolicy(2, Duration.ZERO, Set.of(503)));
            f.plane.apply(table(host("*", retrying, route("slow", PathMatch.prefix("/"), "svc"))));
            assertThat(f.get("x", "/dead").status()).isEqualTo(502);   // three connects refused, two of them retries
            assertThat(f.get("x", "/?delay=1000").status()).isEqualTo(504); // the per-try bound (300 ms) ran out
            awaitCount(registry, "retry", 1);
            awaitCount(registry, "slow", 1);
            String dead = "namespace=\"test\",route=\"retry\",service=\"dead:80\"";
            String slow = "namespace=\"test\",route=\"slow\",service=\"svc:80\"";
            assertThat(registry.scrape())
                    .contains("pier_upstream_connect_failures_total{" + dead + "} 3.0")
                    .contains("pier_upstream_retries_total{namespace=\"test\",reason=\"connect_failure\",route=\"retry\",service=\"dead:80\"} 2.0")
                    .contains("pier_requests_total{code=\"502\",method=\"GET\"," + dead + "} 1.0")
                    .contains("pier_timeouts_total{" + slow + ",timeout=\"backend_request\"} 1.0")
                    .contains("pier_requests_total{code=\"504\",method=\"GET\"," + slow + "} 1.0");
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

            assertThat(registry.find(RouteMeters.REQUESTS).tag("route", "gone").meters()).isEmpty();
            assertThat(registry.find(RouteMeters.DURATION).tag("route", "gone").meters()).isEmpty();
            assertThat(registry.find(RouteMeters.UPSTREAM_DURATION).tag("route", "gone").meters()).isEmpty();
            assertThat(registry.find(RouteMeters.RESPONSE_BYTES).tag("route", "gone").meters()).isEmpty();
            assertThat(registry.scrape()).doesNotContain("route=\"gone\"")
                    // a route that stays keeps its meters and counts
                    .contains("pier_requests_total{code=\"200\",method=\"GET\",namespace=\"test\",route=\"keep\",service=\"svc:80\"} 1.0");
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
            assertThat(registry.find(RouteMeters.REQUESTS).tag("route", "gone").meters()).isEmpty();
            assertThat(registry.find(RouteMeters.DURATION).tag("route", "gone").meters()).isEmpty();
        }
    }

    @Test
    void aServiceTheRouteNoLongerUsesLosesItsSeriesWhileTheRouteKeepsItsOwn() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofSeconds(30))) {
            f.endpoints("old", f.backend("a"));
            f.endpoints("new", f.backend("b"));
            f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "old"))));
            assertThat(f.get("x", "/").status()).isEqualTo(200);
            awaitCount(registry, "r", 1);
            f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "new"))));
            assertThat(f.get("x", "/").status()).isEqualTo(200);
            awaitCount(registry, "r", 1);
            assertThat(registry.find(RouteMeters.REQUESTS).tag("route", "r").tag("service", "old:80").meters()).isEmpty();
            assertThat(registry.find(RouteMeters.REQUESTS).tag("route", "r").tag("service", "new:80").counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void aRouteWithABackendCountsTheExchangesAFilterAnsweredUnderServiceNoneAndDropsThemWithTheRoute() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofSeconds(30))) {
            f.endpoints("svc", f.backend("a"));
            // The route's `none` meters are made by its target's on first use, not kept per route.
            Route answered = teapot("/teapot", List.of("svc"));
            f.plane.apply(table(host("*", answered, route("served", PathMatch.prefix("/"), "svc"))));
            assertThat(f.get("x", "/teapot").status()).isEqualTo(418);
            assertThat(f.get("x", "/").status()).isEqualTo(200);
            awaitCounted(registry, "answered");
            awaitCounted(registry, "served");
            assertThat(registry.find(RouteMeters.REQUESTS).tag("route", "answered").tag("service", RouteMeters.NO_SERVICE)
                    .tag("code", "418").counter().count()).isEqualTo(1.0);
            assertThat(registry.find(RouteMeters.REQUESTS).tag("route", "served").tag("service", RouteMeters.NO_SERVICE).meters())
                    .isEmpty();

            // Kept across a swap that keeps the route, and gone with the route.
            f.plane.apply(table(host("*", answered)));
            assertThat(f.get("x", "/teapot").status()).isEqualTo(418);
            awaitCount(registry, "answered", 2);
            f.plane.apply(table(host("*", route("served", PathMatch.prefix("/"), "svc"))));
            assertThat(registry.find(RouteMeters.REQUESTS).tag("route", "answered").meters()).isEmpty();
        }
    }

    @Test
    void theNoneSeriesOfARouteSurvivesItsBackendsBeingReorderedAndOneLeaving() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Fixture f = new Fixture(registry, Duration.ofSeconds(30))) {
            f.endpoints("a", f.backend("a"));
            f.endpoints("b", f.backend("b"));
            java.util.function.Function<List<String>, Route> answered = services -> teapot("/", services);
            f.plane.apply(table(host("*", answered.apply(List.of("a", "b")))));
            assertThat(f.get("x", "/").status()).isEqualTo(418);
            awaitCount(registry, "answered", 1);
            // Another first backend, the old one still in the route; then the old one leaves.
            f.plane.apply(table(host("*", answered.apply(List.of("b", "a")))));
            assertThat(f.get("x", "/").status()).isEqualTo(418);
            awaitCount(registry, "answered", 1);
            f.plane.apply(table(host("*", answered.apply(List.of("b")))));
            assertThat(f.get("x", "/").status()).isEqualTo(418);
            awaitCount(registry, "answered", 1);
            var none = registry.find(RouteMeters.REQUESTS).tag("route", "answered").tag("service", RouteMeters.NO_SERVICE).counters();
            assertThat(none).hasSize(1);
            assertThat(none.iterator().next().count()).isGreaterThanOrEqualTo(1.0);
            assertThat(registry.scrape()).contains("pier_requests_total{code=\"418\",method=\"GET\",namespace=\"test\","
                    + "route=\"answered\",service=\"none\"}");
        }
    }

    /** Route "answered": forwards to {@code services}, but its filter answers 418 before any is reached. */
    private static Route teapot(String prefix, List<String> services) {
        return new Route("answered", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix(prefix)),
                new RouteAction.Forward(services.stream().map(Fixture::to).toList()),
                List.of(new dev.pier.model.Filter.DirectResponse(418, "tea")), Timeouts.NONE, RetryPolicy.NONE);
    }

    private static Future<Integer> send(HttpClient client, String uri) {
        return client.request(HttpMethod.GET, uri).compose(HttpClientRequest::send)
                .compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    /** The status counter appears when the exchange ends, just after the client saw the response. */
    private static void awaitCounted(MeterRegistry registry, String route) {
        awaitCount(registry, route, 1);
    }

    static void awaitCount(MeterRegistry registry, String route, int atLeast) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (registry.find(RouteMeters.REQUESTS).tag("route", route).counters().stream().mapToDouble(c -> c.count()).sum() < atLeast) {
            if (System.nanoTime() > deadline) throw new AssertionError("fewer than " + atLeast + " requests counted for route " + route);
            Thread.onSpinWait();
        }
    }
}
