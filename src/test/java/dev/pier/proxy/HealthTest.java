package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import dev.pier.model.HealthCheck;
import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.WeightedBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Backend health against real backends: passive outlier detection ejects an endpoint that keeps
 * failing (and no more of a Service than allowed), for a time that grows; active checks take an
 * endpoint out while it fails them; the balancers skip both; {@code DataPlane.health()} and the
 * meters show it.
 */
class HealthTest {
    private static final String SERVICE = "test/app:80";

    /** A backend that answers {@code status} (changeable) on every path but {@code /healthz}, which answers per {@code healthy}. */
    private static Consumer<HttpServerRequest> answering(String name, AtomicInteger status, AtomicBoolean healthy,
                                                         AtomicInteger healthProbes) {
        return req -> {
            if (req.path().equals("/healthz")) {
                healthProbes.incrementAndGet();
                req.response().setStatusCode(healthy.get() ? 200 : 503).end();
                return;
            }
            req.response().setStatusCode(status.get()).putHeader("x-backend", name).end(name);
        };
    }

    private static Route to(String service, HealthCheck check) {
        return Route.forward("r", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/")),
                List.of(new WeightedBackend(svc(service), 1, BalancerPolicy.ROUND_ROBIN, check)));
    }

    private static List<String> backends(Fixture f, int requests) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < requests; i++) out.add(f.get("h", "/x").backend());
        return out;
    }

    private static EndpointHealthView view(Fixture f, Endpoint e) {
        return f.plane.health().stream().filter(v -> v.endpoint().equals(e.toString())).findFirst().orElseThrow();
    }

    /** Polls (bounded) until the endpoint's view satisfies {@code condition}; fails with the last view otherwise. */
    private static EndpointHealthView awaitView(Fixture f, Endpoint e, Predicate<EndpointHealthView> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        EndpointHealthView v = view(f, e);
        while (!condition.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            v = view(f, e);
        }
        assertThat(condition).as("endpoint health never got there; last: %s", v).accepts(v);
        f.plane.settleHealth(); // the balancers got their new lists
        return v;
    }

    /** Polls (bounded) for the Service's counter {@code name}: a try's outcome is recorded on the event loop. */
    private static Counter awaitCounter(SimpleMeterRegistry registry, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Counter c = registry.find(name).tag("service", SERVICE).counter();
        while (c == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
            c = registry.find(name).tag("service", SERVICE).counter();
        }
        assertThat(c).as("counter %s never registered", name).isNotNull();
        return c;
    }

    @Test
    void anEndpointThatKeepsFailingIsEjectedAndTheBalancerSkipsIt() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OutlierOptions outlier = new OutlierOptions(3, Duration.ofMinutes(5), Duration.ofMinutes(10), 50);
        try (Fixture f = new Fixture(registry, Fixture.options(Duration.ofSeconds(30)), outlier)) {
            AtomicInteger badStatus = new AtomicInteger(503);
            Endpoint bad = f.backend("bad", answering("bad", badStatus, new AtomicBoolean(true), new AtomicInteger()));
            Endpoint good = f.backend("good", answering("good", new AtomicInteger(200), new AtomicBoolean(true), new AtomicInteger()));
            f.endpoints("app", bad, good);
            f.plane.apply(table(host("*", to("app", null))));

            // No failure yet: no outlier meters for the Service (they cost ~480 B per Service; most never fail).
            assertThat(registry.find("pier.outlier.ejections").tag("service", SERVICE).counter()).isNull();
            assertThat(registry.find("pier.outlier.ejected").tag("service", SERVICE).gauge()).isNull();
            // Round-robin: bad answers every other request until its third failure in a row ejects it.
            assertThat(backends(f, 2)).containsExactly("bad", "good");
            // The first failure registers them, at 0, before any ejection counts.
            Counter ejections = awaitCounter(registry, "pier.outlier.ejections");
            assertThat(ejections.count()).isEqualTo(0.0);
            assertThat(registry.get("pier.outlier.ejected").tag("service", SERVICE).gauge().value()).isEqualTo(0.0);
            assertThat(backends(f, 4)).containsExactly("bad", "good", "bad", "good");
            EndpointHealthView ejected = awaitView(f, bad, EndpointHealthView::ejected);
            assertThat(ejected.ejections()).isEqualTo(1);
            assertThat(backends(f, 20)).containsOnly("good");
            assertThat(view(f, good).ejected()).isFalse();
            assertThat(registry.get("pier.outlier.ejections").tag("service", SERVICE).counter().count()).isEqualTo(1.0);
            assertThat(registry.get("pier.outlier.ejected").tag("service", SERVICE).gauge().value()).isEqualTo(1.0);
        }
    }

    @Test
    void successesBreakTheRunAndNeverEjectMoreThanTheAllowedShare() throws Exception {
        OutlierOptions outlier = new OutlierOptions(3, Duration.ofMinutes(5), Duration.ofMinutes(10), 10);
        try (Fixture f = new Fixture(new SimpleMeterRegistry(), Fixture.options(Duration.ofSeconds(30)), outlier)) {
            AtomicInteger aStatus = new AtomicInteger(200), bStatus = new AtomicInteger(503);
            Endpoint a = f.backend("a", answering("a", aStatus, new AtomicBoolean(true), new AtomicInteger()));
            Endpoint b = f.backend("b", answering("b", bStatus, new AtomicBoolean(true), new AtomicInteger()));
            f.endpoints("app", a, b);
            f.plane.apply(table(host("*", to("app", null))));

            // b fails twice, then succeeds once: the run starts again and b stays in.
            backends(f, 4);
            bStatus.set(200);
            backends(f, 2);
            bStatus.set(503);
            backends(f, 4);
            assertThat(view(f, b).ejected()).isFalse();
            assertThat(view(f, b).consecutiveFailures()).isEqualTo(2);

            // Both fail: 10% of two endpoints is less than one, and one may always go, so exactly one is ejected.
            aStatus.set(503);
            backends(f, 8);
            List<EndpointHealthView> views = f.plane.health();
            assertThat(views).filteredOn(EndpointHealthView::ejected).hasSize(1);
            // The one left keeps answering: a Service is never emptied by ejections.
            assertThat(f.get("h", "/x").status()).isEqualTo(503);
        }
    }

    @Test
    void anEjectionEndsAndTheNextOneLastsLonger() throws Exception {
        OutlierOptions outlier = new OutlierOptions(2, Duration.ofSeconds(1), Duration.ofSeconds(30), 50);
        try (Fixture f = new Fixture(new SimpleMeterRegistry(), Fixture.options(Duration.ofSeconds(30)), outlier)) {
            Endpoint bad = f.backend("bad", answering("bad", new AtomicInteger(500), new AtomicBoolean(true), new AtomicInteger()));
            Endpoint good = f.backend("good", answering("good", new AtomicInteger(200), new AtomicBoolean(true), new AtomicInteger()));
            f.endpoints("app", bad, good);
            f.plane.apply(table(host("*", to("app", null))));

            backends(f, 4);
            awaitView(f, bad, EndpointHealthView::ejected);
            awaitView(f, bad, v -> !v.ejected()); // back after the base time
            // Back in the balancer: it gets traffic again, fails twice more, and is ejected for twice as long.
            List<String> seen = new ArrayList<>();
            while (!view(f, bad).ejected() && seen.size() < 50) seen.add(f.get("h", "/x").backend());
            assertThat(seen).contains("bad");
            EndpointHealthView again = awaitView(f, bad, EndpointHealthView::ejected);
            assertThat(again.ejections()).isEqualTo(2);
        }
    }

    @Test
    void connectFailuresEjectToo() throws Exception {
        OutlierOptions outlier = new OutlierOptions(2, Duration.ofMinutes(5), Duration.ofMinutes(10), 50);
        try (Fixture f = new Fixture(new SimpleMeterRegistry(), Fixture.options(Duration.ofSeconds(30)), outlier)) {
            Endpoint good = f.backend("good", answering("good", new AtomicInteger(200), new AtomicBoolean(true), new AtomicInteger()));
            Endpoint closed;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closed = Endpoint.of("127.0.0.1", s.getLocalPort()); // nothing listens here once closed
            }
            f.endpoints("app", closed, good);
            f.plane.apply(table(host("*", to("app", null))));
            for (int i = 0; i < 4; i++) f.get("h", "/x");
            awaitView(f, closed, EndpointHealthView::ejected);
            assertThat(backends(f, 10)).containsOnly("good");
        }
    }

    @Test
    void activeChecksTakeAFailingEndpointOutUntilItPassesAgain() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HealthCheck check = new HealthCheck("/healthz", Duration.ofMillis(100), Duration.ofMillis(80), 2, 2);
        try (Fixture f = new Fixture(registry, Fixture.options(Duration.ofSeconds(30)), OutlierOptions.DEFAULTS)) {
            AtomicBoolean bHealthy = new AtomicBoolean(true);
            AtomicInteger aProbes = new AtomicInteger(), bProbes = new AtomicInteger();
            Endpoint a = f.backend("a", answering("a", new AtomicInteger(200), new AtomicBoolean(true), aProbes));
            Endpoint b = f.backend("b", answering("b", new AtomicInteger(200), bHealthy, bProbes));
            f.endpoints("app", a, b);
            f.plane.apply(table(host("*", to("app", check))));

            assertThat(backends(f, 4)).containsExactly("a", "b", "a", "b");
            bHealthy.set(false);
            awaitView(f, b, v -> !v.checks().get(0).healthy());
            assertThat(backends(f, 20)).containsOnly("a");
            assertThat(view(f, a).checks()).singleElement().satisfies(c -> assertThat(c.healthy()).isTrue());

            bHealthy.set(true);
            awaitView(f, b, v -> v.checks().get(0).healthy());
            assertThat(backends(f, 4)).contains("b");
            assertThat(aProbes.get()).isPositive();
            assertThat(registry.get("pier.health.checks").tag("service", SERVICE).tag("result", "failure").counter().count())
                    .isGreaterThanOrEqualTo(2.0);
        }
    }

    @Test
    void whenEveryEndpointFailsItsCheckTheyAllStayInRatherThanAnswering503() throws Exception {
        HealthCheck check = new HealthCheck("/healthz", Duration.ofMillis(100), Duration.ofMillis(80), 1, 1);
        try (Fixture f = new Fixture(new SimpleMeterRegistry(), Fixture.options(Duration.ofSeconds(30)), OutlierOptions.DEFAULTS)) {
            Endpoint a = f.backend("a", answering("a", new AtomicInteger(200), new AtomicBoolean(false), new AtomicInteger()));
            f.endpoints("app", a);
            f.plane.apply(table(host("*", to("app", check))));
            awaitView(f, a, v -> !v.checks().get(0).healthy());
            assertThat(f.get("h", "/x").backend()).isEqualTo("a");
        }
    }

    @Test
    void checksStopWithTheirRouteAndTheServiceLeavesTheView() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HealthCheck check = new HealthCheck("/healthz", Duration.ofMillis(50), Duration.ofMillis(40), 3, 1);
        try (Fixture f = new Fixture(registry, Fixture.options(Duration.ofSeconds(30)), OutlierOptions.DEFAULTS)) {
            AtomicInteger probes = new AtomicInteger();
            Endpoint a = f.backend("a", answering("a", new AtomicInteger(200), new AtomicBoolean(true), probes));
            f.endpoints("app", a);
            f.plane.apply(table(host("*", to("app", check))));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (probes.get() < 3 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(probes.get()).isGreaterThanOrEqualTo(3);
            // A checked Service has its unhealthy gauge from the start; with no failure, no outlier meters.
            assertThat(registry.get("pier.health.unhealthy").tag("service", SERVICE).gauge().value()).isEqualTo(0.0);
            assertThat(registry.find("pier.outlier.ejections").tag("service", SERVICE).counter()).isNull();

            f.plane.apply(table(host("*", Route.forward("other", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/")),
                    List.of(Fixture.to("elsewhere"))))));
            assertThat(f.plane.health()).noneMatch(v -> v.service().equals(SERVICE));
            assertThat(registry.find("pier.health.unhealthy").tag("service", SERVICE).gauge()).isNull();
            assertThat(registry.find("pier.health.checks").tag("service", SERVICE).counters()).isEmpty();
            Thread.sleep(200); // a tick already scheduled may still run once
            int after = probes.get();
            Thread.sleep(300);
            assertThat(probes.get()).isEqualTo(after);
        }
    }
}
