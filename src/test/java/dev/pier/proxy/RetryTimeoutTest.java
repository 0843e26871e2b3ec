package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
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
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Route timeouts and retries: which requests retry, when, and what the client finally sees. */
class RetryTimeoutTest {
    Fixture f;
    final AtomicInteger badHits = new AtomicInteger();
    final AtomicInteger goodHits = new AtomicInteger();

    @BeforeEach
    void start() {
        f = new Fixture();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private Endpoint failing() {
        return f.backend("bad", req -> req.body().onSuccess(b -> {
            badHits.incrementAndGet();
            req.response().setStatusCode(503).putHeader("x-backend", "bad").end("unavailable");
        }));
    }

    private Endpoint working() {
        return f.backend("good", req -> req.body().onSuccess(b -> {
            goodHits.incrementAndGet();
            req.response().putHeader("x-backend", "good").end("ok");
        }));
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void route(Timeouts timeouts, RetryPolicy retry) {
        f.plane.apply(table(host("*", new Route("r", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/")),
                new RouteAction.Forward(List.of(to("svc"))), List.of(), timeouts, retry))));
    }

    @Test
    void requestTimeoutBoundsTheWholeExchange() {
        f.endpoints("svc", f.backend("slow"));
        route(new Timeouts(Duration.ofMillis(300), null), RetryPolicy.NONE);
        var reply = f.get("x", "/?delay=5000");
        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.body()).isEqualTo("request timed out\n");
    }

    @Test
    void backendRequestTimeoutBoundsEachTry() {
        f.endpoints("svc", f.backend("slow"));
        route(new Timeouts(null, Duration.ofMillis(200)), RetryPolicy.NONE);
        var reply = f.get("x", "/?delay=5000");
        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.body()).isEqualTo("backend timed out\n");
        assertThat(f.get("x", "/?delay=1").status()).isEqualTo(200);
    }

    @Test
    void retriesAListedStatusOnAnotherEndpoint() {
        f.endpoints("svc", failing(), working());
        route(Timeouts.NONE, new RetryPolicy(1, Duration.ofMillis(10), Set.of(503)));
        for (int i = 0; i < 10; i++) {
            var reply = f.get("x", "/");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.backend()).isEqualTo("good");
        }
        assertThat(badHits.get()).isPositive();
        assertThat(goodHits.get()).isEqualTo(10);
    }

    @Test
    void statusNotListedIsNotRetried() {
        f.endpoints("svc", failing());
        route(Timeouts.NONE, new RetryPolicy(3, Duration.ZERO, Set.of(502)));
        assertThat(f.get("x", "/").status()).isEqualTo(503);
        assertThat(badHits.get()).isEqualTo(1);
    }

    @Test
    void whenAttemptsRunOutTheLastAnswerGoesThrough() {
        f.endpoints("svc", failing());
        route(Timeouts.NONE, new RetryPolicy(2, Duration.ZERO, Set.of(503)));
        var reply = f.get("x", "/");
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.body()).isEqualTo("unavailable");
        assertThat(badHits.get()).isEqualTo(3);
    }

    @Test
    void nonIdempotentMethodsAreNeverRetried() {
        f.endpoints("svc", failing(), working());
        route(Timeouts.NONE, new RetryPolicy(1, Duration.ZERO, Set.of(503)));
        var first = f.send(HttpMethod.POST, "x", "/", MultiMap.caseInsensitiveMultiMap(), "data");
        var second = f.send(HttpMethod.POST, "x", "/", MultiMap.caseInsensitiveMultiMap(), "data");
        assertThat(List.of(first.status(), second.status())).containsExactlyInAnyOrder(200, 503);
        assertThat(badHits.get() + goodHits.get()).isEqualTo(2);
    }

    @Test
    void idempotentRequestWithABodyReadWholeIsRetriedOnStatus() {
        f.endpoints("svc", failing(), working());
        route(Timeouts.NONE, new RetryPolicy(1, Duration.ZERO, Set.of(503)));
        var first = f.send(HttpMethod.PUT, "x", "/", MultiMap.caseInsensitiveMultiMap(), "data");
        var second = f.send(HttpMethod.PUT, "x", "/", MultiMap.caseInsensitiveMultiMap(), "data");
        // a body within the request buffer is kept, so it can be sent again
        assertThat(List.of(first.status(), second.status())).containsExactly(200, 200);
        assertThat(goodHits.get()).isEqualTo(2);
    }

    @Test
    void idempotentRequestWithAStreamedBodyIsNotRetriedOnStatus() {
        f.endpoints("svc", failing(), working());
        route(Timeouts.NONE, new RetryPolicy(1, Duration.ZERO, Set.of(503)));
        String large = "x".repeat(EdgePolicy.defaults().requestBufferBytes() + 1); // streamed: cannot be replayed
        var first = f.send(HttpMethod.PUT, "x", "/", MultiMap.caseInsensitiveMultiMap(), large);
        var second = f.send(HttpMethod.PUT, "x", "/", MultiMap.caseInsensitiveMultiMap(), large);
        assertThat(List.of(first.status(), second.status())).containsExactlyInAnyOrder(200, 503);
    }

    @Test
    void connectFailureIsRetriedEvenWithABodyBecauseNothingWasSent() throws Exception {
        f.endpoints("svc", Endpoint.of("127.0.0.1", closedPort()), working());
        route(Timeouts.NONE, new RetryPolicy(1, Duration.ZERO, Set.of()));
        for (int i = 0; i < 4; i++) {
            assertThat(f.send(HttpMethod.PUT, "x", "/", MultiMap.caseInsensitiveMultiMap(), "data").status()).isEqualTo(200);
        }
        assertThat(goodHits.get()).isEqualTo(4);
    }

    @Test
    void withoutARetryPolicyAConnectFailureIs502() throws Exception {
        f.endpoints("svc", Endpoint.of("127.0.0.1", closedPort()));
        route(Timeouts.NONE, RetryPolicy.NONE);
        assertThat(f.get("x", "/").status()).isEqualTo(502);
    }

    @Test
    void clientLeavingDuringTheBackoffLeavesThePreviousTrysConnectionAlone() throws Exception {
        Promise<String> outcome = Promise.promise();
        // A 503 whose body takes a while: the proxy drains it (to reuse the connection) during the backoff.
        f.endpoints("svc", f.backend("bad", req -> {
            badHits.incrementAndGet();
            req.connection().closeHandler(v -> outcome.tryComplete("backend connection closed"));
            var response = req.response().setStatusCode(503).setChunked(true);
            response.write("partial ");
            f.vertx.setTimer(1_500, id -> response.end("rest")
                    .onComplete(ar -> outcome.tryComplete(ar.succeeded() ? "body ended" : "end failed")));
        }));
        route(Timeouts.NONE, new RetryPolicy(1, Duration.ofSeconds(1), Set.of(503)));
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            while (badHits.get() == 0) Thread.onSpinWait();
            Thread.sleep(500); // the 503 head reached the proxy: it waits out the backoff now
        }
        assertThat(Fixture.await(outcome.future())).isEqualTo("body ended");
        assertThat(badHits.get()).isEqualTo(1);
    }
}
