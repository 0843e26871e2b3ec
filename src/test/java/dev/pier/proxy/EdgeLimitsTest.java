package dev.pier.proxy;

import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.edge.RawHttp;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every per-client resource has a bound (issue 9, "Lax headers", "Slow uploads pin the upstream
 * pool", "No client-side timeouts": descriptor exhaustion): header count and size, request line,
 * body size, connections, HTTP/2 streams, the upstream pool against slow uploads, shedding when
 * an event loop falls behind.
 */
class EdgeLimitsTest {
    Fixture f;
    final AtomicInteger backendHits = new AtomicInteger();

    private void start(EdgePolicy edge, int maxConnectionsPerEndpoint) {
        f = new Fixture(new SimpleMeterRegistry(), new ProxyOptions("127.0.0.1", 0, maxConnectionsPerEndpoint, 1024,
                Duration.ofSeconds(2), Duration.ofSeconds(30), 2, ProxyOptions.DEFAULT_SERVER_HEADER, edge));
        // the backend takes what Pier lets through (Vert.x's own defaults are 4 KB lines and 8 KB heads)
        var backendOptions = new io.vertx.core.http.HttpServerOptions().setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(64 * 1024);
        f.endpoints("svc", f.backend("svc", backendOptions, req -> req.body().onSuccess(b -> {
            backendHits.incrementAndGet();
            req.response().end("ok " + req.uri().length() + " " + req.headers().size() + " " + b.length() + "\n");
        })));
        f.plane.apply(table(host("*",
                new Route("small", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/small")),
                        new RouteAction.Forward(List.of(Fixture.to("svc"))), List.of(), Timeouts.NONE, RetryPolicy.NONE, false, 16L),
                route("r", PathMatch.prefix("/"), "svc"))));
    }

    @AfterEach
    void stop() {
        if (f != null) f.close();
    }

    private RawHttp.Answer raw(String request) throws Exception {
        return RawHttp.exchange(f.port, request.getBytes(StandardCharsets.ISO_8859_1), 5000);
    }

    @Test
    void anEightKilobyteTargetIsForwardedAndALongerOneIs414() throws Exception {
        start(EdgePolicy.defaults(), 64);
        String path = "/" + "a".repeat(8 * 1024 - 30); // request line just under 8 KB
        RawHttp.Answer ok = raw("GET " + path + " HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n");
        assertThat(ok.status()).isEqualTo(200);
        RawHttp.Answer tooLong = raw("GET /" + "a".repeat(9 * 1024) + " HTTP/1.1\r\nHost: example.test\r\n\r\n");
        assertThat(tooLong.status()).isEqualTo(414);
        assertThat(tooLong.closed()).isTrue();
        assertThat(backendHits).hasValue(1);
    }

    @Test
    void aHundredHeadersPassAndOneMoreIs431() throws Exception {
        start(EdgePolicy.defaults(), 64);
        StringBuilder headers = new StringBuilder("Host: example.test\r\nConnection: close\r\n");
        for (int i = 0; i < 98; i++) headers.append("X-H").append(i).append(": v\r\n");
        assertThat(raw("GET / HTTP/1.1\r\n" + headers + "\r\n").status()).isEqualTo(200);
        RawHttp.Answer tooMany = raw("GET / HTTP/1.1\r\n" + headers + "X-One-More: v\r\n\r\n");
        assertThat(tooMany.status()).isEqualTo(431);
        assertThat(tooMany.closed()).isTrue();
        assertThat(backendHits).hasValue(1);
    }

    /** Fields are counted, not names: a hundred and one fields of one name are too many too. */
    @Test
    void repeatedFieldsOfOneNameCountEachTime() throws Exception {
        start(EdgePolicy.defaults(), 64);
        String head = "GET / HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n";
        assertThat(raw(head + "X-Same: v\r\n".repeat(98) + "\r\n").status()).isEqualTo(200);
        RawHttp.Answer tooMany = raw(head + "X-Same: v\r\n".repeat(99) + "\r\n");
        assertThat(tooMany.status()).isEqualTo(431);
        assertThat(tooMany.closed()).isTrue();
        assertThat(backendHits).hasValue(1);
    }

    @Test
    void aHeaderSectionOver32KilobytesIs431() throws Exception {
        start(EdgePolicy.defaults(), 64);
        assertThat(raw("GET / HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\nX-Big: " + "b".repeat(30 * 1024)
                + "\r\n\r\n").status()).isEqualTo(200);
        RawHttp.Answer tooBig = raw("GET / HTTP/1.1\r\nHost: example.test\r\nX-Big: " + "b".repeat(33 * 1024) + "\r\n\r\n");
        assertThat(tooBig.status()).isEqualTo(431);
        assertThat(backendHits).hasValue(1);
    }

    @Test
    void aBodyOverTheRouteLimitIs413AtOnceWithoutReadingIt() throws Exception {
        start(EdgePolicy.defaults(), 64);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
            s.setSoTimeout(5000);
            // the head alone: Pier answers from Content-Length, before any body byte is sent
            s.getOutputStream().write("POST /small HTTP/1.1\r\nHost: example.test\r\nContent-Length: 17\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(413);
            assertThat(answer.closed()).isTrue();
        }
        RawHttp.Answer chunked = raw("POST /small HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "10\r\n0123456789abcdef\r\n1\r\nX\r\n0\r\n\r\n");
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(raw("POST /small HTTP/1.1\r\nHost: example.test\r\nContent-Length: 16\r\nConnection: close\r\n\r\n"
                + "0123456789abcdef").status()).isEqualTo(200);
        assertThat(backendHits).hasValue(1);
    }

    @Test
    void connectionsOverTheLimitAreRefusedAtOnceAndServiceResumes() throws Exception {
        int limit = 20;
        start(EdgePolicy.defaults().withLimits(limit, 128, 100, 32 * 1024, 8 * 1024, 0, 64 * 1024), 64);
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) silent.add(new Socket(InetAddress.getLoopbackAddress(), f.port));
            awaitOpen(limit);
            // one more: closed before Pier reads a byte, so no descriptor is held for it
            try (Socket extra = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
                extra.setSoTimeout(5000);
                assertThat(RawHttp.read(extra.getInputStream()).closed()).isTrue();
            }
            assertThat(f.plane.refusedConnections()).isPositive();
        } finally {
            for (Socket s : silent) s.close();
        }
        awaitOpen(0);
        assertThat(raw("GET / HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
    }

    private void awaitOpen(int expected) throws InterruptedException {
        for (int i = 0; i < 200 && f.plane.openConnections() != expected; i++) Thread.sleep(25);
        assertThat(f.plane.openConnections()).isEqualTo(expected);
    }

    @Test
    void slowUploadsDoNotPinTheUpstreamPool() throws Exception {
        // two pooled connections per endpoint over both loops; eight clients trickle small bodies
        start(EdgePolicy.defaults(), 2);
        List<Socket> uploads = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), f.port);
                OutputStream out = s.getOutputStream();
                out.write("POST / HTTP/1.1\r\nHost: example.test\r\nContent-Length: 1000\r\n\r\npart"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                uploads.add(s);
            }
            Thread.sleep(200);
            for (int i = 0; i < 5; i++) assertThat(f.get("x", "/").status()).isEqualTo(200);
            assertThat(backendHits).hasValue(5); // the uploads are still being read, none holds a backend connection
        } finally {
            for (Socket s : uploads) s.close();
        }
    }

    @Test
    void http2ClientsAreToldTheStreamLimit() {
        start(EdgePolicy.defaults().withLimits(1000, 7, 100, 32 * 1024, 8 * 1024, 0, 64 * 1024), 64);
        HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(f.port), new PoolOptions());
        try {
            HttpConnection connection = await(f.onLoop(() -> h2.request(new RequestOptions().setMethod(HttpMethod.GET)
                    .setURI("/")).compose(req -> req.send().compose(resp -> resp.body().map(b -> req.connection())))));
            assertThat(connection.remoteSettings().getLong(io.vertx.core.http.Http2Settings.MAX_CONCURRENT_STREAMS)).isEqualTo(7L);
        } finally {
            await(h2.close());
        }
    }

    @Test
    void aLoopThatFallsBehindShedsNewRequestsWith503() throws Exception {
        start(EdgePolicy.defaults().withMaxEventLoopDelay(Duration.ofMillis(200)), 64);
        // Stall every event loop for a second, with a request waiting behind the stall.
        ((io.vertx.core.internal.VertxInternal) f.vertx).nettyEventLoopGroup().forEach(loop -> loop.execute(() -> {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        RawHttp.Answer shed = raw("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n");
        assertThat(shed.status()).isEqualTo(503);
        assertThat(shed.text()).containsIgnoringCase("retry-after: 1");
        assertThat(backendHits).hasValue(0);
        for (int i = 0; i < 100 && raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status() != 200; i++) Thread.sleep(50);
        assertThat(backendHits.get()).isPositive(); // on time again: served
    }
}
