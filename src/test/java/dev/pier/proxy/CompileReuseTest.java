package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.balance.Balancer;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.source.file.ManifestParser;
import dev.pier.translate.TranslateOptions;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.Translator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A recompile keeps the compiled hosts whose routes did not change (with their balancers and meters)
 * and compiles the changed ones afresh; what it keeps is what a fresh compile would have carried over.
 */
class CompileReuseTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {ports: [{name: http, port: 80}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{name: http, port: 8080}]
            endpoints: [{addresses: [198.18.0.1]}]
            """;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final EndpointIndex endpoints = new EndpointIndex();
    private final BackendHealth health = new BackendHealth(OutlierOptions.DEFAULTS, registry, service -> { });

    @AfterEach
    void close() {
        health.close();
    }

    private static String ingress(String name, String path) {
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %1$s, namespace: shop}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: %1$s.example.com
                    http: {paths: [{path: %2$s, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                """.formatted(name, path);
    }

    private CompiledTable compile(String yaml, CompiledTable previous) throws Exception {
        TranslationResult result = Translator.translate(ManifestParser.toSnapshot(ManifestParser.parse("test", yaml).objects()),
                TranslateOptions.DEFAULTS, Instant.EPOCH);
        endpoints.replaceAll(result.endpoints());
        RoutingTable table = result.table();
        return CompiledTable.compile(table, previous, registry, endpoints, health);
    }

    private static CompiledRoute select(CompiledTable table, String host, String path) {
        return table.select(new Request(host, path), null);
    }

    private record Request(String host, String path) implements MatchInput {
        public String method() { return HttpMethod.GET.name(); }
        public String header(String name) { return null; }
        public String query() { return null; }
    }

    @Test
    void an_unchanged_host_is_kept_and_a_changed_one_compiled_again() throws Exception {
        CompiledTable first = compile(SERVICE + ingress("cart", "/") + ingress("shop", "/"), null);
        CompiledTable second = compile(SERVICE + ingress("cart", "/") + ingress("shop", "/v2"), first);

        assertThat(select(second, "cart.example.com", "/")).isSameAs(select(first, "cart.example.com", "/"));
        assertThat(select(second, "shop.example.com", "/v2")).isNotNull().isNotSameAs(select(first, "shop.example.com", "/"));
        assertThat(select(second, "shop.example.com", "/")).as("the old path is gone").isNull();
        // One balancer for the Service, carried over, used by the kept route and the new one alike.
        ServiceKey web = new ServiceKey("shop", "web", 80);
        Balancer balancer = first.balancer(web, BalancerPolicy.ROUND_ROBIN);
        assertThat(balancer).isNotNull();
        assertThat(second.balancer(web, BalancerPolicy.ROUND_ROBIN)).isSameAs(balancer);
        assertThat(((CompiledAction.Forward) select(second, "shop.example.com", "/v2").action).targets()[0].balancer)
                .isSameAs(balancer);
    }

    @Test
    void the_kept_hosts_meters_stay_registered_and_the_dropped_routes_meters_go() throws Exception {
        CompiledTable first = compile(SERVICE + ingress("cart", "/") + ingress("shop", "/"), null);
        Target cart = ((CompiledAction.Forward) select(first, "cart.example.com", "/").action).targets()[0];
        Target shop = ((CompiledAction.Forward) select(first, "shop.example.com", "/").action).targets()[0];
        cart.meters.record(HttpMethod.GET, 200, 1_000_000, 500_000, 0, 10);
        shop.meters.record(HttpMethod.GET, 200, 1_000_000, 500_000, 0, 10);

        CompiledTable second = compile(SERVICE + ingress("cart", "/"), first);
        first.retireMetersLeftOutOf(second);

        assertThat(registry.find(RouteMeters.REQUESTS).tag("route", select(second, "cart.example.com", "/").id).counters())
                .as("the kept route counts on").hasSize(1);
        assertThat(registry.find(RouteMeters.REQUESTS).tag("route", select(first, "shop.example.com", "/").id).counters())
                .as("the removed route's series are gone").isEmpty();
    }
}
