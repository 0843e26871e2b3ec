package dev.pier.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.PierServer;
import dev.pier.proxy.OutlierOptions;
import dev.pier.translate.TranslateOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin port has no authentication: it listens on loopback unless an address is given
 * ({@code --admin-address}), and {@code /routes} shows certificates as fingerprints and expiry only,
 * next to the health of every backend endpoint.
 */
class AdminExposureTest {
    @TempDir
    Path dir;

    private static boolean reachable(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new AssertionError("connecting to " + address + ":" + port + ": " + e, e);
        }
    }

    private PierServer start(List<String> adminAddresses) throws Exception {
        Files.writeString(dir.resolve("empty.yaml"), "");
        return PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0, TranslateOptions.DEFAULTS, 1, 50,
                "pier", adminAddresses, OutlierOptions.DEFAULTS, -1, 443, dev.pier.proxy.TlsEngine.AUTO));
    }

    @Test
    void byDefaultTheAdminPortListensOnLoopbackOnly() throws Exception {
        try (PierServer pier = start(List.of())) {
            assertThat(reachable("127.0.0.1", pier.adminPort())).isTrue();
            // Another address of this host (127.0.0.0/8 is all local): nothing listens there.
            assertThat(reachable("127.0.0.2", pier.adminPort())).isFalse();
        }
    }

    @Test
    void anAdminAddressIsListenedOnBesidesLoopback() throws Exception {
        try (PierServer pier = start(List.of("127.0.0.2"))) {
            assertThat(reachable("127.0.0.1", pier.adminPort())).isTrue();
            assertThat(reachable("127.0.0.2", pier.adminPort())).isTrue();
            assertThat(reachable("127.0.0.3", pier.adminPort())).isFalse();
            HttpResponse<String> ready = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + pier.adminPort() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void listenAddressesAlwaysHoldLoopbackAndAWildcardStandsAlone() {
        assertThat(AdminServer.listenAddresses(List.of())).containsExactly("127.0.0.1");
        assertThat(AdminServer.listenAddresses(List.of("10.1.2.3", "127.0.0.1"))).containsExactly("127.0.0.1", "10.1.2.3");
        assertThat(AdminServer.listenAddresses(List.of("10.1.2.3", "0.0.0.0"))).containsExactly("0.0.0.0");
        assertThat(AdminServer.addressProblem("fd00::1")).isNull();
        assertThat(AdminServer.addressProblem("[fd00::1]")).isNull();
        assertThat(AdminServer.addressProblem("pod.local")).contains("not an IPv4 or IPv6 address");
    }

    @Test
    void routesShowHealthAndCertificateFingerprintsButNoBodiesOrKeys() throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpServer backend = vertx.createHttpServer().requestHandler(r -> r.response().end("ok"));
        int backendPort = backend.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
        // A real pair: translation checks that the key belongs to the certificate before serving it.
        dev.pier.tls.GeneratedCertificate pair = dev.pier.tls.GeneratedCertificate.selfSigned("shop.example.com",
                List.of("shop.example.com"), java.time.Instant.parse("2025-01-01T00:00:00Z"),
                java.time.Instant.parse("2126-11-03T18:30:32Z"), dev.pier.tls.GeneratedCertificate.KeyType.EC_P256);
        String cert = pair.certificatePem();
        String fingerprint = dev.pier.tls.CertificateKeyPair.parse(cert, pair.privateKeyPem()).fingerprint();
        String keyBody = pair.privateKeyPem().lines().skip(1).findFirst().orElseThrow();
        String indentedCert = cert.strip().replace("\n", "\n    ");
        String indentedKey = pair.privateKeyPem().strip().replace("\n", "\n    ");
        Files.writeString(dir.resolve("objects.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: shop, namespace: web}
                spec:
                  ingressClassName: pier
                  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: shop-tls, namespace: web}
                type: kubernetes.io/tls
                stringData:
                  tls.crt: |
                    %s
                  tls.key: |
                    %s
                ---
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: shop, namespace: web}
                spec:
                  ingressClassName: pier
                  rules:
                  - backendRefs: [{name: shop, port: 80}]
                    healthCheck: {path: /healthz, interval: 2s}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: shop, namespace: web}
                spec:
                  ports: [{port: 80}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: shop-1, namespace: web, labels: {kubernetes.io/service-name: shop}}
                addressType: IPv4
                ports: [{port: %d}]
                endpoints: [{addresses: [127.0.0.1]}]
                """.formatted(indentedCert, indentedKey, backendPort));
        try (PierServer pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS, 1, 50))) {
            String body = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pier.adminPort() + "/routes")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).doesNotContain("BEGIN").doesNotContain(keyBody).doesNotContain(cert.lines().skip(1).findFirst().orElseThrow());
            JsonNode routes = new ObjectMapper().readTree(body);
            JsonNode certificate = routes.at("/live/table/certificates/0");
            assertThat(certificate.at("/chain/0/sha256").asText()).isEqualTo(fingerprint);
            assertThat(certificate.at("/chain/0/notAfter").asText()).isEqualTo("2126-11-03T18:30:32Z");
            JsonNode endpoint = routes.at("/health/web~1shop:80/0");
            assertThat(endpoint.at("/endpoint").asText()).isEqualTo("127.0.0.1:" + backendPort);
            assertThat(endpoint.at("/ejected").asBoolean()).isFalse();
            assertThat(endpoint.at("/checks/0/path").asText()).isEqualTo("/healthz");
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
