package dev.pier.proxy;

import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What crosses the proxy: headers, bodies, errors, websockets, h2c, balancing, endpoint churn. */
class ForwardingTest {
    Fixture f;

    @BeforeEach
    void start() {
        f = new Fixture();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private void oneRoute(String service) {
        f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), service))));
    }

    @Test
    void hostIsKeptAndForwardedHeadersAreSet() {
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        var headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "203.0.113.7");
        var reply = f.send(HttpMethod.GET, "Shop.Example.com:8443", "/p?q=1", headers, null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.upstreamHeader("host")).isEqualTo("Shop.Example.com:8443");
        // no trusted proxy configured: the client's own X-Forwarded-For is replaced (ForwardedTrustTest)
        assertThat(reply.upstreamHeader("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(reply.upstreamHeader("x-forwarded-proto")).isEqualTo("http");
        assertThat(reply.upstreamHeader("x-forwarded-host")).isEqualTo("Shop.Example.com:8443");
        assertThat(reply.upstreamHeader("x-forwarded-port")).isEqualTo(Integer.toString(f.port));
        assertThat(reply.json().getString("uri")).isEqualTo("/p?q=1");
    }

    @Test
    void hopByHopAndConnectionNamedHeadersAreStrippedBothWays() throws Exception {
        f.endpoints("svc", f.backend("a", req -> {
            StringBuilder seen = new StringBuilder();
            req.headers().forEach(e -> seen.append(e.getKey().toLowerCase()).append('\n'));
            req.response().putHeader("X-Resp-Private", "1").putHeader("Connection", "X-Resp-Private")
                    .putHeader("Proxy-Authenticate", "Basic").putHeader("X-Resp-Public", "1").end(seen.toString());
        }));
        oneRoute("svc");
        String raw = "GET /h HTTP/1.1\r\nHost: example.com\r\nConnection: close, X-Private\r\nX-Private: s\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Authorization: Basic x\r\nTE: trailers\r\nTrailer: X-T\r\n"
                + "Upgrade: foo/1\r\nX-Public: yes\r\n\r\n";
        String response = rawExchange(raw);
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        assertThat(body).contains("x-public").contains("host")
                .doesNotContain("x-private").doesNotContain("keep-alive").doesNotContain("proxy-authorization")
                .doesNotContain("\nte\n").doesNotContain("trailer").doesNotContain("upgrade");
        assertThat(head).contains("x-resp-public: 1").doesNotContain("x-resp-private").doesNotContain("proxy-authenticate");
    }

    /** Sends raw bytes and reads one response framed by Content-Length (the test backends always set it). */
    private String rawExchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", f.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) throw new AssertionError("EOF before the response ended: " + all);
                all.write(b);
                String text = all.toString(StandardCharsets.ISO_8859_1);
                int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd < 0) continue;
                var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text.substring(0, headEnd));
                if (!m.find()) throw new AssertionError("no content-length in " + text);
                if (text.length() - headEnd - 4 >= Integer.parseInt(m.group(1))) return text;
            }
        }
    }

    @Test
    void emptyBackendListAndMissingEndpointsAre503() {
        f.plane.apply(table(host("*",
                new Route("empty", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/empty")),
                        new dev.pier.model.RouteAction.Forward(List.of()), List.of(), dev.pier.model.Timeouts.NONE,
                        dev.pier.model.RetryPolicy.NONE),
                route("gone", PathMatch.prefix("/gone"), "nobody"))));
        assertThat(f.get("x", "/empty").status()).isEqualTo(503);
        var reply = f.get("x", "/gone");
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.headers().get("content-type")).startsWith("text/plain");
    }

    @Test
    void connectFailureIs502() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        f.endpoints("svc", Endpoint.of("127.0.0.1", closedPort));
        oneRoute("svc");
        assertThat(f.get("x", "/").status()).isEqualTo(502);
    }

    @Test
    void slowBackendIs504AfterTheBackendTimeout() {
        try (Fixture g = new Fixture(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), Duration.ofMillis(300))) {
            g.endpoints("svc", g.backend("slow"));
            g.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
            var reply = g.get("x", "/?delay=3000");
            assertThat(reply.status()).isEqualTo(504);
            assertThat(reply.body()).isEqualTo("backend timed out\n");
            assertThat(g.get("x", "/?delay=5").status()).isEqualTo(200);
        }
    }

    @Test
    void backendStatusAndHeadPassThrough() {
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        assertThat(f.get("x", "/?status=418").status()).isEqualTo(418);
        var head = f.send(HttpMethod.HEAD, "x", "/", io.vertx.core.MultiMap.caseInsensitiveMultiMap(), null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void backendReasonPhrasePassesThroughAndTheStandardOneStays() {
        f.endpoints("svc", f.backend("a", req -> {
            var response = req.response().setStatusCode(Integer.parseInt(req.getParam("status")));
            if (req.getParam("message") != null) response.setStatusMessage(req.getParam("message"));
            response.end("x");
        }));
        oneRoute("svc");
        HttpClient client = f.vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(f.port));
        for (String[] c : new String[][] {{"200", "All%20Good", "All Good"}, {"200", null, "OK"}, {"503", null, "Service Unavailable"},
                {"299", null, "Success (299)"}}) {
            String uri = "/?status=" + c[0] + (c[1] == null ? "" : "&message=" + c[1]);
            String message = await(f.onLoop(() -> client.request(new RequestOptions().setURI(uri))
                    .compose(HttpClientRequest::send)
                    .compose(resp -> resp.body().map(b -> resp.statusCode() + " " + resp.statusMessage()))));
            assertThat(message).as(uri).isEqualTo(c[0] + " " + c[2]);
        }
        await(client.close());
    }

    @Test
    void websocketEchoThroughTheProxy() {
        f.endpoints("svc", f.backend("ws"));
        oneRoute("svc");
        var wsClient = f.vertx.createWebSocketClient();
        Promise<String> echo = Promise.promise();
        WebSocket ws = await(f.onLoop(() -> wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(f.port)
                .setURI("/chat").addHeader("Host", "chat.test")).onSuccess(socket -> {
                    socket.textMessageHandler(echo::tryComplete);
                    socket.binaryMessageHandler(b -> echo.tryComplete(b.toString()));
                })));
        ws.writeTextMessage("hello");
        assertThat(await(echo.future())).isEqualTo("ws:hello");
        await(ws.close());
        await(wsClient.close());
    }

    /**
     * Extensions (permessage-deflate) are the backend's to accept: Pier tunnels the frames as they
     * are, so the 101 the client gets names exactly what the backend agreed to, nothing Pier added.
     */
    @Test
    void websocketExtensionsAreTheBackendsAnswer() throws Exception {
        Endpoint backend = f.backend("ws");
        f.endpoints("svc", backend);
        oneRoute("svc");
        String upgrade = "GET /chat HTTP/1.1\r\nHost: chat.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
        String direct = upgradeHead(backend.port(), upgrade);
        String proxied = upgradeHead(f.port, upgrade);
        assertThat(proxied).startsWith("HTTP/1.1 101");
        assertThat(extensions(proxied)).isEqualTo(extensions(direct)).isNotEmpty();
    }

    private static String upgradeHead(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) break;
                head.write(b);
            }
            return head.toString(StandardCharsets.US_ASCII);
        }
    }

    /** Every Sec-WebSocket-Extensions value of a response head, in order. */
    private static List<String> extensions(String head) {
        List<String> values = new ArrayList<>();
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("sec-websocket-extensions")) values.add(line.substring(colon + 1).trim());
        }
        return values;
    }

    @Test
    void h2cPriorKnowledgeAndUpgradeReachAnHttp1Backend() {
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        for (boolean upgrade : new boolean[] {false, true}) {
            HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(upgrade).setDefaultHost("127.0.0.1").setDefaultPort(f.port));
            var result = await(f.onLoop(() -> h2.request(new RequestOptions().setURI("/h2"))
                    .compose(req -> req.authority(io.vertx.core.net.HostAndPort.create("h2.test", f.port)).send())
                    .compose(resp -> resp.body().map(b -> List.of(resp.version().name(), b.toString())))));
            assertThat(result.get(0)).as("upgrade=" + upgrade).isEqualTo("HTTP_2");
            var json = new io.vertx.core.json.JsonObject(result.get(1));
            assertThat(json.getString("version")).isEqualTo("HTTP_1_1");
            assertThat(json.getJsonObject("headers").getString("x-forwarded-host")).startsWith("h2.test");
            await(h2.close());
        }
    }

    @Test
    void h2cRequestBodyIsStreamed() {
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(f.port));
        String body = await(f.onLoop(() -> h2.request(HttpMethod.POST, "/echo").compose(req -> req.send("payload over h2"))
                .compose(resp -> resp.body()).map(Buffer::toString)));
        assertThat(body).isEqualTo("payload over h2");
        await(h2.close());
    }

    @Test
    void largeBodyIsStreamedBothWaysIntact() {
        f.endpoints("svc", f.backend("echo"));
        oneRoute("svc");
        long total = 64L * 1024 * 1024;
        int chunk = 64 * 1024;
        CRC32 sent = new CRC32();
        CRC32 received = new CRC32();
        long[] receivedBytes = {0};
        Promise<Integer> done = Promise.promise();
        f.vertx.runOnContext(v -> f.client.request(HttpMethod.POST, "/echo").onFailure(done::fail).onSuccess(req -> {
            req.setChunked(true);
            req.response().onFailure(done::fail).onSuccess(resp -> {
                resp.handler(buf -> {
                    received.update(buf.getBytes());
                    receivedBytes[0] += buf.length();
                });
                resp.exceptionHandler(done::tryFail);
                resp.endHandler(x -> done.tryComplete(resp.statusCode()));
            });
            Random random = new Random(42);
            long[] written = {0};
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (written[0] < total && !req.writeQueueFull()) {
                    byte[] bytes = new byte[chunk];
                    random.nextBytes(bytes);
                    sent.update(bytes);
                    written[0] += chunk;
                    req.write(Buffer.buffer(bytes));
                }
                if (written[0] >= total) req.end();
                else req.drainHandler(x -> pump[0].run());
            };
            pump[0].run();
        }));
        assertThat(await(done.future())).isEqualTo(200);
        assertThat(receivedBytes[0]).isEqualTo(total);
        assertThat(received.getValue()).isEqualTo(sent.getValue());
    }

    @Test
    void roundRobinOverEndpoints() {
        f.endpoints("svc", f.backend("a"), f.backend("b"), f.backend("c"));
        oneRoute("svc");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) seen.add(f.get("x", "/").backend());
        assertThat(seen.subList(0, 3)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(seen.subList(3, 6)).isEqualTo(seen.subList(0, 3));
    }

    @Test
    void endpointUpdatesApplyWithoutANewTable() {
        Endpoint a = f.backend("a");
        Endpoint b = f.backend("b");
        f.endpoints("svc", a);
        oneRoute("svc");
        assertThat(f.get("x", "/").backend()).isEqualTo("a");
        f.endpoints("svc", b);
        assertThat(f.get("x", "/").backend()).isEqualTo("b");
        f.plane.updateEndpoints(Map.of(svc("svc"), List.of()));
        assertThat(f.get("x", "/").status()).isEqualTo(503);
        f.plane.replaceEndpoints(Map.of(svc("svc"), List.of(a)));
        assertThat(f.get("x", "/").backend()).isEqualTo("a");
        f.plane.replaceEndpoints(Map.of());
        assertThat(f.get("x", "/").status()).isEqualTo(503);
    }

    @Test
    void applyRefusesToRunOnAnEventLoop() {
        Promise<Throwable> error = Promise.promise();
        f.vertx.runOnContext(v -> {
            try {
                f.plane.apply(table());
                error.complete(null);
            } catch (IllegalStateException e) {
                error.complete(e);
            }
        });
        assertThat(await(error.future())).isInstanceOf(IllegalStateException.class);
    }

}
