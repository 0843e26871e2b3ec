package dev.pier.cluster;

import static dev.pier.cluster.Cluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.PierServer;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pier in cluster mode as it runs for users: {@code PierServer.startWithKubernetes} against a
 * real API server, objects written with the built kubectl and with fabric8, traffic through
 * Pier's proxy port to backends on a network namespace's address, status read back from the API.
 */
@ExtendWith(KubeApiServerExtension.class)
class ClusterModeTest {
    private Cluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    void crd_applies_with_kubectl_and_explains_its_fields(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "crd");
        cluster.installGatewayRouteCrd();

        // kubectl reads the schema from the API server's OpenAPI, which picks up a new CRD shortly after it is established.
        String explain = Cluster.awaitValue(() -> {
            try {
                var r = kube.kubectl("explain", "gatewayroute.spec.rules");
                return r.exitCode() == 0 ? r.output() : "exit " + r.exitCode() + ": " + r.output();
            } catch (Exception e) {
                return e.toString();
            }
        }, out -> out.contains("FIELDS:"), "kubectl explain gatewayroute.spec.rules");
        assertThat(explain)
                .contains("GROUP:      pier.dev", "KIND:       GatewayRoute")
                .contains("The rules; a request goes to the best-matching one")
                .containsPattern("matches\\s+<\\[\\]Object>")
                .contains("Conditions that select this rule")
                .containsPattern("backendRefs\\s+<\\[\\]Object>")
                .contains("Services in the route's namespace that receive")
                .containsPattern("filters\\s+<\\[\\]Object>")
                .contains("Filters applied to matched requests");
        assertThat(cluster.kubectlOk("explain", "gr.spec.rules.backendRefs.weight"))
                .as("the short name works and nested fields are described").contains("weight");
    }

    @Test
    void ingresses_from_kubectl_and_fabric8_are_served_updated_and_deleted(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "ingress");
        Backend a = cluster.backend("a");
        Backend b = cluster.backend("b");
        Backend c = cluster.backend("c");
        // Objects that exist before Pier starts arrive through the informers' first list...
        cluster.kubectlApply(cluster.serviceYaml("web-a", a));
        cluster.serviceFor("web-b", b);
        PierServer pier = cluster.startPier(cluster.options("pier-0").withPublishAddress("198.19.255.77, lb.pier.test"));
        String shop = cluster.host("shop");
        String blog = cluster.host("blog");

        // ...and those created afterwards through the watches.
        cluster.kubectlApply(cluster.ingressYaml("shop", "/cart", "web-a"));
        assertThat(cluster.awaitBody(pier, shop, "/cart/items", "a saw /cart/items").status()).isEqualTo(200);
        assertThat(cluster.admin(pier, "/readyz").status()).isEqualTo(200);
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).resource(cluster.ingress("blog", "/", "web-b")).create();
        cluster.awaitBody(pier, blog, "/post/1", "b saw /post/1");
        assertThat(cluster.get(pier, shop, "/other").status()).as("a path no rule matches").isEqualTo(404);

        // Status: the publish addresses, IPs as ip and names as hostname.
        Cluster.awaitValue(() -> cluster.published("shop"), l -> l.equals(java.util.List.of("198.19.255.77", "lb.pier.test")),
                "Ingress shop status.loadBalancer");
        assertThat(cluster.loadBalancer("blog")).extracting(IngressLoadBalancerIngress::getIp, IngressLoadBalancerIngress::getHostname)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("198.19.255.77", null),
                        org.assertj.core.groups.Tuple.tuple(null, "lb.pier.test"));

        // A path change with kubectl apply, a backend change with fabric8.
        cluster.kubectlApply(cluster.ingressYaml("shop", "/checkout", "web-a"));
        cluster.awaitBody(pier, shop, "/checkout", "a saw /checkout");
        assertThat(cluster.get(pier, shop, "/cart").status()).as("the old path is gone").isEqualTo(404);
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).withName("shop").edit(i -> new IngressBuilder(i)
                .editSpec().editFirstRule().editHttp().editFirstPath().editBackend().editService().withName("web-b")
                .endService().endBackend().endPath().endHttp().endRule().endSpec().build());
        cluster.awaitBody(pier, shop, "/checkout", "b saw /checkout");

        // An EndpointSlice change moves traffic to another pod without a new routing table.
        double swapsMetric = cluster.swapsMetric(pier);
        long swaps = pier.state().view().swaps();
        String routesSwaps = "\"swaps\":" + swaps;
        assertThat(cluster.admin(pier, "/routes").body().replace(" ", "")).contains(routesSwaps);
        cluster.admin.discovery().v1().endpointSlices().inNamespace(cluster.ns).withName("web-b-1")
                .edit(s -> Cluster.slice("web-b-1", "web-b", c));
        cluster.awaitBody(pier, blog, "/post/2", "c saw /post/2");
        assertThat(cluster.get(pier, shop, "/checkout").body()).isEqualTo("c saw /checkout");
        assertThat(cluster.swapsMetric(pier)).as("pier_table_swaps_total after an endpoint-only change").isEqualTo(swapsMetric);
        assertThat(pier.state().view().swaps()).isEqualTo(swaps);
        assertThat(cluster.admin(pier, "/routes").body().replace(" ", "")).contains(routesSwaps);

        // Deletes: with kubectl, then with fabric8.
        cluster.kubectlOk("delete", "ingress", "blog", "-n", cluster.ns);
        cluster.awaitStatus(pier, blog, "/post/1", 404);
        assertThat(cluster.get(pier, shop, "/checkout").status()).as("the other Ingress still serves").isEqualTo(200);
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).withName("shop").delete();
        cluster.awaitStatus(pier, shop, "/checkout", 404);
        assertThat(cluster.admin(pier, "/readyz").status()).as("no routes left is still a live table").isEqualTo(200);
    }

    @Test
    void two_piers_elect_one_status_writer_and_the_other_takes_over(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "leader");
        Backend a = cluster.backend("a");
        cluster.serviceFor("web", a);
        cluster.kubectlApply(cluster.ingressYaml("shop", "/", "web"));
        // Each instance publishes its own address, so the Ingress status shows which one wrote it.
        PierServer one = cluster.startPier(cluster.options("pier-one").withPublishAddress("198.19.255.1"));
        PierServer two = cluster.startPier(cluster.options("pier-two").withPublishAddress("198.19.255.2"));
        String shop = cluster.host("shop");

        // Every instance serves; the Lease holder alone writes status.
        cluster.awaitBody(one, shop, "/", "a saw /");
        cluster.awaitBody(two, shop, "/", "a saw /");
        String holder = Cluster.awaitValue(() -> holder(cluster), h -> h != null, "a Lease holder");
        String leaderIp = holder.equals("pier-one") ? "198.19.255.1" : "198.19.255.2";
        String otherIp = holder.equals("pier-one") ? "198.19.255.2" : "198.19.255.1";
        Cluster.awaitValue(() -> cluster.published("shop"), l -> l.equals(java.util.List.of(leaderIp)), "the leader's status");

        // A new Ingress: both translate it, only the leader's address appears, and stays.
        cluster.kubectlApply(cluster.ingressYaml("blog", "/", "web"));
        cluster.awaitBody(one, cluster.host("blog"), "/x", "a saw /x");
        cluster.awaitBody(two, cluster.host("blog"), "/x", "a saw /x");
        Cluster.awaitValue(() -> cluster.published("blog"), l -> l.equals(java.util.List.of(leaderIp)), "the leader's status on blog");
        Thread.sleep(1500); // a follower that wrote would have done so by now (its rebuild is 100 ms after the event)
        assertThat(cluster.published("shop")).containsExactly(leaderIp);
        assertThat(cluster.published("blog")).containsExactly(leaderIp);
        assertThat(holder(cluster)).isEqualTo(holder);
        // pier_leader says the same: 1 on the holder, 0 on the other.
        PierServer holding = holder.equals("pier-one") ? one : two;
        assertThat(holding.metrics().scrape()).contains("pier_leader 1.0");
        assertThat((holding == one ? two : one).metrics().scrape()).contains("pier_leader 0.0");

        // The leader stops: it releases the Lease, the other instance takes it and rewrites status.
        PierServer leader = holder.equals("pier-one") ? one : two;
        PierServer other = leader == one ? two : one;
        cluster.stopPier(leader);
        Cluster.awaitValue(() -> holder(cluster), h -> h != null && !h.equals(holder), "the other instance holds the Lease");
        Cluster.awaitValue(() -> cluster.published("shop"), l -> l.equals(java.util.List.of(otherIp)), "the new leader's status on shop");
        Cluster.awaitValue(() -> cluster.published("blog"), l -> l.equals(java.util.List.of(otherIp)), "the new leader's status on blog");
        assertThat(cluster.get(other, shop, "/").status()).isEqualTo(200);
    }

    /** Annotations of other controllers do nothing in Pier: the leader says so once per Ingress, as an Event (and a log line). */
    @Test
    void another_controllers_annotations_are_reported_once_per_object(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "annotations");
        Backend a = cluster.backend("a");
        cluster.serviceFor("web", a);
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).resource(new IngressBuilder(cluster.ingress("shop", "/", "web"))
                .editMetadata().addToAnnotations("nginx.ingress.kubernetes.io/rewrite-target", "/$2")
                .addToAnnotations("traefik.ingress.kubernetes.io/router.tls", "true").endMetadata().build()).create();
        PierServer pier = cluster.startPier(cluster.options("pier-0"));
        cluster.awaitBody(pier, cluster.host("shop"), "/x", "a saw /x"); // served as if the annotations were not there

        var event = Cluster.awaitValue(() -> events(cluster), l -> !l.isEmpty(), "an Event for the annotations").get(0);
        assertThat(event.getReason()).isEqualTo("IgnoredAnnotation");
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getRegarding().getName()).isEqualTo("shop");
        assertThat(event.getNote()).isEqualTo("metadata.annotations: nginx.ingress.kubernetes.io/rewrite-target,"
                + " traefik.ingress.kubernetes.io/router.tls are annotations of other ingress controllers;"
                + " Pier ignores them, so they have no effect");

        // Another change means another translation and status pass; the problem is still reported once.
        cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).withName("shop")
                .edit(i -> new IngressBuilder(i).editSpec().editFirstRule().editHttp().editFirstPath().withPath("/y")
                        .endPath().endHttp().endRule().endSpec().build());
        cluster.awaitBody(pier, cluster.host("shop"), "/y", "a saw /y");
        Thread.sleep(1500); // a second Event would be written within the status pass that follows the rebuild
        assertThat(events(cluster)).hasSize(1);
    }

    private static java.util.List<io.fabric8.kubernetes.api.model.events.v1.Event> events(Cluster cluster) {
        return cluster.admin.events().v1().events().inNamespace(cluster.ns).list().getItems().stream()
                .filter(e -> "pier.dev/ingress-controller".equals(e.getReportingController())).toList();
    }

    static String holder(Cluster cluster) {
        var lease = cluster.admin.leases().inNamespace(cluster.ns).withName("pier-leader").get();
        if (lease == null || lease.getSpec() == null) return null;
        String h = lease.getSpec().getHolderIdentity();
        return h == null || h.isEmpty() ? null : h;
    }
}
