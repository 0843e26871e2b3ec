package dev.pier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.PierServer;
import dev.pier.testing.GrpcEcho;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import dev.pier.testing.TestTls;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backend protocols in cluster mode: a Service port's appProtocol as the real API server stores it
 * (kubernetes.io/h2c to a grpc-java server, https to a TLS server), a GatewayRoute with a grpc match
 * and backendTLS, the CA bundle in a ConfigMap that arrives after the route, and the CRD's own
 * validation rules for the new fields.
 */
@ExtendWith(KubeApiServerExtension.class)
class BackendProtocolClusterTest {
    private Cluster cluster;
    private GrpcEcho grpc;
    private Path dir;

    @AfterEach
    void stop() throws Exception {
        if (grpc != null) grpc.close();
        if (cluster != null) cluster.close();
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    private String service(String name, String appProtocol, String address, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: %2$s}
                spec:
                  ports: [{name: main, port: 50051, targetPort: main, appProtocol: %3$s}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %1$s-1, namespace: %2$s, labels: {kubernetes.io/service-name: %1$s}}
                addressType: IPv4
                ports: [{name: main, port: %4$d, protocol: TCP}]
                endpoints: [{addresses: ["%5$s"], conditions: {ready: true}}]
                ---
                """.formatted(name, cluster.ns, appProtocol, port, address);
    }

    @Test
    void app_protocols_grpc_matches_and_a_ca_configmap_from_the_api_server(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "proto");
        cluster.installGatewayRouteCrd();
        String address = cluster.netns.hostAddress(); // the API server refuses loopback endpoints
        grpc = GrpcEcho.start("grpc", address);
        dir = Files.createTempDirectory("pier-proto-");
        TestTls cert = TestTls.selfSigned(dir, "secure." + cluster.ns + ".svc");
        HttpServer tls = cluster.vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(new PfxOptions().setPath(cert.keyStore().toString()).setPassword(cert.password())))
                .requestHandler(r -> r.response().end("tls saw " + r.path() + (r.isSSL() ? " over TLS" : "")))
                .listen(0, address).await(10, TimeUnit.SECONDS);

        cluster.kubectlApply(service("echo", "kubernetes.io/h2c", address, grpc.port())
                + service("secure", "https", address, tls.actualPort()) + """
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: mixed, namespace: %1$s}
                spec:
                  ingressClassName: pier
                  hostnames: [%2$s]
                  rules:
                  - matches: [{grpc: {service: pier.test.Echo}}]
                    backendRefs: [{name: echo, port: 50051}]
                  - matches: [{path: {value: /secure}}]
                    backendTLS: {caCertificateRef: {name: backend-ca}}
                    backendRefs: [{name: secure, port: 50051}]
                """.formatted(cluster.ns, cluster.host("mixed")));
        PierServer pier = cluster.startPier(cluster.options("pier-0"));

        // gRPC over h2c to the backend the Service's appProtocol names.
        ManagedChannel channel = GrpcEcho.channel("127.0.0.1", pier.httpPort(), cluster.host("mixed"));
        try {
            String reply = Cluster.awaitValue(() -> {
                try {
                    return GrpcEcho.unary(channel, GrpcEcho.ECHO, "hi", CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS));
                } catch (RuntimeException e) {
                    return e.toString();
                }
            }, "grpc:hi"::equals, "the gRPC call answered through Pier");
            assertThat(reply).isEqualTo("grpc:hi");
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }

        // The CA ConfigMap does not exist yet: a ResolvedRefs problem, and 503 rather than an unchecked connection.
        Map<String, Object> unresolved = Cluster.awaitValue(() -> cluster.condition("mixed", "ResolvedRefs"),
                c -> c != null && "False".equals(c.get("status")), "mixed: ResolvedRefs False for the missing ConfigMap");
        assertThat(unresolved.get("reason")).isEqualTo("InvalidBackendTLS");
        assertThat(String.valueOf(unresolved.get("message"))).contains("backendTLS.caCertificateRef.name").contains("backend-ca");
        assertThat(cluster.get(pier, cluster.host("mixed"), "/secure").status()).isEqualTo(503);

        // It arrives: the route connects, verified against it, and the problem clears.
        cluster.kubectlApply("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: backend-ca, namespace: %s}
                data:
                  ca.crt: |
                %s""".formatted(cluster.ns, cert.certificatePem().indent(4)));
        cluster.awaitBody(pier, cluster.host("mixed"), "/secure", "tls saw /secure over TLS");
        Cluster.awaitValue(() -> cluster.condition("mixed", "ResolvedRefs"), c -> c != null && "True".equals(c.get("status")),
                "mixed: ResolvedRefs True once the ConfigMap exists");

        // The CRD refuses what the data plane could not serve, before it is stored.
        KubeApiServer.CommandResult both = kube.kubectl("apply", "-f", write("""
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: bad, namespace: %s}
                spec:
                  rules:
                  - matches: [{path: {value: /x}, grpc: {service: a.B}}]
                    backendTLS: {caCertificateRef: {name: backend-ca}, insecureSkipVerify: true}
                    backendRefs: [{name: echo, port: 50051}]
                """.formatted(cluster.ns)).toString());
        assertThat(both.exitCode()).isNotZero();
        assertThat(both.output()).contains("a match takes path or grpc, not both")
                .contains("set exactly one of caCertificateRef and insecureSkipVerify");
    }

    private Path write(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "apply-", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
