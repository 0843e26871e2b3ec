package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.BackendProtocol;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import dev.pier.model.ResolverHandler;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event handler against real HTTP sinks on loopback: the CloudEvents binary-mode headers the
 * sink gets, 202 once it accepted, and what the client gets when the sink refuses, is down, has no
 * endpoint or is slow.
 */
class EventHandlerTest {
    static Fixture f;
    /** What the sink received: its headers, path and body. */
    static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    static volatile int sinkStatus = 202;
    static volatile long sinkDelayMs;
    static int closedPort;

    record Received(MultiMap headers, String path, String body) {
    }

    static final String SOURCE = "/apis/pier.dev/v1alpha1/namespaces/test/gatewayroutes/events";

    @BeforeAll
    static void start() throws IOException {
        f = new Fixture(new SimpleMeterRegistry(), Fixture.options(Duration.ofSeconds(5)));
        f.endpoints("broker", f.backend("broker", EventHandlerTest::sink));
        f.endpoints("broker-h2", f.backend("broker-h2", EventHandlerTest::sink)); // Vert.x servers take h2c by prior knowledge
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        f.endpoints("down", Endpoint.of("127.0.0.1", closedPort));
        List<ResolverHandler.EventExtension> extensions = List.of(new ResolverHandler.EventExtension("x-tenant", "tenant"),
                new ResolverHandler.EventExtension("traceparent", "traceparent"));
        f.plane.apply(table(
                host("events.test", route("events", "/events", "broker", "/default/default", BackendProtocol.HTTP1, extensions,
                        new Timeouts(Duration.ofMillis(600), null))),
                host("h2.test", route("h2", "/", "broker-h2", "/", BackendProtocol.H2C, List.of(), Timeouts.NONE)),
                host("down.test", route("down", "/", "down", "/", BackendProtocol.HTTP1, List.of(), Timeouts.NONE)),
                host("empty.test", route("empty", "/", "nobody", "/", BackendProtocol.HTTP1, List.of(), Timeouts.NONE)),
                host("small.test", new Route("small", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/")),
                        route("small", "/", "broker", "/", BackendProtocol.HTTP1, List.of(), Timeouts.NONE).action(),
                        List.of(), Timeouts.NONE, RetryPolicy.NONE, false, 16L))));
    }

    static Route route(String id, String mount, String sink, String sinkPath, BackendProtocol protocol,
                       List<ResolverHandler.EventExtension> extensions, Timeouts timeouts) {
        return new Route(id, Fixture.SOURCE, RouteMatch.path(PathMatch.prefix(mount)),
                new RouteAction.Resolve("test", mount, "", false, Map.of(), BalancerPolicy.ROUND_ROBIN, null, Map.of(),
                        new ResolverHandler.Event(svc(sink), sinkPath, protocol, SOURCE, extensions), false),
                List.of(), timeouts, RetryPolicy.NONE);
    }

    static void sink(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            received.add(new Received(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), request.path(),
                    body.toString()));
            Runnable answer = () -> request.response().setStatusCode(sinkStatus).end("sink says " + sinkStatus);
            if (sinkDelayMs > 0) f.vertx.setTimer(sinkDelayMs, id -> answer.run());
            else answer.run();
        });
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void reset() {
        received.clear();
        sinkStatus = 202;
        sinkDelayMs = 0;
    }

    static Fixture.Reply publish(String host, String uri, MultiMap headers, String body) {
        return f.send(HttpMethod.POST, host, uri, headers, body);
    }

    @Test
    void anEventReachesTheSinkInBinaryModeAndTheClientGets202() throws InterruptedException {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().set("content-type", "application/vnd.order+json")
                .set("x-tenant", "acme corp \"eu\" 100% ü").set("x-other", "not carried");
        Instant before = Instant.now().minusSeconds(1);
        Fixture.Reply reply = publish("events.test", "/events/orders/created", headers, "{\"order\": 42}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        JsonObject accepted = reply.json();

        Received got = received.poll(5, TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(got.path()).isEqualTo("/default/default");
        assertThat(got.body()).isEqualTo("{\"order\": 42}");
        MultiMap h = got.headers();
        assertThat(h.get("ce-specversion")).isEqualTo("1.0");
        assertThat(h.get("ce-type")).isEqualTo("created");
        assertThat(h.get("ce-subject")).isEqualTo("orders");
        assertThat(h.get("ce-source")).isEqualTo(SOURCE);
        assertThat(h.get("ce-id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
                .isEqualTo(accepted.getString("id"));
        assertThat(Instant.parse(h.get("ce-time"))).isAfter(before).isBefore(Instant.now().plusSeconds(1));
        assertThat(h.get("content-type")).isEqualTo("application/vnd.order+json");
        assertThat(h.get("ce-tenant")).isEqualTo("acme%20corp%20%22eu%22%20100%25%20%C3%BC");
        assertThat(h.get("ce-traceparent")).isNull(); // the request had none
        assertThat(h.names()).noneMatch(n -> n.equalsIgnoreCase("x-other") || n.equalsIgnoreCase("x-tenant"));
        assertThat(h.get("host")).startsWith("broker.test.svc");
        assertThat(accepted.getString("type")).isEqualTo("created");
        assertThat(accepted.getString("subject")).isEqualTo("orders");
    }

    @Test
    void eachEventGetsItsOwnIdAndMoreSegmentsJoinTheEventName() throws InterruptedException {
        assertThat(publish("h2.test", "/billing/invoice/paid", MultiMap.caseInsensitiveMultiMap(), "").status()).isEqualTo(202);
        assertThat(publish("h2.test", "/billing/invoice/paid", MultiMap.caseInsensitiveMultiMap(), "").status()).isEqualTo(202);
        Received first = received.poll(5, TimeUnit.SECONDS);
        Received second = received.poll(5, TimeUnit.SECONDS);
        assertThat(first.headers().get("ce-type")).isEqualTo("invoice.paid");
        assertThat(first.headers().get("ce-subject")).isEqualTo("billing");
        assertThat(first.headers().get("content-type")).isNull(); // none sent, none invented
        assertThat(first.headers().get("ce-id")).isNotEqualTo(second.headers().get("ce-id"));
    }

    @Test
    void aSinkThatRefusesGives502AndOneThatIsDown502AndNoEndpoint503() {
        sinkStatus = 500;
        Fixture.Reply refused = publish("events.test", "/events/orders/created", MultiMap.caseInsensitiveMultiMap(), "{}");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.json().getString("message")).contains("did not accept").contains("500");
        assertThat(refused.json().getString("sink")).isEqualTo("test/broker:80");
        sinkStatus = 400;
        assertThat(publish("events.test", "/events/orders/created", MultiMap.caseInsensitiveMultiMap(), "{}").status())
                .isEqualTo(502);

        Fixture.Reply down = publish("down.test", "/orders/created", MultiMap.caseInsensitiveMultiMap(), "{}");
        assertThat(down.status()).isEqualTo(502);
        assertThat(down.json().getString("message")).contains("cannot be reached");

        Fixture.Reply none = publish("empty.test", "/orders/created", MultiMap.caseInsensitiveMultiMap(), "{}");
        assertThat(none.status()).isEqualTo(503);
        assertThat(none.json().getString("message")).contains("no endpoint");
    }

    @Test
    void aSlowSinkIsCutByTheRouteTimeout() {
        sinkDelayMs = 3000;
        long start = System.nanoTime();
        Fixture.Reply slow = publish("events.test", "/events/orders/created", MultiMap.caseInsensitiveMultiMap(), "{}");
        assertThat(slow.status()).isEqualTo(504);
        // The route's request timeout or the call's own bound (the same 600 ms here) ends it.
        assertThat(slow.json().getString("message")).containsAnyOf("timed out", "did not answer")
                .contains("may or may not have been accepted");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2500);
    }

    @Test
    void badRequestsNeverReachTheSink() throws InterruptedException {
        Fixture.Reply get = f.send(HttpMethod.GET, "events.test", "/events/orders/created", MultiMap.caseInsensitiveMultiMap(), null);
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.headers().get("allow")).isEqualTo("POST");
        assertThat(publish("events.test", "/events/orders", MultiMap.caseInsensitiveMultiMap(), "{}").status()).isEqualTo(404);
        assertThat(publish("events.test", "/events/orders/cre%20ated", MultiMap.caseInsensitiveMultiMap(), "{}").status())
                .isEqualTo(404);
        assertThat(publish("events.test", "/events/orders/created", MultiMap.caseInsensitiveMultiMap(),
                "x".repeat(EventHandler.MAX_EVENT_BYTES + 1)).status()).isEqualTo(413);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void theRoutesBodyLimitBoundsAChunkedEventToo() throws InterruptedException {
        // No Content-Length, so nothing is refused from the head: the limit (16 bytes) holds while reading.
        Fixture.Reply reply = Fixture.await(f.onLoop(() -> f.client.request(new RequestOptions().setMethod(HttpMethod.POST)
                        .setURI("/orders/created")).compose(req -> {
                    req.authority(HostAndPort.create("small.test", -1));
                    req.setChunked(true);
                    req.write("0123456789");
                    return req.send(Buffer.buffer("0123456789"));
                }).compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString())))));
        assertThat(reply.status()).as(reply.body()).isEqualTo(413);
        assertThat(reply.json().getString("message")).contains("16 bytes");
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(publish("small.test", "/orders/created", MultiMap.caseInsensitiveMultiMap(), "0123456789").status())
                .isEqualTo(202);
    }

    @Test
    void headerValuesArePercentEncodedAsTheBindingSays() {
        assertThat(EventHandler.headerValue("plain-value_1")).isEqualTo("plain-value_1");
        assertThat(EventHandler.headerValue("a b")).isEqualTo("a%20b");
        assertThat(EventHandler.headerValue("\"%")).isEqualTo("%22%25");
        assertThat(EventHandler.headerValue("€")).isEqualTo("%E2%82%AC");
    }
}
