package dev.pier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.PierServer;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conflicts in a changing cluster, on a real API server: an object that is being deleted never
 * wins a conflict, so traffic moves to the next claimant the moment the deletion starts, not
 * when the object is finally gone. The test API server runs no controller-manager, so a deleted
 * namespace stays Terminating and a finalizer keeps a deleted Ingress: the in-between state lasts
 * as long as the test needs.
 */
@ExtendWith(KubeApiServerExtension.class)
class DeletionConflictTest {
    private Cluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    void objects_being_deleted_lose_conflicts_to_the_next_claimant(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "deleting");
        String leaving = cluster.ns + "-old";
        cluster.admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(leaving).endMetadata().build()).create();
        Backend old = cluster.backend("old");
        Backend fresh = cluster.backend("new");
        Backend other = cluster.backend("b");
        cluster.admin.services().inNamespace(leaving).resource(Cluster.service("web")).create();
        cluster.admin.discovery().v1().endpointSlices().inNamespace(leaving).resource(Cluster.slice("web-1", "web", old)).create();
        cluster.serviceFor("web", fresh);
        cluster.serviceFor("web-b", other);
        String shop = cluster.host("shop");
        String blog = cluster.host("blog");

        // The older claims come first: in the namespace about to go, and one held by a finalizer.
        cluster.admin.network().v1().ingresses().inNamespace(leaving).resource(withDefault(claim("shop", leaving, shop))).create();
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).resource(new IngressBuilder(claim("held", cluster.ns, blog))
                .editMetadata().addToFinalizers("pier.test/hold").endMetadata().build()).create();
        Thread.sleep(1100); // creationTimestamp has whole seconds: the next claims are younger
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).resource(withDefault(claim("shop-new", cluster.ns, shop))).create();
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).resource(new IngressBuilder(claim("blog-new", cluster.ns, blog))
                .editSpec().editFirstRule().editHttp().editFirstPath().editBackend().editService().withName("web-b")
                .endService().endBackend().endPath().endHttp().endRule().endSpec().build()).create();

        PierServer pier = cluster.startPier(cluster.options("pier-0").withWatchNamespaces(Set.of(cluster.ns, leaving)));
        cluster.awaitBody(pier, shop, "/", "old saw /");
        cluster.awaitBody(pier, blog, "/", "new saw /");
        cluster.awaitBody(pier, "unknown.test", "/x", "old saw /x"); // the older default backend

        // The namespace starts terminating: its claims (path and default backend) lose at once.
        cluster.admin.namespaces().withName(leaving).delete();
        Cluster.await(() -> "Terminating".equals(cluster.admin.namespaces().withName(leaving).get().getStatus().getPhase()),
                "namespace " + leaving + " terminating");
        cluster.awaitBody(pier, shop, "/", "new saw /");
        cluster.awaitBody(pier, "unknown.test", "/x", "new saw /x");
        assertThat(cluster.admin.network().v1().ingresses().inNamespace(leaving).withName("shop").get())
                .as("the losing Ingress still exists (nothing deletes it without a controller-manager)").isNotNull();

        // An Ingress with a deletionTimestamp (its finalizer holds it) loses too.
        assertThat(cluster.get(pier, blog, "/").body()).isEqualTo("new saw /");
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).withName("held").delete();
        cluster.awaitBody(pier, blog, "/", "b saw /");
        assertThat(cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).withName("held").get().getMetadata()
                .getDeletionTimestamp()).as("still there, being deleted").isNotNull();
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).withName("held")
                .edit(i -> new IngressBuilder(i).editMetadata().withFinalizers().endMetadata().build());
    }

    private static Ingress claim(String name, String namespace, String host) {
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withIngressClassName("pier")
                .addNewRule().withHost(host).withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName("web").withNewPort().withNumber(80).endPort().endService().endBackend()
                .endPath().endHttp().endRule().endSpec().build();
    }

    private static Ingress withDefault(Ingress ingress) {
        return new IngressBuilder(ingress).editSpec().withNewDefaultBackend().withNewService().withName("web")
                .withNewPort().withNumber(80).endPort().endService().endDefaultBackend().endSpec().build();
    }
}
