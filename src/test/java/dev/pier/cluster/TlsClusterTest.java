package dev.pier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.PierServer;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import dev.pier.testing.TlsClient;
import dev.pier.tls.CertificateKeyPair;
import dev.pier.tls.GeneratedCertificate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTPS in cluster mode: TLS Secrets applied to a real API server with kubectl are served by SNI,
 * a renewed Secret reaches new handshakes while requests keep succeeding, and a Secret whose key
 * belongs to another certificate is reported (an Event naming the Secret) while its host falls
 * back to the default certificate and the other host keeps its own.
 */
@ExtendWith(KubeApiServerExtension.class)
class TlsClusterTest {
    private Cluster cluster;
    private final TlsClient tls = new TlsClient();

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    private static GeneratedCertificate certificate(String host) {
        return GeneratedCertificate.selfSigned(host, List.of(host), Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(30)), GeneratedCertificate.KeyType.EC_P256);
    }

    private static String fingerprint(GeneratedCertificate c) throws Exception {
        return CertificateKeyPair.parse(c.certificatePem(), c.privateKeyPem()).fingerprint();
    }

    private String secretYaml(String name, GeneratedCertificate c) {
        Base64.Encoder b64 = Base64.getEncoder();
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: %s}
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(name, cluster.ns, b64.encodeToString(c.certificatePem().getBytes(StandardCharsets.US_ASCII)),
                b64.encodeToString(c.privateKeyPem().getBytes(StandardCharsets.US_ASCII)));
    }

    private String tlsIngressYaml(String name, String service, String secret) {
        return cluster.ingressYaml(name, "/", service).replace("  rules:\n",
                "  tls:\n  - {hosts: [" + cluster.host(name) + "], secretName: " + secret + "}\n  rules:\n");
    }

    private String awaitFingerprint(PierServer pier, String host, String wanted) throws Exception {
        return Cluster.awaitValue(() -> {
            try {
                return tls.get(pier.httpsPort(), host, null, "/").fingerprint();
            } catch (Exception e) {
                return e.toString();
            }
        }, wanted::equals, "certificate served for " + host);
    }

    @Test
    void secrets_applied_to_the_cluster_are_served_rotated_under_load_and_bad_ones_reported(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "tls");
        Backend a = cluster.backend("a");
        cluster.serviceFor("web-a", a);
        GeneratedCertificate shopCert = certificate(cluster.host("shop"));
        cluster.kubectlApply(secretYaml("shop-tls", shopCert));
        cluster.kubectlApply(tlsIngressYaml("shop", "web-a", "shop-tls"));
        PierServer pier = cluster.startPierWithHttps(cluster.options("pier-0"));
        String shop = cluster.host("shop");

        awaitFingerprint(pier, shop, fingerprint(shopCert));
        TlsClient.Seen served = tls.get(pier.httpsPort(), shop, null, "/cart");
        assertThat(served.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(served.body()).isEqualTo("a saw /cart");
        Cluster.Reply plain = cluster.get(pier, shop, "/cart");
        assertThat(plain.status()).as("plain HTTP to a host with TLS is redirected").isEqualTo(308);

        // Renewal as cert-manager does it: the same Secret, a new certificate; requests keep succeeding meanwhile.
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger requests = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread load = new Thread(() -> {
            while (!stop.get() && requests.get() < 5000) {
                try {
                    TlsClient.Seen seen = tls.get(pier.httpsPort(), shop, null, "/load");
                    if (!seen.statusLine().equals("HTTP/1.1 200 OK")) failures.add(seen.statusLine());
                } catch (Exception e) {
                    failures.add(e.toString());
                }
                requests.incrementAndGet();
            }
        });
        load.start();
        GeneratedCertificate renewed = certificate(shop);
        cluster.kubectlApply(secretYaml("shop-tls", renewed));
        awaitFingerprint(pier, shop, fingerprint(renewed));
        Thread.sleep(500);
        stop.set(true);
        load.join();
        assertThat(failures).isEmpty();
        assertThat(requests.get()).isPositive();

        // A Secret whose key is another certificate's: reported, its host gets the default certificate, shop is unaffected.
        GeneratedCertificate blogCert = certificate(cluster.host("blog"));
        cluster.kubectlApply(secretYaml("blog-tls", blogCert.withKeyOf(certificate("other.example"))));
        cluster.kubectlApply(tlsIngressYaml("blog", "web-a", "blog-tls"));
        cluster.awaitReply(pier, cluster.host("blog"), "/", r -> r.status() == 308, "blog served (redirected)");
        var event = Cluster.awaitValue(() -> cluster.admin.events().v1().events().inNamespace(cluster.ns).list().getItems().stream()
                .filter(e -> "InvalidCertificateRef".equals(e.getReason())).findFirst().orElse(null),
                e -> e != null, "an InvalidCertificateRef Event");
        assertThat(event.getRegarding().getName()).isEqualTo("blog");
        assertThat(event.getNote()).contains("Secret " + cluster.ns + "/blog-tls", "tls.key does not belong")
                .doesNotContain("PRIVATE KEY");
        TlsClient.Seen fallback = tls.get(pier.httpsPort(), cluster.host("blog"), null, "/");
        assertThat(fallback.fingerprint()).isNotIn(fingerprint(blogCert), fingerprint(renewed));
        assertThat(fallback.body()).as("the host is still served, with the default certificate").isEqualTo("a saw /");
        assertThat(tls.get(pier.httpsPort(), shop, null, "/").fingerprint()).isEqualTo(fingerprint(renewed));

        String routes = cluster.admin(pier, "/routes").body();
        assertThat(routes).contains(fingerprint(renewed)).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE");
    }
}
