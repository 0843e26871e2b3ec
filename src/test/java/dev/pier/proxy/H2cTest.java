package dev.pier.proxy;

import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static dev.pier.proxy.Fixture.to;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP/2 cleartext downstream (prior knowledge) to HTTP/1.1 backends: bodies, connection reuse, multiplexing. */
class H2cTest {
    Fixture f;
    HttpClient h2;

    @BeforeEach
    void start() {
        f = new Fixture();
        // One h2 connection carries every stream of a test.
        h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(f.port),
                new PoolOptions().setHttp2MaxSize(1));
    }

    @AfterEach
    void stop() {
        await(h2.close());
        f.close();
    }

    private void oneRoute(String service) {
        f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), service))));
    }

    private JsonObject get(String uri) {
        String body = await(f.onLoop(() -> h2.request(HttpMethod.GET, uri).compose(HttpClientRequest::send)
                .compose(resp -> resp.body()).map(Buffer::toString)));
        return new JsonObject(body);
    }

    @Test
    void bodylessRequestReachesTheBackendWithoutAChunkedBody() {
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.DELETE, HttpMethod.POST)) {
            String body = await(f.onLoop(() -> h2.request(method, "/x").compose(HttpClientRequest::send)
                    .compose(resp -> resp.body()).map(Buffer::toString)));
            JsonObject json = new JsonObject(body);
            assertThat(json.getString("method")).isEqualTo(method.name());
            assertThat(json.getJsonObject("headers").getString("transfer-encoding")).as(method.name()).isNull();
            assertThat(json.getString("body")).isEmpty();
        }
    }

    @Test
    void anUpgradeFromHttp1ToH2cIsServedOverHttp2() {
        // Upgrade: h2c on an HTTP/1 request: the front answers it (Vert.x's server with the front off)
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        long frontTookBefore = H2Front.taken();
        HttpClient upgrading = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(true).setDefaultHost("127.0.0.1").setDefaultPort(f.port), new PoolOptions());
        try {
            for (int i = 0; i < 3; i++) {
                HttpVersion version = await(f.onLoop(() -> upgrading.request(HttpMethod.GET, "/u")
                        .compose(HttpClientRequest::send).compose(resp -> resp.body().map(b -> resp.version()))));
                assertThat(version).isEqualTo(HttpVersion.HTTP_2);
            }
            assertThat(H2Front.taken() - frontTookBefore).as("upgraded connections H2Front served")
                    .isEqualTo(H2Front.enabled() ? 1 : 0);
        } finally {
            await(upgrading.close());
        }
    }

    @Test
    void sequentialRequestsReuseOneBackendConnection() {
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        f.endpoints("svc", f.backend("a", req -> {
            clientPorts.add(req.remoteAddress().port());
            req.response().end("ok");
        }));
        oneRoute("svc");
        for (int i = 0; i < 10; i++) {
            String body = await(f.onLoop(() -> h2.request(HttpMethod.GET, "/").compose(HttpClientRequest::send)
                    .compose(resp -> resp.body()).map(Buffer::toString)));
            assertThat(body).isEqualTo("ok");
        }
        // The h2 stream closing after a complete answer is not a client going away: the backend
        // connection goes back to the pool instead of being reset.
        assertThat(clientPorts).hasSize(1);
    }

    @Test
    void bodylessRequestIsRetried() {
        AtomicInteger badHits = new AtomicInteger();
        Endpoint bad = f.backend("bad", req -> {
            badHits.incrementAndGet();
            req.response().setStatusCode(503).end("unavailable");
        });
        Endpoint good = f.backend("good", req -> req.response().end("good"));
        f.endpoints("svc", bad, good);
        f.plane.apply(table(host("*", new Route("r", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/")),
                new RouteAction.Forward(List.of(to("svc"))), List.of(), Timeouts.NONE,
                new RetryPolicy(1, Duration.ZERO, Set.of(503))))));
        for (int i = 0; i < 4; i++) {
            String body = await(f.onLoop(() -> h2.request(HttpMethod.GET, "/").compose(HttpClientRequest::send)
                    .compose(resp -> resp.body()).map(Buffer::toString)));
            assertThat(body).isEqualTo("good");
        }
        assertThat(badHits.get()).isPositive();
    }

    @Test
    void concurrentStreamsOnOneConnectionEachGetTheirOwnAnswer() {
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        int streams = 64;
        long frontTookBefore = H2Front.taken();
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            String uri = "/s" + i + "?delay=" + (i % 4 * 5);
            answers.add(f.onLoop(() -> h2.request(HttpMethod.GET, uri).compose(HttpClientRequest::send)
                    .compose(resp -> resp.body()).map(Buffer::toString)));
        }
        for (int i = 0; i < streams; i++) {
            JsonObject json = new JsonObject(await(answers.get(i)));
            assertThat(json.getString("path")).isEqualTo("/s" + i);
            assertThat(json.getJsonObject("headers").getString("transfer-encoding")).isNull();
        }
        assertThat(H2Front.taken() - frontTookBefore).as("h2c connections H2Front served")
                .isEqualTo(H2Front.enabled() ? 1 : 0);
    }

    @Test
    void bodySentLaterThanTheHeadersIsStreamed() {
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        // Headers go out alone; the body follows after the proxy has already picked a backend.
        String echoed = await(f.onLoop(() -> h2.request(HttpMethod.POST, "/echo").compose(req -> {
            req.setChunked(true).sendHead();
            var response = req.response();
            f.vertx.setTimer(200, id -> req.write("first,").compose(v -> req.end("second")));
            return response;
        }).compose(resp -> resp.body()).map(Buffer::toString)));
        assertThat(echoed).isEqualTo("first,second");
    }

    @Test
    void largeBodyIsStreamedIntact() {
        f.endpoints("svc", f.backend("a"));
        oneRoute("svc");
        int chunk = 16 * 1024;
        int chunks = 512; // 8 MiB, far above h2 and socket windows: needs backpressure end to end
        byte[] data = new byte[chunk];
        for (int i = 0; i < chunk; i++) data[i] = (byte) (i * 31);
        CRC32 sent = new CRC32();
        for (int i = 0; i < chunks; i++) sent.update(data);
        Buffer piece = Buffer.buffer(data);
        CRC32 received = new CRC32();
        long[] total = {0};
        await(f.onLoop(() -> h2.request(new RequestOptions().setMethod(HttpMethod.PUT).setURI("/echo")).compose(req -> {
            var response = req.response().compose(resp -> {
                resp.handler(b -> {
                    received.update(b.getBytes());
                    total[0] += b.length();
                });
                return resp.end();
            });
            writeChunks(req, piece, chunks);
            return response;
        })));
        assertThat(total[0]).isEqualTo((long) chunk * chunks);
        assertThat(received.getValue()).isEqualTo(sent.getValue());
    }

    /** Writes n copies, waiting for drain when the stream's queue is full, then ends. */
    private static void writeChunks(HttpClientRequest req, Buffer piece, int n) {
        req.setChunked(true);
        int[] left = {n};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (left[0] > 0 && !req.writeQueueFull()) {
                req.write(piece);
                left[0]--;
            }
            if (left[0] == 0) req.end();
            else req.drainHandler(v -> pump[0].run());
        };
        pump[0].run();
    }
}
