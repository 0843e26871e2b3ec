package dev.pier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pier.PierServer;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import dev.pier.testing.ShippedRbac;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole Pier (proxy, admin, informers over all namespaces, status, Lease) running as token
 * user {@code pier} bound to nothing but the ClusterRole and Role of deploy/10-rbac.yaml (with
 * the Lease deploy/ installs): it
 * serves and writes status, and the API server refuses it what it does not need.
 */
@ExtendWith(KubeApiServerExtension.class)
class ClusterRbacTest {
    private Cluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    void pier_with_the_shipped_rbac_serves_writes_status_and_is_refused_the_rest(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "rbac");
        ShippedRbac.bind(cluster.admin, cluster.ns);
        Backend a = cluster.backend("a");
        cluster.serviceFor("web", a);
        cluster.kubectlApply(cluster.ingressYaml("shop", "/", "web"));

        // All namespaces, as deployed: the ClusterRole must cover cluster-wide lists and watches.
        KubernetesClient asPier = kube.newClient(kube.pierToken());
        PierServer pier = cluster.startPier(asPier, cluster.options("pier-rbac").withWatchNamespaces(java.util.Set.of())
                .withPublishAddress("198.19.255.66"));
        String shop = cluster.host("shop");
        cluster.awaitBody(pier, shop, "/", "a saw /");
        Cluster.awaitValue(() -> cluster.published("shop"), l -> l.equals(List.of("198.19.255.66")), "status written as pier");
        cluster.kubectlApply(cluster.ingressYaml("shop", "/v2", "web"));
        cluster.awaitBody(pier, shop, "/v2/x", "a saw /v2/x");
        assertThat(cluster.admin(pier, "/routes").body()).as("no source errors such as a forbidden watch")
                .doesNotContain("forbidden", "Forbidden");
        assertThat(ClusterModeTest.holder(cluster)).isEqualTo("pier-rbac");

        // What Pier never does, the API server refuses.
        try (KubernetesClient p = kube.newClient(kube.pierToken())) {
            String ns = cluster.ns;
            assertForbidden(() -> p.services().inNamespace(ns).resource(Cluster.service("made-by-pier")).create(), "create a Service");
            assertForbidden(() -> p.network().v1().ingresses().inNamespace(ns).withName("shop").delete(), "delete an Ingress");
            assertForbidden(() -> p.network().v1().ingresses().inNamespace(ns).withName("shop").edit(i -> new IngressBuilder(i)
                    .editSpec().withIngressClassName("other").endSpec().build()), "change an Ingress's spec");
            assertForbidden(() -> p.secrets().inNamespace(ns).withName("any").delete(), "delete a Secret");
            assertForbidden(() -> p.leases().inNamespace("default").resource(new LeaseBuilder().withNewMetadata().withName("pier-leader")
                    .endMetadata().build()).create(), "create a Lease outside its own namespace");
            assertForbidden(() -> p.leases().inNamespace(ns).resource(new LeaseBuilder().withNewMetadata().withName("another")
                    .endMetadata().build()).create(), "create a Lease: the chart installs its one");
            assertForbidden(() -> p.leases().inNamespace(ns).withName("pier-leader").delete(), "delete its own Lease");
            assertForbidden(() -> p.discovery().v1().endpointSlices().inNamespace(ns).resource(Cluster.slice("x", "web", a)).create(),
                    "create an EndpointSlice");
            assertForbidden(() -> p.namespaces().withName(ns).delete(), "delete a namespace");
        }
    }

    private static void assertForbidden(Runnable call, String what) {
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, call::run);
        assertThat(e).as("pier may not " + what).isNotNull();
        assertThat(e.getCode()).as("pier may not " + what + ": " + e.getMessage()).isEqualTo(403);
    }
}
