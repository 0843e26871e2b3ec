package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.edge.RawHttp;
import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every client-facing wait has a bound (issue 9, "No client-side timeouts"): a connection that
 * sends nothing, half a head, a trickled head, a stalled body, or idles after a request is closed,
 * with 408 where a request was begun; nothing unfinished reaches a backend. The bounds are short
 * here (the defaults are seconds); what is asserted is the answer, not how fast it came.
 */
class EdgeTimeoutsTest {
    static final Duration HEADERS = Duration.ofMillis(1000);
    static final Duration KEEP_ALIVE = Duration.ofMillis(1000);
    static final Duration BODY = Duration.ofMillis(1000);
    Fixture f;
    final AtomicInteger backendHits = new AtomicInteger();

    @BeforeEach
    void start() {
        EdgePolicy edge = EdgePolicy.defaults().withTimeouts(HEADERS, KEEP_ALIVE, BODY, Duration.ofSeconds(30),
                Duration.ofMillis(1000));
        f = new Fixture(new SimpleMeterRegistry(), new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2),
                Duration.ofSeconds(30), 2, ProxyOptions.DEFAULT_SERVER_HEADER, edge));
        f.endpoints("svc", f.backend("svc", req -> req.body().onSuccess(b -> {
            backendHits.incrementAndGet();
            req.response().end("ok " + b.length() + "\n");
        })));
        f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private Socket connect() throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), f.port);
        s.setSoTimeout(10_000); // far beyond the bounds: a read that waits this long means no bound
        return s;
    }

    private static void send(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Test
    void aConnectionThatSendsNothingGets408AndIsClosed() throws Exception {
        try (Socket s = connect()) {
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.closed()).isTrue();
        }
    }

    @Test
    void halfAHeadGets408AndNeverReachesTheBackend() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: example.test\r\n");
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.text()).contains("request headers timed out");
            assertThat(answer.closed()).isTrue();
        }
        assertThat(backendHits).hasValue(0);
    }

    @Test
    void aTrickledHeadIsBoundedFromItsFirstByte() throws Exception {
        // slowloris: a byte every 100 ms keeps the connection busy, yet the head never completes
        try (Socket s = connect()) {
            String head = "GET / HTTP/1.1\r\nHost: example.test\r\nX-Slow: " + "a".repeat(200);
            InputStream in = s.getInputStream();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int i = 0;
            while (System.nanoTime() < deadline && in.available() == 0) {
                try {
                    send(s, String.valueOf(head.charAt(i++ % head.length())));
                } catch (java.io.IOException closed) {
                    break;
                }
                Thread.sleep(100);
            }
            RawHttp.Answer answer = RawHttp.read(in);
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.closed()).isTrue();
        }
        assertThat(backendHits).hasValue(0);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedWithoutAnAnswer() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n");
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.text()).doesNotContain("408"); // nothing was asked after the first answer
            assertThat(answer.closed()).isTrue();
        }
    }

    @Test
    void aStalledBodyGets408AndNeverReachesTheBackend() throws Exception {
        try (Socket s = connect()) {
            send(s, "POST / HTTP/1.1\r\nHost: example.test\r\nContent-Length: 10\r\n\r\nhalf");
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.text()).contains("request body timed out");
            assertThat(answer.closed()).isTrue();
        }
        assertThat(backendHits).hasValue(0);
    }

    @Test
    void aSlowButSteadyBodyIsServed() throws Exception {
        // each pause is shorter than the body bound, the whole upload longer than it
        try (Socket s = connect()) {
            send(s, "POST / HTTP/1.1\r\nHost: example.test\r\nContent-Length: 8\r\nConnection: close\r\n\r\n");
            for (int i = 0; i < 8; i++) {
                Thread.sleep(200);
                send(s, "x");
            }
            RawHttp.Answer answer = RawHttp.read(s.getInputStream());
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.text()).endsWith("ok 8\n");
        }
    }

    @Test
    void connectTimeoutIsToldApartFromARefusedConnect() throws Exception {
        // A listener whose accept queue is full drops further SYNs: connects to it time out.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket filler = new Socket();
                    try {
                        filler.connect(full.getLocalSocketAddress(), 300);
                    } catch (java.io.IOException timedOut) {
                        break;
                    }
                    fillers.add(filler);
                }
                // the default client-side bounds: only the connect bound is short here
                try (Fixture plain = new Fixture()) {
                    int refusedPort;
                    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                        refusedPort = closed.getLocalPort();
                    }
                    plain.endpoints("silent", Endpoint.of("127.0.0.1", full.getLocalPort()));
                    plain.endpoints("closed", Endpoint.of("127.0.0.1", refusedPort));
                    plain.plane.apply(table(host("*",
                            new Route("silent", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/silent")),
                                    new RouteAction.Forward(List.of(Fixture.to("silent"))), List.of(),
                                    new Timeouts(null, null, Duration.ofMillis(300), null), RetryPolicy.NONE),
                            route("closed", PathMatch.prefix("/closed"), "closed"))));
                    var timedOut = plain.get("x", "/silent");
                    assertThat(timedOut.status()).as(timedOut.body()).isEqualTo(504);
                    assertThat(timedOut.body()).isEqualTo("backend connect timed out\n");
                    assertThat(plain.metrics.get(RouteMeters.TIMEOUTS).tag("timeout", "connect").tag("route", "silent")
                            .counter().count()).isEqualTo(1.0);
                    var refused = plain.get("x", "/closed");
                    assertThat(refused.status()).isEqualTo(502);
                    assertThat(refused.body()).isEqualTo("backend connect failed\n");
                }
            } finally {
                for (Socket filler : fillers) filler.close();
            }
        }
    }
}
