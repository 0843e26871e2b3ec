package dev.pier.e2e;

import static dev.pier.e2e.E2e.NS;
import static dev.pier.e2e.E2e.await;
import static dev.pier.e2e.E2e.route;
import static dev.pier.testing.GrpcEcho.CHAT;
import static dev.pier.testing.GrpcEcho.ECHO;
import static dev.pier.testing.GrpcEcho.REPEAT;
import static dev.pier.testing.GrpcEcho.SLEEP;
import static dev.pier.testing.GrpcEcho.unary;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.testing.GrpcEcho;
import dev.pier.testing.TestTls;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC and backend protocols as a user writes them in files: Services with appProtocol
 * kubernetes.io/h2c and https, a GatewayRoute with grpc matches and backendTLS naming a CA
 * ConfigMap, an Ingress to an h2c backend; grpc-java clients and servers, a real TLS backend.
 */
class GrpcE2eTest {
    static E2e e2e;
    static GrpcEcho a, b;
    static Vertx vertx;
    static HttpServer tlsBackend;
    static TestTls cert;
    static Path dir;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        e2e = new E2e();
        a = GrpcEcho.start("a", "127.0.0.1");
        b = GrpcEcho.start("b", "127.0.0.1");
        dir = Files.createTempDirectory("pier-grpc-e2e");
        cert = TestTls.selfSigned(dir, "secure." + NS + ".svc"); // the name Pier checks by default
        vertx = Vertx.vertx();
        tlsBackend = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
                        .setKeyCertOptions(new PfxOptions().setPath(cert.keyStore().toString()).setPassword(cert.password())))
                .requestHandler(req -> req.response().putHeader("content-type", "application/json")
                        .end(new JsonObject().put("ssl", req.isSSL()).put("sni", req.connection().indicatedServerName()).encode()));
        await(tlsBackend.listen(0, "127.0.0.1"));
        e2e.apply(service("echo-a", "kubernetes.io/h2c", a.port())
                + service("echo-b", "kubernetes.io/h2c", b.port())
                + service("nobody", "kubernetes.io/h2c", -1)
                + service("secure", "https", tlsBackend.actualPort())
                + """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: backend-ca, namespace: %s}
                data:
                  ca.crt: |
                %s""".formatted(NS, cert.certificatePem().indent(4))
                + route("grpc", """
                hostnames: [grpc.e2e.test]
                rules:
                - matches: [{grpc: {service: pier.test.Echo, method: Echo}}]
                  backendRefs: [{name: echo-b, port: 50051}]
                - matches: [{grpc: {service: pier.test.Echo}}]
                  backendRefs: [{name: echo-a, port: 50051}]
                  timeouts: {request: 2s}
                - matches: [{grpc: {service: pier.test.Nobody}}]
                  backendRefs: [{name: nobody, port: 50051}]
                """)
                + route("tls", """
                hostnames: [tls.e2e.test]
                rules:
                - matches: [{path: {value: /verified}}]
                  backendTLS: {caCertificateRef: {name: backend-ca}}
                  backendRefs: [{name: secure, port: 50051}]
                - matches: [{path: {value: /wrong-name}}]
                  backendTLS: {caCertificateRef: {name: backend-ca}, hostname: other.example.com}
                  backendRefs: [{name: secure, port: 50051}]
                - matches: [{path: {value: /unverified}}]
                  backendTLS: {insecureSkipVerify: true, hostname: anything.example.com}
                  backendRefs: [{name: secure, port: 50051}]
                - matches: [{path: {value: /missing-ca}}]
                  backendTLS: {caCertificateRef: {name: nowhere}}
                  backendRefs: [{name: secure, port: 50051}]
                """)
                + """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: grpc-ingress, namespace: %s}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: ingress.e2e.test
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: echo-a, port: {number: 50051}}}}
                """.formatted(NS));
        channel = GrpcEcho.channel("127.0.0.1", e2e.httpPort(), "grpc.e2e.test");
    }

    /** A Service of one port 50051 with {@code appProtocol}, and its endpoint on 127.0.0.1 (none when {@code port} < 0). */
    private static String service(String name, String appProtocol, int port) {
        String yaml = """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: %s}
                spec:
                  ports: [{name: main, port: 50051, appProtocol: %s}]
                """.formatted(name, NS, appProtocol);
        if (port < 0) return yaml;
        return yaml + """
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s-1, namespace: %s, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports: [{name: main, port: %d}]
                endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
                """.formatted(name, NS, name, port);
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        e2e.close();
        a.close();
        b.close();
        await(vertx.close());
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir);
    }

    private static CallOptions deadline() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static Status statusOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void grpcMatchesRouteByServiceAndMethod() {
        assertThat(unary(channel, ECHO, "hi", deadline())).isEqualTo("b:hi"); // the exact method wins
        List<String> got = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, REPEAT, deadline(), "3:r").forEachRemaining(got::add);
        assertThat(got).containsExactly("r-0", "r-1", "r-2"); // the rest of the service
    }

    @Test
    void bidirectionalStreamingCrossesTheFileConfiguredRoute() throws Exception {
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(CHAT, deadline()),
                new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        answers.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answers.add("error: " + t);
                    }

                    @Override
                    public void onCompleted() {
                        answers.add("done");
                    }
                });
        requests.onNext("ping");
        assertThat(answers.poll(10, TimeUnit.SECONDS)).isEqualTo("a:ping");
        requests.onNext("pong");
        assertThat(answers.poll(10, TimeUnit.SECONDS)).isEqualTo("a:pong");
        requests.onCompleted();
        assertThat(answers.poll(10, TimeUnit.SECONDS)).isEqualTo("done");
    }

    @Test
    void theRoutesTimeoutIsTheDeadlineAndABackendWithoutEndpointsIsUnavailable() {
        Status late = statusOf(() -> unary(channel, SLEEP, "5000", CallOptions.DEFAULT));
        assertThat(late.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        var nobody = GrpcEcho.method("Echo", io.grpc.MethodDescriptor.MethodType.UNARY).toBuilder()
                .setFullMethodName("pier.test.Nobody/Echo").build();
        Status none = statusOf(() -> unary(channel, nobody, "x", deadline()));
        assertThat(none.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void anIngressBackendsAppProtocolCountsToo() throws Exception {
        ManagedChannel viaIngress = GrpcEcho.channel("127.0.0.1", e2e.httpPort(), "ingress.e2e.test");
        try {
            assertThat(unary(viaIngress, ECHO, "via ingress", deadline())).isEqualTo("a:via ingress");
        } finally {
            viaIngress.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void httpsBackendsAreCheckedAgainstTheConfigMapsCaBundle() {
        E2e.Reply verified = e2e.get("tls.e2e.test", "/verified");
        assertThat(verified.status()).isEqualTo(200);
        assertThat(verified.json().getBoolean("ssl")).isTrue();
        assertThat(verified.json().getString("sni")).isEqualTo("secure." + NS + ".svc");
        assertThat(e2e.get("tls.e2e.test", "/wrong-name").status()).isEqualTo(502);
        E2e.Reply unverified = e2e.get("tls.e2e.test", "/unverified");
        assertThat(unverified.status()).isEqualTo(200);
        assertThat(unverified.json().getString("sni")).isEqualTo("anything.example.com");
        E2e.Reply missing = e2e.get("tls.e2e.test", "/missing-ca");
        assertThat(missing.status()).isEqualTo(503);
        assertThat(e2e.admin("/routes").body()).contains("ConfigMap e2e/nowhere not found");
    }
}
