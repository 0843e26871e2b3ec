package dev.pier.proxy;

import static dev.pier.proxy.Fixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.edge.MalformedRequests;
import dev.pier.edge.RawHttp;
import dev.pier.model.PathMatch;
import dev.pier.model.RoutingTable;
import dev.pier.model.VirtualHost;
import dev.pier.testing.TlsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The edge holds on the HTTPS listener as on the cleartext one (both are built by {@link Listener}
 * and gated by {@link EdgeTransport}): the malformed requests are refused and closed with nothing
 * forwarded, the head clock runs from accept (also through a handshake that never comes), an idle
 * keep-alive connection is closed, TLS connections count against the one connection limit, and
 * PROXY protocol gives the client's address in front of the handshake. Real TLS (the JDK's client).
 */
class EdgeOverTlsTest {
    static final Duration HEADERS = Duration.ofMillis(1000);
    static final Duration KEEP_ALIVE = Duration.ofMillis(1000);
    Fixture f;
    final List<String> seen = new CopyOnWriteArrayList<>();

    private void start(EdgePolicy edge) {
        ProxyOptions options = new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2), Duration.ofSeconds(30), 2,
                ProxyOptions.DEFAULT_SERVER_HEADER, edge).withHttps(0, 443, TlsEngine.JDK);
        f = new Fixture(new SimpleMeterRegistry(), options);
        f.endpoints("public", f.backend("public", req -> {
            seen.add(req.method() + " " + req.uri());
            req.body().onSuccess(b -> req.response().end(new JsonObject().put("xff", req.getHeader("x-forwarded-for"))
                    .put("proto", req.getHeader("x-forwarded-proto")).encode()));
        }));
        f.endpoints("admin", f.backend("admin", req -> {
            seen.add("admin: " + req.method() + " " + req.uri());
            req.response().end("admin\n");
        }));
        f.plane.apply(new RoutingTable(List.of(new VirtualHost("*", List.of(
                route("admin", PathMatch.prefix("/admin"), "admin"),
                route("smuggled", PathMatch.prefix("/smuggled"), "admin"),
                route("public", PathMatch.prefix("/"), "public")))),
                null, List.of(TlsClient.certificate("edge", List.of("example.test"))), null));
    }

    private EdgePolicy shortClocks() {
        return EdgePolicy.defaults().withTimeouts(HEADERS, KEEP_ALIVE, Duration.ofMillis(1000), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        if (f != null) f.close();
    }

    private Socket tcp() throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), f.plane.httpsPort());
        s.setSoTimeout(10_000); // far beyond the bounds: a read that waits this long means no bound
        return s;
    }

    private SSLSocket tls() throws Exception {
        return TlsClient.http1Over(tcp(), "example.test");
    }

    private static void send(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static Stream<MalformedRequests.Case> cases() {
        return MalformedRequests.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedRequestsAreRefusedClosedAndNeverForwarded(MalformedRequests.Case c) throws Exception {
        start(EdgePolicy.defaults());
        try (SSLSocket s = tls()) {
            s.setSoTimeout(3000);
            try {
                s.getOutputStream().write(c.bytes());
                s.getOutputStream().flush();
            } catch (java.io.IOException e) {
                // closed before it read everything (a 431 for a huge head): read what it said
            }
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).as(c.what() + ": " + answer.text()).isEqualTo(c.expected());
            assertThat(answer.closed()).as(c.what() + ": connection closed").isTrue();
        }
        Thread.sleep(100); // a request forwarded by mistake would arrive by now
        assertThat(seen).as(c.what() + ": reached a backend").isEmpty();
    }

    @Test
    void aSoundRequestOverTlsIsServed() throws Exception {
        start(EdgePolicy.defaults());
        try (SSLSocket s = tls()) {
            send(s, "GET /x HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n");
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.text()).contains("\"proto\":\"https\"");
        }
        assertThat(seen).containsExactly("GET /x");
    }

    @Test
    void aHandshakeThatNeverComesIsClosedByTheHeadClock() throws Exception {
        start(shortClocks());
        try (Socket s = tcp()) {
            assertThat(RawHttp.read(s.getInputStream()).closed()).isTrue();
        }
    }

    @Test
    void silenceAfterTheHandshakeGets408AndIsClosed() throws Exception {
        start(shortClocks());
        try (SSLSocket s = tls()) {
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.closed()).isTrue();
        }
    }

    @Test
    void halfAHeadOverTlsGets408AndNeverReachesTheBackend() throws Exception {
        start(shortClocks());
        try (SSLSocket s = tls()) {
            send(s, "GET / HTTP/1.1\r\nHost: example.test\r\n");
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.text()).contains("request headers timed out");
            assertThat(answer.closed()).isTrue();
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void anIdleKeepAliveConnectionOverTlsIsClosedWithoutAnAnswer() throws Exception {
        start(shortClocks());
        try (SSLSocket s = tls()) {
            send(s, "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n");
            byte[] buf = new byte[8192];
            int n = s.getInputStream().read(buf);
            assertThat(RawHttp.read(new java.io.ByteArrayInputStream(buf, 0, n)).status()).isEqualTo(200);
            RawHttp.Answer rest = RawHttp.read(s.getInputStream());
            assertThat(rest.text()).isEmpty();
            assertThat(rest.closed()).isTrue();
        }
    }

    @Test
    void tlsConnectionsCountAgainstTheOneConnectionLimit() throws Exception {
        int limit = 10;
        start(EdgePolicy.defaults().withLimits(limit, 128, 100, 32 * 1024, 8 * 1024, 0, 64 * 1024));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < limit / 2; i++) held.add(new Socket(InetAddress.getLoopbackAddress(), f.port));
            for (int i = 0; i < limit / 2; i++) held.add(tcp());
            awaitOpen(limit);
            try (Socket extra = tcp()) {
                extra.setSoTimeout(5000);
                assertThat(RawHttp.read(extra.getInputStream()).closed()).as("one over the limit, on the TLS port").isTrue();
            }
            assertThat(f.plane.refusedConnections()).isPositive();
        } finally {
            for (Socket s : held) s.close();
        }
        awaitOpen(0);
        try (SSLSocket s = tls()) {
            send(s, "GET / HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n");
            assertThat(RawHttp.read(s.getInputStream()).status()).isEqualTo(200);
        }
    }

    private void awaitOpen(int expected) throws InterruptedException {
        for (int i = 0; i < 200 && f.plane.openConnections() != expected; i++) Thread.sleep(25);
        assertThat(f.plane.openConnections()).isEqualTo(expected);
    }

    @Test
    void proxyProtocolInFrontOfTheHandshakeGivesTheClientsAddress() throws Exception {
        start(EdgePolicy.defaults().withForwarding(List.of(), true));
        Socket plain = tcp();
        send(plain, "PROXY TCP4 198.51.100.9 127.0.0.1 55555 443\r\n");
        try (SSLSocket s = TlsClient.http1Over(plain, "example.test")) {
            send(s, "GET / HTTP/1.1\r\nHost: example.test\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: close\r\n\r\n");
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.text()).contains("\"xff\":\"198.51.100.9\"");
        }
    }
}
