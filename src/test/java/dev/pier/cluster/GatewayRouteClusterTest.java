package dev.pier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.PierServer;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GatewayRoutes in cluster mode: created with kubectl and fabric8, served through Pier, status
 * conditions written back; an invalid route is reported on its own status and breaks nothing else.
 */
@ExtendWith(KubeApiServerExtension.class)
class GatewayRouteClusterTest {
    private Cluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    private String routeYaml(String name, String path, String service) {
        return """
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: %s, namespace: %s}
                spec:
                  ingressClassName: pier
                  hostnames: [%s]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: %s}}]
                    backendRefs: [{name: %s, port: 80}]
                """.formatted(name, cluster.ns, cluster.host(name), path, service);
    }

    private GenericKubernetesResource route(String name, Map<String, Object> rule) {
        return new GenericKubernetesResourceBuilder().withApiVersion("pier.dev/v1alpha1").withKind("GatewayRoute")
                .withNewMetadata().withName(name).withNamespace(cluster.ns).endMetadata()
                .addToAdditionalProperties("spec", Map.of("ingressClassName", "pier", "hostnames", List.of(cluster.host(name)),
                        "rules", List.of(rule)))
                .build();
    }

    private long generation(String name) {
        return cluster.gatewayRoute(name).getMetadata().getGeneration();
    }

    /** Waits until condition {@code type} of route {@code name} has {@code status} for the route's current generation. */
    private Map<String, Object> awaitCondition(String name, String type, String status) throws InterruptedException {
        return Cluster.awaitValue(() -> cluster.condition(name, type), c -> c != null && status.equals(c.get("status"))
                        && c.get("observedGeneration") instanceof Number g && g.longValue() == generation(name),
                name + " " + type + "=" + status + " at generation " + generation(name));
    }

    @Test
    void gateway_routes_are_served_report_status_and_a_bad_one_breaks_nothing(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "gr");
        cluster.installGatewayRouteCrd(); // before Pier starts: Pier watches GatewayRoutes only if the CRD is served then
        Backend a = cluster.backend("a");
        Backend b = cluster.backend("b");
        cluster.serviceFor("web-a", a);
        cluster.serviceFor("web-b", b);
        cluster.kubectlApply(cluster.ingressYaml("plain", "/", "web-a"));
        PierServer pier = cluster.startPier(cluster.options("pier-0"));
        String api = cluster.host("api");
        cluster.awaitBody(pier, cluster.host("plain"), "/", "a saw /");

        // Created with kubectl: served, and Accepted=True for its generation.
        cluster.kubectlApply(routeYaml("api", "/v1", "web-a"));
        cluster.awaitBody(pier, api, "/v1/users", "a saw /v1/users");
        assertThat(cluster.get(pier, api, "/v2").status()).isEqualTo(404);
        Map<String, Object> accepted = awaitCondition("api", "Accepted", "True");
        assertThat(accepted.get("lastTransitionTime")).isNotNull();
        assertThat(cluster.kubectlOk("get", "gr", "api", "-n", cluster.ns)).as("kubectl get gr shows ACCEPTED").contains("True");

        // Created with fabric8, then changed (generation 2): the new path and backend are served and observed.
        cluster.admin.genericKubernetesResources(Cluster.GATEWAY_ROUTES).inNamespace(cluster.ns).resource(route("shop",
                Map.of("matches", List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/cart"))),
                        "backendRefs", List.of(Map.of("name", "web-a", "port", 80))))).create();
        cluster.awaitBody(pier, cluster.host("shop"), "/cart", "a saw /cart");
        cluster.kubectlApply(routeYaml("shop", "/checkout", "web-b"));
        cluster.awaitBody(pier, cluster.host("shop"), "/checkout/1", "b saw /checkout/1");
        assertThat(cluster.get(pier, cluster.host("shop"), "/cart").status()).isEqualTo(404);
        assertThat(generation("shop")).isEqualTo(2);
        awaitCondition("shop", "Accepted", "True");

        // Invalid routes: a backendRef to a missing Service, and a path regex that does not compile.
        cluster.admin.genericKubernetesResources(Cluster.GATEWAY_ROUTES).inNamespace(cluster.ns).resource(route("missing",
                Map.of("backendRefs", List.of(Map.of("name", "nope", "port", 80))))).create();
        cluster.admin.genericKubernetesResources(Cluster.GATEWAY_ROUTES).inNamespace(cluster.ns).resource(route("regex",
                Map.of("matches", List.of(Map.of("path", Map.of("type", "RegularExpression", "value", "/(unclosed"))),
                        "backendRefs", List.of(Map.of("name", "web-a", "port", 80))))).create();
        Map<String, Object> missing = Cluster.awaitValue(() -> falseCondition("missing"), c -> c != null, "missing: a False condition");
        assertThat(String.valueOf(missing.get("message"))).as("names the rule, the field and the Service")
                .containsIgnoringCase("rule").contains("backendRefs").contains("nope");
        Map<String, Object> regex = Cluster.awaitValue(() -> falseCondition("regex"), c -> c != null, "regex: a False condition");
        assertThat(String.valueOf(regex.get("message"))).as("names the rule and the field")
                .containsIgnoringCase("rule").contains("matches");

        // Everything else keeps serving.
        assertThat(cluster.get(pier, api, "/v1").body()).isEqualTo("a saw /v1");
        assertThat(cluster.get(pier, cluster.host("shop"), "/checkout").body()).isEqualTo("b saw /checkout");
        assertThat(cluster.get(pier, cluster.host("plain"), "/").body()).isEqualTo("a saw /");
        assertThat(cluster.get(pier, cluster.host("regex"), "/x").status()).as("the bad route is left out").isEqualTo(404);
        assertThat(cluster.condition("api", "Accepted").get("status")).isEqualTo("True");

        // Fixing the route clears the problem; deleting a route stops its traffic.
        cluster.admin.services().inNamespace(cluster.ns).resource(Cluster.service("nope")).create();
        cluster.admin.discovery().v1().endpointSlices().inNamespace(cluster.ns).resource(Cluster.slice("nope-1", "nope", b)).create();
        cluster.awaitBody(pier, cluster.host("missing"), "/fixed", "b saw /fixed");
        Cluster.awaitValue(() -> falseCondition("missing"), c -> c == null, "missing: no False condition once the Service exists");
        cluster.kubectlOk("delete", "gr", "api", "-n", cluster.ns);
        cluster.awaitStatus(pier, api, "/v1", 404);
        assertThat(cluster.get(pier, cluster.host("shop"), "/checkout").status()).isEqualTo(200);
    }

    /** The Accepted or ResolvedRefs condition of a route when it is False for the current generation, else null. */
    private Map<String, Object> falseCondition(String name) {
        for (String type : List.of("Accepted", "ResolvedRefs")) {
            Map<String, Object> c = cluster.condition(name, type);
            if (c != null && "False".equals(c.get("status")) && c.get("observedGeneration") instanceof Number g
                    && g.longValue() == generation(name)) {
                return c;
            }
        }
        return null;
    }
}
