package dev.pier.e2e;

import static dev.pier.e2e.E2e.headers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.e2e.E2e.Backend;
import dev.pier.e2e.E2e.Reply;
import dev.pier.testing.GrpcGreeter;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.concurrent.TimeUnit;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The resolver's handlers in file mode, from the files users read: the examples
 * {@code gatewayroute-handler-rpc.yaml}, {@code -event.yaml} and {@code -web.yaml} as they are,
 * only their endpoints moved to the test's servers (a grpc-java server with reflection, HTTP
 * backends), plus a web handler to a websocket server and a rule whose sink is missing.
 */
class HandlersE2eTest {
    static E2e e2e;
    static GrpcGreeter greeter;
    static Backend broker, dashboard;
    static Vertx vertx;
    static HttpServer chat;

    @BeforeAll
    static void start() throws Exception {
        e2e = new E2e();
        greeter = GrpcGreeter.start("greeter", "127.0.0.1", GrpcGreeter.Reflection.V1);
        var b = e2e.backends("broker", "dashboard");
        broker = b.get(0);
        dashboard = b.get(1);
        vertx = Vertx.vertx();
        chat = E2e.await(vertx.createHttpServer().webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("chat:" + m)))
                .requestHandler(r -> r.response().end("chat")).listen(0, "127.0.0.1"));
        e2e.apply(example("gatewayroute-handler-rpc.yaml", "ports: [{name: grpc, port: 50051}]",
                        "ports: [{name: grpc, port: " + greeter.port() + "}]")
                + example("gatewayroute-handler-event.yaml", "ports: [{name: http, port: 8081}]",
                        "ports: [{name: http, port: " + broker.port() + "}]")
                + example("gatewayroute-handler-web.yaml", "ports: [{name: http, port: 8082}]",
                        "ports: [{name: http, port: " + dashboard.port() + "}]")
                + E2e.service("chat")
                + """
                        ---
                        apiVersion: discovery.k8s.io/v1
                        kind: EndpointSlice
                        metadata: {name: chat-1, namespace: e2e, labels: {kubernetes.io/service-name: chat}}
                        addressType: IPv4
                        ports: [{name: http, port: %d}]
                        endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
                        """.formatted(chat.actualPort())
                + E2e.route("web", """
                        hostnames: [web.e2e.test]
                        rules:
                        - resolver: {handler: web, selector: {}}
                        """)
                + E2e.route("lost", """
                        hostnames: [lost.e2e.test]
                        rules:
                        - resolver: {handler: event, event: {sink: {name: nobody, port: 80}}}
                        """));
    }

    /** An example file with one text replaced (its endpoint's port), as a document list to append. */
    private static String example(String name, String from, String to) throws Exception {
        String text = Files.readString(Path.of("examples", name));
        assertThat(text).contains(from);
        return "\n---\n" + text.replace(from, to);
    }

    @AfterAll
    static void stop() throws Exception {
        e2e.close();
        greeter.close();
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static Reply post(String host, String uri, String body, String... moreHeaders) {
        var h = headers(moreHeaders).set("content-type", "application/json");
        return e2e.send(HttpMethod.POST, host, uri, h, body);
    }

    @Test
    void theRpcExampleCallsGrpcWithJsonByPathAndThroughTheEndpoint() {
        Reply byPath = post("api.local", "/greeter/say-hello", "{\"name\": \"pier\"}");
        assertThat(byPath.status()).as(byPath.body()).isEqualTo(200);
        assertThat(byPath.json().getString("message")).isEqualTo("SayHello pier");
        Reply byEndpoint = post("api.local", "/rpc",
                "{\"service\": \"greeter\", \"endpoint\": \"Greeter.SayHello\", \"request\": {\"name\": \"rpc\"}}");
        assertThat(byEndpoint.status()).as(byEndpoint.body()).isEqualTo(200);
        assertThat(byEndpoint.json().getString("message")).isEqualTo("SayHello rpc");
        Reply failed = post("api.local", "/greeter/fail", "{\"code\": \"PERMISSION_DENIED\", \"message\": \"no\"}");
        assertThat(failed.status()).isEqualTo(403);
        assertThat(failed.json().getInteger("code")).isEqualTo(7);
        Reply missing = post("api.local", "/greeter/missing", "{}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().getString("method")).isEqualTo("Greeter.Missing");
    }

    @Test
    void theEventExampleDeliversACloudEventToItsSink() {
        broker.reset();
        Reply reply = post("events.local", "/events/orders/created", "{\"order\": 42}", "x-tenant", "acme");
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        JsonObject seen = broker.seen.get(0);
        assertThat(seen.getString("path")).isEqualTo("/default/default");
        assertThat(seen.getString("body")).isEqualTo("{\"order\": 42}");
        JsonObject h = seen.getJsonObject("headers");
        assertThat(h.getJsonArray("ce-specversion").getString(0)).isEqualTo("1.0");
        assertThat(h.getJsonArray("ce-type").getString(0)).isEqualTo("created");
        assertThat(h.getJsonArray("ce-subject").getString(0)).isEqualTo("orders");
        assertThat(h.getJsonArray("ce-source").getString(0)).isEqualTo("/apis/pier.dev/v1alpha1/namespaces/default/gatewayroutes/events");
        assertThat(h.getJsonArray("ce-id").getString(0)).isEqualTo(reply.json().getString("id"));
        assertThat(h.getJsonArray("ce-tenant").getString(0)).isEqualTo("acme");
        assertThat(h.getJsonArray("content-type").getString(0)).isEqualTo("application/json");

        broker.failNext(1, 503);
        assertThat(post("events.local", "/events/orders/created", "{}").status()).isEqualTo(502);
        Reply lost = post("lost.e2e.test", "/orders/created", "{}");
        assertThat(lost.status()).isEqualTo(503);
        assertThat(e2e.admin("/routes").body()).contains("Service e2e/nobody not found; its events get 503");
    }

    @Test
    void theWebExampleForwardsAsTheHttpHandlerDoes() {
        Reply page = e2e.get("web.local", "/dashboard/index.html");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.backend()).isEqualTo("dashboard");
        assertThat(page.json().getString("path")).isEqualTo("/dashboard/index.html");
        assertThat(e2e.get("web.local", "/nothing/here").status()).isEqualTo(404);
    }

    @Test
    void theWebHandlerTunnelsWebsocketsToTheNamedService() {
        var client = vertx.createWebSocketClient();
        Promise<String> echo = Promise.promise();
        WebSocket ws = E2e.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(e2e.httpPort())
                .setURI("/chat/live").addHeader("Host", "web.e2e.test")).onSuccess(socket -> socket.textMessageHandler(echo::tryComplete)));
        ws.writeTextMessage("hello");
        assertThat(E2e.await(echo.future())).isEqualTo("chat:hello");
        E2e.await(ws.close());
        E2e.await(client.close());
    }
}
