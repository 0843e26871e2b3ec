package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.PathMatch;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
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
}
