package dev.pier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pier.PierServer;
import dev.pier.acme.AcmeOptions;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.proxy.TlsEngine;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import dev.pier.testing.Pebble;
import dev.pier.testing.ShippedRbac;
import dev.pier.testing.TlsClient;
import dev.pier.translate.AcmeHostAllowlist;
import dev.pier.translate.AcmePolicy;
import dev.pier.translate.AcmeSecrets;
import dev.pier.translate.TranslateOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ACME highly available, on a real API server with pebble: two replicas running as user {@code pier}
 * with exactly the shipped RBAC and admission policy; the leader orders, the CA validates through the
 * other replica (so both answer challenges), both serve the certificate, and one order makes one
 * certificate. A leader stopped in the middle of an order hands over: the other replica resumes the
 * same order and finishes it. The API server refuses Pier every Secret write the policy forbids.
 */
@ExtendWith(KubeApiServerExtension.class)
class AcmeClusterTest {
    private Cluster cluster;
    private Pebble pebble;

    @BeforeEach
    void needsPebble() {
        Pebble.binaries(); // skips (or fails, where required) before anything starts
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
        if (pebble != null) pebble.close();
    }

    private record Ports(int http, int https) {
    }

    private static Ports freePorts() throws Exception {
        return new Ports(KubeApiServer.freePort(), KubeApiServer.freePort());
    }

    /** The world: shipped RBAC and policy for user pier, the CRD, a backend. */
    private void setUp(KubeApiServer kube, String prefix) throws Exception {
        cluster = Cluster.create(kube, prefix);
        ShippedRbac.bind(cluster.admin, cluster.ns);
        installSecretPolicy(cluster.admin);
        cluster.installGatewayRouteCrd();
        Backend a = cluster.backend("a");
        cluster.serviceFor("web", a);
    }

    /** deploy/15-secret-policy.yaml for the test's token user {@code pier} instead of the ServiceAccount. */
    static void installSecretPolicy(KubernetesClient admin) throws Exception {
        String yaml = Files.readString(Path.of("deploy", "15-secret-policy.yaml"), StandardCharsets.UTF_8)
                .replace("system:serviceaccount:pier-system:pier", KubeApiServer.PIER_USER);
        assertThat(yaml).contains("'" + KubeApiServer.PIER_USER + "'");
        for (HasMetadata item : admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items()) {
            admin.resource(item).forceConflicts().serverSideApply();
        }
    }

    private PierServer pier(String identity, Ports ports, Duration settle) throws Exception {
        AcmeOptions acme = AcmeOptions.defaults(pebble.directory()).withAccount("ops@" + cluster.ns + ".test", true)
                .withTrust(pebble.trustFile()).withRetry(Duration.ofSeconds(1), Duration.ofSeconds(4)).withSettle(settle);
        TranslateOptions translate = TranslateOptions.DEFAULTS.withAcme(new AcmePolicy(true,
                AcmeHostAllowlist.parse(List.of("*." + cluster.ns + ".test"))));
        PierServer.Config config = new PierServer.Config(List.of(), "127.0.0.1", ports.http(), 0, translate, 2, 100)
                .withHttps(ports.https(), 443, TlsEngine.AUTO).withAcme(acme);
        return cluster.startPier(cluster.kube.newClient(cluster.kube.pierToken()), cluster.options(identity), config);
    }

    private String routeYaml(String name) {
        return """
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: %s, namespace: %s}
                spec:
                  ingressClassName: pier
                  hostnames: [%s]
                  tls: [{secretName: %s-tls, acme: true}]
                  rules: [{backendRefs: [{name: web, port: 80}]}]
                """.formatted(name, cluster.ns, cluster.host(name), name);
    }

    private X509Certificate issued(PierServer pier, String host, String root) throws Exception {
        Object chain = Cluster.awaitValue(() -> {
            try {
                return TlsClient.verifiedChain(pier.httpsPort(), host, root);
            } catch (Exception e) {
                return e.toString();
            }
        }, c -> c instanceof X509Certificate[], "a certificate for " + host + " from pebble on port " + pier.httpsPort());
        return ((X509Certificate[]) chain)[0];
    }

    private Secret secret(String name) {
        return cluster.admin.secrets().inNamespace(cluster.ns).withName(name).get();
    }

    @Test
    void the_leader_orders_the_ca_validates_through_the_other_replica_and_both_serve_one_certificate(KubeApiServer kube) throws Exception {
        setUp(kube, "acme-ha");
        Ports leaderPorts = freePorts();
        Ports followerPorts = freePorts();
        // The CA reaches the follower only: the leader's challenge answers must be served by every replica.
        pebble = Pebble.builder("cluster-ha").challengePorts(followerPorts.http(), followerPorts.https()).start();
        PierServer leader = pier("pier-a", leaderPorts, Duration.ofSeconds(2));
        Cluster.awaitValue(() -> ClusterModeTest.holder(cluster), "pier-a"::equals, "pier-a leads");
        PierServer follower = pier("pier-b", followerPorts, Duration.ofSeconds(2));
        cluster.kubectlApply(routeYaml("shop"));
        String shop = cluster.host("shop");

        X509Certificate onLeader = issued(leader, shop, pebble.root());
        X509Certificate onFollower = issued(follower, shop, pebble.root());
        assertThat(onFollower).isEqualTo(onLeader);
        assertThat(pebble.orders()).as("one order").isEqualTo(1);
        assertThat(pebble.issued()).as("one certificate").isEqualTo(1);
        assertThat(pebble.log()).contains("Attempting to validate w/ HTTP: http://" + shop + ":" + followerPorts.http() + "/");

        Secret stored = secret("shop-tls");
        assertThat(stored.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(stored.getMetadata().getLabels()).containsEntry(AcmeSecrets.MANAGED_BY_LABEL, AcmeSecrets.MANAGED_BY);
        assertThat(stored.getData()).containsKeys("tls.crt", "tls.key").doesNotContainKey(AcmeSecrets.ORDER_KEY);
        Map<String, Object> ready = Cluster.awaitValue(() -> cluster.condition("shop", "CertificateReady"),
                c -> c != null && "True".equals(c.get("status")), "CertificateReady=True");
        assertThat(ready.get("reason")).isEqualTo("Issued");
        var event = Cluster.awaitValue(() -> cluster.admin.events().v1().events().inNamespace(cluster.ns).list().getItems().stream()
                .filter(e -> "CertificateIssued".equals(e.getReason())).findFirst().orElse(null), e -> e != null, "a CertificateIssued Event");
        assertThat(event.getType()).isEqualTo("Normal");
        assertThat(event.getRegarding().getName()).isEqualTo("shop");

        // What the policy forbids Pier, the API server refuses (RBAC alone would allow it).
        cluster.admin.secrets().inNamespace(cluster.ns).resource(new SecretBuilder().withNewMetadata().withName("users")
                .endMetadata().addToStringData("password", "s3cret").build()).create();
        try (KubernetesClient asPier = kube.newClient(kube.pierToken())) {
            String ns = cluster.ns;
            assertRefused(() -> asPier.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("unlabelled")
                    .endMetadata().addToStringData("k", "v").build()).create(), "create a Secret without Pier's label", 403);
            assertRefused(() -> asPier.secrets().inNamespace(ns).withName("users").edit(s -> new SecretBuilder(s)
                    .addToStringData("password", "changed").build()), "change a Secret it did not make", 403);
            assertRefused(() -> asPier.secrets().inNamespace(ns).withName("users").edit(s -> new SecretBuilder(s).editMetadata()
                    .addToLabels(AcmeSecrets.MANAGED_BY_LABEL, AcmeSecrets.MANAGED_BY).endMetadata().build()),
                    "take over a Secret by labelling it", 403);
            assertRefused(() -> asPier.secrets().inNamespace(ns).withName("users").delete(), "delete a Secret", 403);
            // ... and what Pier needs, it may: its own labelled Secrets.
            Secret own = asPier.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("own")
                    .addToLabels(AcmeSecrets.MANAGED_BY_LABEL, AcmeSecrets.MANAGED_BY).endMetadata().addToStringData("k", "v").build())
                    .create();
            assertThat(own.getMetadata().getUid()).isNotBlank();
        }
        assertThat(secret("users").getData()).containsKey("password");
    }

    @Test
    void a_leader_stopped_in_the_middle_of_an_order_hands_it_over_and_the_other_replica_finishes_it(KubeApiServer kube) throws Exception {
        setUp(kube, "acme-takeover");
        Ports firstPorts = freePorts();
        Ports secondPorts = freePorts();
        pebble = Pebble.builder("cluster-takeover").challengePorts(secondPorts.http(), secondPorts.https()).start();
        // A long settle keeps the first leader between "ordered" and "validate" long enough to stop it there.
        PierServer first = pier("pier-a", firstPorts, Duration.ofSeconds(20));
        Cluster.awaitValue(() -> ClusterModeTest.holder(cluster), "pier-a"::equals, "pier-a leads");
        PierServer second = pier("pier-b", secondPorts, Duration.ofSeconds(2));
        cluster.kubectlApply(routeYaml("cart"));
        String cart = cluster.host("cart");

        String order = Cluster.awaitValue(() -> {
            Secret s = secret("cart-tls");
            return s == null || s.getMetadata().getAnnotations() == null ? null : s.getMetadata().getAnnotations().get(AcmeSecrets.ORDER);
        }, o -> o != null, "the first leader's order in the Secret");
        cluster.stopPier(first);
        assertThat(pebble.issued()).as("stopped before the certificate was issued").isZero();

        X509Certificate served = issued(second, cart, pebble.root());
        assertThat(served.getSubjectX500Principal()).isNotNull();
        assertThat(ClusterModeTest.holder(cluster)).isEqualTo("pier-b");
        assertThat(pebble.orders()).as("the order was resumed, not placed again").isEqualTo(1);
        assertThat(pebble.issued()).as("one certificate").isEqualTo(1);
        assertThat(pebble.log()).contains(order.substring(order.lastIndexOf('/') + 1));
        Secret stored = secret("cart-tls");
        assertThat(stored.getMetadata().getAnnotations()).doesNotContainKeys(AcmeSecrets.ORDER, AcmeSecrets.FAILURES);
    }

    private static void assertRefused(Runnable call, String what, int code) {
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, call::run);
        assertThat(e).as("pier may not " + what).isNotNull();
        assertThat(e.getCode()).as("pier may not " + what + ": " + e.getMessage()).isEqualTo(code);
    }
}
