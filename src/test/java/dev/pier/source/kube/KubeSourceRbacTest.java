package dev.pier.source.kube;

import static dev.pier.source.kube.KubeSourceTest.awaitTrue;
import static dev.pier.source.kube.KubeSourceTest.ingress;
import static dev.pier.source.kube.KubeSourceTest.names;
import static dev.pier.source.kube.KubeSourceTest.namespace;
import static dev.pier.source.kube.KubeSourceTest.service;
import static dev.pier.source.kube.KubeSourceTest.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Condition;
import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import dev.pier.model.Problem;
import dev.pier.model.ServiceKey;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import dev.pier.testing.ShippedRbac;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs KubeSource as user {@code pier} bound to nothing but the RBAC objects in
 * deploy/10-rbac.yaml, with the Lease deploy/ installs: every watch, status write, Event and Lease
 * call must be allowed by them.
 * Also covers GatewayRoute status, with a stand-in CRD.
 */
@ExtendWith(KubeApiServerExtension.class)
class KubeSourceRbacTest {

    @Test
    void the_documented_rbac_is_enough(KubeApiServer kube) throws Exception {
        KubernetesClient admin = kube.client();
        installGatewayRouteCrd(admin);
        String ns = namespace(admin, "rbac");
        String lease = ShippedRbac.bind(admin, ns);

        admin.services().inNamespace(ns).resource(service("web")).create();
        admin.services().inNamespace(ns).resource(new ServiceBuilder(service("pier")).editSpec().withType("LoadBalancer").endSpec().build()).create();
        admin.services().inNamespace(ns).withName("pier").editStatus(s -> new ServiceBuilder(s).withNewStatus().withNewLoadBalancer()
                .addNewIngress().withHostname("lb.pier.test").endIngress().endLoadBalancer().endStatus().build());
        admin.discovery().v1().endpointSlices().inNamespace(ns).resource(slice("web-1", "web", "198.19.255.40")).create();
        admin.network().v1().ingresses().inNamespace(ns).resource(ingress("shop", "web")).create();
        admin.genericKubernetesResources(GatewayRouteWatch.CONTEXT).inNamespace(ns).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(dev.pier.api.GatewayRoute.API_VERSION).withKind(GatewayRouteWatch.KIND)
                .withNewMetadata().withName("gr").withNamespace(ns).endMetadata()
                .addToAdditionalProperties("spec", Map.of("hostnames", List.of("gr.pier.test"),
                        "rules", List.of(Map.of("backendRefs", List.of(Map.of("name", "web", "port", 80)))))).build()).create();

        RecordingSink sink = new RecordingSink();
        sink.statuses = s -> {
            List<ObjectStatus> out = new ArrayList<>();
            s.ingresses().forEach(i -> out.add(new ObjectStatus(new ObjectRef("Ingress", ns, i.getMetadata().getName()),
                    List.of(), List.of(new Problem(new ObjectRef("Ingress", ns, i.getMetadata().getName()),
                    "spec.rules[0].http.paths[0].backend.service.port.number", Problem.RESOLVED_REFS, Problem.PORT_NOT_FOUND,
                    "Service web has no port 81")))));
            out.add(new ObjectStatus(new ObjectRef(GatewayRouteWatch.KIND, ns, "gr"),
                    List.of(new Condition("Accepted", "True", "Accepted", "route accepted", 1)), List.of()));
            return out;
        };
        try (KubernetesClient pier = kube.newClient(kube.pierToken());
             // The Lease deploy/ installs, empty, and its Role grants by name (get and patch only).
             KubeSource source = new KubeSource(pier, KubeSourceTest.options(ns).withWatchNamespaces(Set.of(ns))
                     .withLease(lease, java.time.Duration.ofSeconds(6), java.time.Duration.ofSeconds(4),
                             java.time.Duration.ofMillis(500))
                     .withPublishService(ns + "/pier"), sink)) {
            source.start();
            sink.awaitSnapshot(s -> names(s.ingresses()).contains("shop") && names(s.services()).contains("web"));
            assertThat(source.watchesGatewayRoutes()).isTrue();
            awaitTrue(source::isLeader, "pier may take the installed, empty Lease");
            awaitTrue(() -> KubeSourceTest.lbOf(admin, ns, "shop").stream().anyMatch(l -> "lb.pier.test".equals(l.getHostname())),
                    "pier may write Ingress status");
            awaitTrue(() -> conditions(admin, ns).stream().anyMatch(c -> "Accepted".equals(c.get("type"))
                    && "True".equals(c.get("status"))), "pier may write GatewayRoute status");
            awaitTrue(() -> !piersEvents(admin, ns).isEmpty(), "pier may create Events");

            admin.discovery().v1().endpointSlices().inNamespace(ns).withName("web-1")
                    .edit(x -> slice("web-1", "web", "198.19.255.41"));
            sink.awaitEndpoints(m -> m.containsKey(new ServiceKey(ns, "web", 80)));

            // Unchanged statuses are not written again, and a problem is reported once.
            String grVersion = route(admin, ns).getMetadata().getResourceVersion();
            for (String rev : List.of("1", "2")) { // the second rebuild starts only after the first one's status pass
                admin.network().v1().ingresses().inNamespace(ns).withName("shop")
                        .edit(i -> new IngressBuilder(i).editMetadata().addToAnnotations("rev", rev).endMetadata().build());
                sink.awaitSnapshot(s -> s.ingresses().stream().anyMatch(i -> rev.equals(annotation(i, "rev"))));
            }
            assertThat(route(admin, ns).getMetadata().getResourceVersion()).isEqualTo(grVersion);
            assertThat(piersEvents(admin, ns)).hasSize(1);
        }
    }

    /** The real GatewayRoute CRD from crds/, as users apply it. */
    static void installGatewayRouteCrd(KubernetesClient admin) throws Exception {
        if (GatewayRouteWatch.served(admin)) return;
        CustomResourceDefinition crd;
        try (var in = Files.newInputStream(Path.of("crds", "gatewayroutes.pier.dev-v1.yml"))) {
            crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        }
        admin.apiextensions().v1().customResourceDefinitions().resource(crd).forceConflicts().serverSideApply();
        awaitTrue(() -> {
            try (KubernetesClient fresh = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                    .withConfig(admin.getConfiguration()).build()) {
                return GatewayRouteWatch.served(fresh);
            }
        }, "GatewayRoute CRD served");
    }

    private static GenericKubernetesResource route(KubernetesClient admin, String ns) {
        return admin.genericKubernetesResources(GatewayRouteWatch.CONTEXT).inNamespace(ns).withName("gr").get();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> conditions(KubernetesClient admin, String ns) {
        Object status = route(admin, ns).getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> m && m.get("conditions") instanceof List<?> l) return (List<Map<String, Object>>) l;
        return List.of();
    }

    private static String annotation(HasMetadata o, String key) {
        return o.getMetadata().getAnnotations() == null ? null : o.getMetadata().getAnnotations().get(key);
    }

    /** Pier's own Events: the API server's repair controllers write Events into test namespaces too. */
    static java.util.List<io.fabric8.kubernetes.api.model.events.v1.Event> piersEvents(
            io.fabric8.kubernetes.client.KubernetesClient client, String ns) {
        return client.events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "pier.dev/ingress-controller".equals(e.getReportingController())).toList();
    }
}
