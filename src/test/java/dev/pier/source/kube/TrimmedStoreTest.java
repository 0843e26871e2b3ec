package dev.pier.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrimmedStoreTest {

    @Test
    void dropsManagedFieldsAndLastAppliedButKeepsWhatTranslationReads() {
        Ingress ingress = new IngressBuilder().withNewMetadata().withName("web").withNamespace("shop")
                .addToAnnotations(TrimmedStore.LAST_APPLIED, "{...a copy of the whole object...}")
                .addToAnnotations("kubernetes.io/ingress.class", "pier")
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").build()).endMetadata()
                .withNewSpec().withIngressClassName("pier").endSpec().build();
        TrimmedStore<Ingress> store = new TrimmedStore<>();
        store.put(store.getKey(ingress), ingress);
        Ingress kept = store.get("shop/web");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getAnnotations()).containsOnlyKeys("kubernetes.io/ingress.class");
        assertThat(kept.getSpec().getIngressClassName()).isEqualTo("pier");
    }

    @Test
    void compactingAnIngressKeepsEveryFieldTranslationAndStatusWritingRead() {
        Ingress ingress = new IngressBuilder().withNewMetadata().withName("web").withNamespace(new String("shop"))
                .withUid("0b0e6f1a-5c1e-4d0a-9c39-1f7a2b1c3d4e").withResourceVersion("42").withGeneration(3L)
                .withCreationTimestamp("2026-11-27T21:00:00Z").addToLabels("app", "web")
                .addToAnnotations("pier.dev/forward-raw-path", "true").endMetadata()
                .withNewSpec().withIngressClassName("pier")
                .withNewDefaultBackend().withNewService().withName("fallback").withNewPort().withNumber(80).endPort().endService()
                .endDefaultBackend()
                .addNewTl().withHosts("shop.example.com").withSecretName("cert").endTl()
                .addNewRule().withHost("shop.example.com").withNewHttp()
                .addNewPath().withPath("/cart").withPathType("Prefix").withNewBackend().withNewService().withName("cart")
                .withNewPort().withName("http").endPort().endService().endBackend().endPath()
                .addNewPath().withPath("/").withPathType("Exact").withNewBackend().withNewResource("example.com", "Bucket", "static")
                .endBackend().endPath()
                .endHttp().endRule().endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("192.0.2.10").endIngress().endLoadBalancer()
                .endStatus().build();
        Ingress copy = new IngressBuilder(ingress).build();
        copy.getMetadata().setManagedFields(null); // the one thing dropped (covered above)
        TrimmedStore<Ingress> store = new TrimmedStore<>();
        store.put(store.getKey(ingress), ingress);
        Ingress kept = store.get("shop/web");
        assertThat(kept).isEqualTo(copy); // nothing read is lost (fabric8's equals compares every field)
        assertThat(kept.getMetadata().getNamespace()).isSameAs("shop"); // the shared copy
        assertThat(kept.getSpec().getRules().get(0).getHttp().getPaths().get(0).getAdditionalProperties()).isEmpty();
    }

    @Test
    void listsObjectsByNamespaceThenName_asASnapshotSortsThem() {
        TrimmedStore<Ingress> store = new TrimmedStore<>();
        for (String key : List.of("shop-eu/b", "shop/z", "shop-eu/a", "a/x", "shop/a")) {
            String[] nsName = key.split("/");
            Ingress i = new IngressBuilder().withNewMetadata().withNamespace(nsName[0]).withName(nsName[1]).endMetadata().build();
            store.put(store.getKey(i), i);
        }
        // "shop" sorts before "shop-eu" as a namespace, though "shop-eu/..." sorts before "shop/..." as a key.
        assertThat(store.values().map(store::getKey)).containsExactly("a/x", "shop/a", "shop/z", "shop-eu/a", "shop-eu/b");
        assertThat(store.remove("shop/z")).isNotNull();
        assertThat(store.keySet()).containsExactly("a/x", "shop/a", "shop-eu/a", "shop-eu/b");
    }

    @Test
    void ingressesShareEqualBackendsPathsAndStatusesButKeepTheirOwnValues() {
        TrimmedStore<Ingress> store = new TrimmedStore<>();
        for (String name : List.of("a", "b", "c")) {
            Ingress i = new IngressBuilder().withNewMetadata().withNamespace("shop").withName(name).endMetadata()
                    .withNewSpec().addNewRule().withHost(name + ".example.com").withNewHttp().addNewPath().withPath("/")
                    .withPathType("Prefix").withNewBackend().withNewService().withName(name.equals("c") ? "other" : "web")
                    .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec()
                    .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("192.0.2.10").endIngress().endLoadBalancer()
                    .endStatus().build();
            store.put(store.getKey(i), i);
        }
        Ingress a = store.get("shop/a");
        Ingress b = store.get("shop/b");
        Ingress c = store.get("shop/c");
        assertThat(b.getSpec().getRules().get(0).getHttp()).isSameAs(a.getSpec().getRules().get(0).getHttp());
        assertThat(b.getStatus()).isSameAs(a.getStatus());
        assertThat(c.getStatus()).isSameAs(a.getStatus());
        assertThat(c.getSpec().getRules().get(0).getHttp()).isNotSameAs(a.getSpec().getRules().get(0).getHttp());
        assertThat(c.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName()).isEqualTo("other");
        assertThat(b.getSpec().getRules().get(0).getHost()).isEqualTo("b.example.com");
    }

    @Test
    void anUpdatedObjectReplacesTheOldOneUnderItsKey_andClusterScopedKeysHaveNoNamespace() {
        TrimmedStore<Ingress> store = new TrimmedStore<>();
        String uid = "0b0e6f1a-5c1e-4d0a-9c39-1f7a2b1c3d4e";
        Ingress v1 = new IngressBuilder().withNewMetadata().withNamespace("shop").withName("web").withResourceVersion("1")
                .withUid(new String(uid)).endMetadata()
                .withNewSpec().addNewRule().withHost(new String("shop.example.com")).endRule().endSpec().build();
        Ingress v2 = new IngressBuilder().withNewMetadata().withNamespace("shop").withName("web").withResourceVersion("2")
                .withUid(new String(uid)).endMetadata()
                .withNewSpec().addNewRule().withHost(new String("shop.example.com")).endRule().endSpec().build();
        assertThat(store.put(store.getKey(v1), v1)).isNull();
        String host = v1.getSpec().getRules().get(0).getHost();
        String v1Uid = v1.getMetadata().getUid();
        assertThat(store.put(store.getKey(v2), v2)).isSameAs(v1);
        assertThat(store.get("shop/web").getMetadata().getResourceVersion()).isEqualTo("2");
        // The table translated from v1 holds its host string, and the translation memo its uid: the new object shares
        // them instead of keeping copies.
        assertThat(store.get("shop/web").getSpec().getRules().get(0).getHost()).isSameAs(host);
        assertThat(store.get("shop/web").getMetadata().getUid()).isSameAs(v1Uid);
        // A recreated object (another uid) keeps its own.
        String otherUid = "5d6c1f7e-0000-4000-8000-000000000001";
        Ingress recreated = new IngressBuilder().withNewMetadata().withNamespace("shop").withName("web").withResourceVersion("3")
                .withUid(otherUid).endMetadata().build();
        assertThat(store.put(store.getKey(recreated), recreated)).isSameAs(v2);
        assertThat(store.get("shop/web").getMetadata().getUid()).isSameAs(otherUid);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.remove("shop/web")).isSameAs(recreated);
        assertThat(store.size()).isZero();
        assertThat(store.get("shop/web")).isNull();

        TrimmedStore<io.fabric8.kubernetes.api.model.Namespace> namespaces = new TrimmedStore<>();
        var ns = new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build();
        namespaces.put(namespaces.getKey(ns), ns);
        assertThat(namespaces.keySet()).containsExactly("shop");
        assertThat(namespaces.get("shop")).isSameAs(ns);
    }

    @Test
    void keepsOnlyTheCertificateAndKeyOfATlsSecret() {
        Secret secret = new SecretBuilder().withNewMetadata().withName("cert").withNamespace("shop").endMetadata()
                .withType("kubernetes.io/tls").withData(Map.of("tls.crt", "Y3J0", "tls.key", "a2V5", "ca.crt", "Y2E="))
                .build();
        TrimmedStore<Secret> store = new TrimmedStore<>();
        store.put(store.getKey(secret), secret);
        assertThat(store.get("shop/cert").getData()).containsOnlyKeys("tls.crt", "tls.key");
    }

    @Test
    void compactingServicesAndSlicesKeepsEveryFieldAndSharesEqualPortsAndStatuses() {
        TrimmedStore<io.fabric8.kubernetes.api.model.Service> services = new TrimmedStore<>();
        TrimmedStore<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice> slices = new TrimmedStore<>();
        for (String name : List.of("a", "b")) {
            var service = new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withNamespace("shop")
                    .withName(name).endMetadata().withNewSpec().withType("ClusterIP").withClusterIP("198.18.0.1")
                    .withClusterIPs("198.18.0.1").withIpFamilies("IPv4").addToSelector("app", name)
                    .addNewPort().withName("http").withPort(80).withNewTargetPort("http").withProtocol("TCP").endPort()
                    .endSpec().withNewStatus().withNewLoadBalancer().endLoadBalancer().endStatus().build();
            var slice = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withNewMetadata()
                    .withNamespace("shop").withName(name + "-1")
                    .addToLabels(new String("kubernetes.io/service-name"), name).endMetadata() // a copy, as decoded JSON has
                    .withAddressType("IPv4").addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                    .addNewEndpoint().withAddresses("198.19.0." + (name.equals("a") ? 1 : 2)).withNodeName("node-1")
                    .withNewConditions().withReady(true).endConditions().endEndpoint().build();
            var serviceCopy = new io.fabric8.kubernetes.api.model.ServiceBuilder(service).build();
            var sliceCopy = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder(slice).build();
            serviceCopy.getMetadata().setManagedFields(null); // dropped (covered above)
            sliceCopy.getMetadata().setManagedFields(null);
            services.put(services.getKey(service), service);
            slices.put(slices.getKey(slice), slice);
            assertThat(services.get("shop/" + name)).isEqualTo(serviceCopy); // nothing read is lost
            assertThat(slices.get("shop/" + name + "-1")).isEqualTo(sliceCopy);
        }
        var a = services.get("shop/a");
        var b = services.get("shop/b");
        assertThat(b.getSpec().getPorts()).isSameAs(a.getSpec().getPorts());
        assertThat(b.getStatus()).isSameAs(a.getStatus());
        assertThat(b.getSpec().getSelector()).containsEntry("app", "b");
        assertThat(a.getSpec().getAdditionalProperties()).isEmpty();
        var sliceA = slices.get("shop/a-1");
        var sliceB = slices.get("shop/b-1");
        assertThat(sliceB.getPorts()).isSameAs(sliceA.getPorts());
        assertThat(sliceB.getEndpoints().get(0).getConditions()).isSameAs(sliceA.getEndpoints().get(0).getConditions());
        assertThat(sliceB.getEndpoints().get(0).getAddresses()).containsExactly("198.19.0.2");
        // Labels keep their entries; each key is one shared copy, not one per object.
        assertThat(sliceB.getMetadata().getLabels()).containsExactly(java.util.Map.entry("kubernetes.io/service-name", "b"));
        assertThat(sliceB.getMetadata().getLabels().keySet().iterator().next())
                .isSameAs(sliceA.getMetadata().getLabels().keySet().iterator().next());
    }
}
