package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.RoutingTable;
import dev.pier.translate.RandomChanges;
import dev.pier.translate.TranslateOptions;
import dev.pier.translate.TranslationMemo;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.Translator;
import dev.pier.translate.TranslatorGoldenTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table compiled over the previous one carries over the compiled hosts whose model is the same
 * instance (incremental translation keeps unchanged hosts so). After random changes, one at a time,
 * it routes every request as a table compiled from scratch does, and its own balancer index (which
 * endpoint updates go through) holds the balancer each route's target uses.
 */
class CompiledHostCarryOverTest {
    private static final List<String> HOSTS = List.of("a.example.com", "b.example.com", "c.example.com", "other.org");
    private static final List<String> PATHS = List.of("/", "/api", "/api/v1", "/api/v1/x", "/apix");

    static LongStream seeds() {
        return LongStream.range(1, 11);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void routesAsAFreshCompileAfterEveryChange(long seed) {
        RandomChanges cluster = new RandomChanges(seed);
        TranslationMemo memo = new TranslationMemo();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EndpointIndex endpoints = new EndpointIndex();
        BackendHealth health = new BackendHealth(OutlierOptions.DEFAULTS, registry, service -> { });
        BackendHealth freshHealth = new BackendHealth(OutlierOptions.DEFAULTS, new SimpleMeterRegistry(), service -> { });
        try {
            CompiledTable live = CompiledTable.empty();
            int carried = 0;
            for (int step = 0; step < 100; step++) {
                cluster.step();
                TranslationResult result = Translator.translate(cluster.snapshot(), TranslateOptions.DEFAULTS,
                        TranslatorGoldenTest.NOW, memo);
                endpoints.replaceAll(result.endpoints());
                RoutingTable table = result.table();
                CompiledTable next = CompiledTable.compile(table, live, registry, endpoints, health);
                carried += carriedHosts(live, next);
                live.retireMetersLeftOutOf(next);
                health.retain(next.healthInUse());
                live = next;

                CompiledTable fresh = CompiledTable.compile(table, null, new SimpleMeterRegistry(), endpoints, freshHealth);
                String at = "seed " + seed + " step " + step + " after " + cluster.lastChange();
                for (String host : HOSTS) {
                    for (String path : PATHS) {
                        CompiledRoute got = live.select(request(host, path), null);
                        CompiledRoute want = fresh.select(request(host, path), null);
                        assertThat(got == null ? null : got.route).as(at + ": " + host + path).isEqualTo(want == null ? null : want.route);
                        if (got != null) assertThat(got.order).as(at).isEqualTo(want.order);
                        if (got != null && got.action instanceof CompiledAction.Forward f) {
                            for (Target t : f.targets()) {
                                assertThat(live.balancer(t.service, t.policy, healthCheck(got, t))).as(at + ": balancer of " + t.service)
                                        .isSameAs(t.balancer);
                            }
                        }
                    }
                }
            }
            assertThat(carried).as("some hosts were carried over, so the check above covered them").isPositive();
        } finally {
            health.close();
            freshHealth.close();
        }
    }

    /** Hosts of {@code next} that are the very instances of {@code previous}. */
    private static int carriedHosts(CompiledTable previous, CompiledTable next) {
        int n = 0;
        for (String host : HOSTS) {
            CompiledRoute a = previous.select(request(host, "/"), null);
            CompiledRoute b = next.select(request(host, "/"), null);
            if (a != null && a == b) n++;
        }
        return n;
    }

    private static dev.pier.model.HealthCheck healthCheck(CompiledRoute route, Target target) {
        var forward = (dev.pier.model.RouteAction.Forward) route.route.action();
        List<dev.pier.model.HealthCheck> checks = new ArrayList<>();
        for (var wb : forward.backends()) if (wb.service().equals(target.service)) checks.add(wb.healthCheck());
        return checks.get(0);
    }

    private static MatchInput request(String host, String path) {
        return new MatchInput() {
            @Override
            public String host() {
                return host;
            }

            @Override
            public String path() {
                return path;
            }

            @Override
            public String method() {
                return "GET";
            }

            @Override
            public String header(String name) {
                return null;
            }

            @Override
            public String query() {
                return null;
            }
        };
    }
}
