package dev.pier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.PierServer;
import dev.pier.testing.GrpcGreeter;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The resolver's handlers in cluster mode: a GatewayRoute with the rpc handler (and its /rpc
 * endpoint) and the event handler as the real API server stores it (its defaults written in), a
 * grpc-java server with reflection and a CloudEvents sink as endpoints, and the CRD's own rules
 * for the new fields.
 */
@ExtendWith(KubeApiServerExtension.class)
class HandlersClusterTest {
    private Cluster cluster;
    private GrpcGreeter greeter;

    @AfterEach
    void stop() throws Exception {
        if (greeter != null) greeter.close();
        if (cluster != null) cluster.close();
    }

    @Test
    void rpc_and_event_handlers_from_the_api_server(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "handlers");
        cluster.installGatewayRouteCrd();
        String address = cluster.netns.hostAddress(); // the API server refuses loopback endpoints
        greeter = GrpcGreeter.start("greeter", address, GrpcGreeter.Reflection.V1);
        List<MultiMap> events = new CopyOnWriteArrayList<>();
        var sink = cluster.vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(body -> {
            events.add(MultiMap.caseInsensitiveMultiMap().addAll(r.headers()).add("x-path", r.path()).add("x-body", body.toString()));
            r.response().setStatusCode(202).end();
        })).listen(0, address).await(10, TimeUnit.SECONDS);

        cluster.kubectlApply("""
                apiVersion: v1
                kind: Service
                metadata: {name: greeter, namespace: %1$s, labels: {pier.dev/expose: "true"}}
                spec:
                  ports: [{name: grpc, port: 50051, targetPort: grpc, appProtocol: kubernetes.io/h2c}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: greeter-1, namespace: %1$s, labels: {kubernetes.io/service-name: greeter}}
                addressType: IPv4
                ports: [{name: grpc, port: %3$d, protocol: TCP}]
                endpoints: [{addresses: ["%2$s"], conditions: {ready: true}}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: broker, namespace: %1$s}
                spec:
                  ports: [{name: http, port: 80, targetPort: http}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: broker-1, namespace: %1$s, labels: {kubernetes.io/service-name: broker}}
                addressType: IPv4
                ports: [{name: http, port: %4$d, protocol: TCP}]
                endpoints: [{addresses: ["%2$s"], conditions: {ready: true}}]
                ---
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: handlers, namespace: %1$s}
                spec:
                  ingressClassName: pier
                  hostnames: [%5$s]
                  rules:
                  - resolver: {pathPrefix: /api, handler: rpc, rpcEndpoint: true, port: grpc}
                  - resolver:
                      pathPrefix: /events
                      handler: event
                      event:
                        sink: {name: broker, port: 80, path: /%1$s/default}
                        extensions: [{header: X-Tenant, name: tenant}]
                """.formatted(cluster.ns, address, greeter.port(), sink.actualPort(), cluster.host("handlers")));
        PierServer pier = cluster.startPier(cluster.options("pier-0"));
        String host = cluster.host("handlers");

        Cluster.Reply hello = Cluster.awaitValue(() -> post(pier, host, "/api/greeter/say-hello", "{\"name\": \"kube\"}"),
                r -> r != null && r.status() == 200, "the rpc handler answered through Pier");
        assertThat(new JsonObject(hello.body()).getString("message")).isEqualTo("SayHello kube");
        Cluster.Reply viaEndpoint = post(pier, host, "/api/rpc",
                "{\"service\": \"greeter\", \"endpoint\": \"Greeter.SayHello\", \"request\": {\"name\": \"rpc\"}}");
        assertThat(viaEndpoint.status()).as(viaEndpoint.body()).isEqualTo(200);
        Cluster.Reply unexposed = post(pier, host, "/api/rpc", "{\"service\": \"broker\", \"endpoint\": \"A.B\"}");
        assertThat(unexposed.status()).isEqualTo(404);

        Cluster.Reply published = post(pier, host, "/events/orders/created", "{\"order\": 1}");
        assertThat(published.status()).as(published.body()).isEqualTo(202);
        MultiMap event = events.get(0);
        assertThat(event.get("x-path")).isEqualTo("/" + cluster.ns + "/default");
        assertThat(event.get("ce-type")).isEqualTo("created");
        assertThat(event.get("ce-subject")).isEqualTo("orders");
        assertThat(event.get("ce-source")).isEqualTo("/apis/pier.dev/v1alpha1/namespaces/" + cluster.ns + "/gatewayroutes/handlers");
        assertThat(event.get("x-body")).isEqualTo("{\"order\": 1}");
        Cluster.awaitValue(() -> cluster.condition("handlers", "Accepted"), c -> c != null && "True".equals(c.get("status")),
                "handlers: Accepted");

        // The CRD refuses an event handler without its sink, and an extension name CloudEvents does not allow.
        Path bad = Files.createTempFile("pier-handlers-", ".yaml");
        try {
            Files.writeString(bad, """
                    apiVersion: pier.dev/v1alpha1
                    kind: GatewayRoute
                    metadata: {name: bad, namespace: %s}
                    spec:
                      rules:
                      - resolver: {handler: event}
                      - resolver:
                          handler: event
                          event: {sink: {name: broker, port: 80}, extensions: [{header: X-A, name: Not-Valid}]}
                    """.formatted(cluster.ns));
            KubeApiServer.CommandResult refused = kube.kubectl("apply", "-f", bad.toString());
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("handler event takes an event").contains("spec.rules[1].resolver.event.extensions[0].name");
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    private Cluster.Reply post(PierServer pier, String host, String path, String body) {
        try {
            return cluster.post(pier, host, path, "application/json", body);
        } catch (Exception e) {
            return null;
        }
    }
}
